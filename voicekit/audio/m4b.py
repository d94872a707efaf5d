"""M4B audiobooks (AAC in MP4) with chapters, tags and a cover, written with PyAV, streamed a block at a time.

```python
marks = [ChapterMark(title="Chapter 1", start=0, end=441000), ChapterMark(title="Chapter 2", start=441000, end=...)]
with M4BWriter("book.m4b", sample_rate=22050, chapters=marks, tags=AudiobookTags(title="...", author="...")) as out:
    for block in blocks:            # float32 mono, any block size
        out.write(block)
result = out.close()
```

Rules the writer keeps:

- **Chapter times are exact to the sample.** Chapters are given as PCM sample positions (where each chapter's
  audio begins) and stored with the movie's timescale set to the sample rate, so the chapter track, the Nero
  `chpl` list and the audio's edit list all count in samples: nothing is rounded to milliseconds. AAC's priming
  (the encoder's 1024 leading samples) is hidden by the edit list FFmpeg writes, so decoded audio starts at
  sample 0 and a chapter mark lands on the sample its audio starts at; the last AAC frame's padding is cut by the
  same edit list.
- **Chapters are declared first.** MP4 chapters are laid out when the file's header is written, so the marks are
  given up front and `close()` checks that exactly `chapters[-1].end` samples were written.
- **Players' conventions**: the `M4B ` brand for `.m4b` files, the moov atom at the front (`faststart`), title
  (`©nam`), author (`©ART` and `aART`), album (`©alb`), genre Audiobook, the audiobook media type (`stik` 2),
  track numbers for split files, and the cover as an attached picture (JPEG or PNG, stored as it is).
- **Nothing partial looks finished**: the file is written to a temporary `<name>.<random>.partial` beside it
  (`voicekit.outputs.create_temporary`) and renamed on a successful close; any failure removes it.
- **Memory is flat**: samples go to the encoder a block at a time.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from voicekit.audio.model import FloatArray
from voicekit.errors import AudioError, InputError
from voicekit.outputs import create_temporary

__all__ = ["AudiobookTags", "ChapterMark", "M4BResult", "M4BWriter", "read_chapters"]

MP4_EXTENSIONS = (".m4b", ".m4a", ".mp4")
_COVER_CODECS = {"mjpeg": "mjpeg", "png": "png"}


class AudiobookTags(BaseModel):
    """The tags an audiobook file carries."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    author: str | None = None
    album: str | None = None
    """The book's title on a chapter file of a split book (default: the title)."""
    language: str | None = None
    genre: str = "Audiobook"
    track: int | None = None
    tracks: int | None = None
    comment: str | None = None
    cover: bytes | None = Field(default=None, repr=False)
    """A JPEG or PNG image, stored as an attached picture."""

    def container_metadata(self) -> dict[str, str]:
        """The tags as FFmpeg's MP4 muxer names them (©nam, ©ART, aART, ©alb, ©gen, stik, trkn, ©cmt)."""
        tags = {"title": self.title, "artist": self.author, "album_artist": self.author,
                "album": self.album or self.title, "genre": self.genre, "comment": self.comment, "media_type": "2"}
        if self.track is not None:
            tags["track"] = f"{self.track}/{self.tracks}" if self.tracks else str(self.track)
        return {key: value for key, value in tags.items() if value}


class ChapterMark(BaseModel):
    """A chapter: its title and its first and end sample (end exclusive) in the output."""

    model_config = ConfigDict(frozen=True)

    title: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class M4BResult(BaseModel):
    """A finished audiobook file."""

    path: Path
    sample_rate: int
    frames: int
    duration: float
    chapters: list[ChapterMark]
    bytes: int


def _check_marks(chapters: Sequence[ChapterMark]) -> None:
    """Chapters must follow each other without gaps or overlaps, from sample 0, each at least one sample long."""
    if not chapters:
        raise InputError("an audiobook needs at least one chapter")
    position = 0
    for mark in chapters:
        if mark.start != position or mark.end <= mark.start:
            raise InputError(f"chapter {mark.title!r} spans samples {mark.start}-{mark.end}; chapters must follow "
                             f"each other from sample 0 without gaps (expected a start at {position})")
        position = mark.end


def _cover_stream(container: Any, cover: bytes) -> Any:
    """Add the cover as an attached-picture stream (JPEG or PNG, probed for its size); `AudioError` otherwise."""
    import av

    try:
        with av.open(io.BytesIO(cover)) as probe:
            context = probe.streams.video[0].codec_context
            codec, width, height, pix_fmt = context.name, context.width, context.height, context.pix_fmt
    except (av.FFmpegError, IndexError) as exc:
        raise AudioError(f"the cover image cannot be read ({exc}): give a JPEG or PNG") from None
    if codec not in _COVER_CODECS:
        raise AudioError(f"the cover image is {codec}, which MP4 cannot carry: give a JPEG or PNG")
    stream = container.add_stream(_COVER_CODECS[codec])
    stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
    stream.disposition = av.stream.Disposition.attached_pic
    return stream


class M4BWriter:
    """Writes mono float32 samples as AAC into an MP4 audiobook with the declared chapters (see the module rules).

    `bitrate` is the AAC bit rate in bits per second (64 kb/s, about 29 MB per hour, suits speech).
    """

    def __init__(self, path: str | os.PathLike[str], *, sample_rate: int, chapters: Sequence[ChapterMark],
                 tags: AudiobookTags | None = None, bitrate: int = 64_000) -> None:
        import av

        _check_marks(chapters)
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.chapters = list(chapters)
        self.tags = tags or AudiobookTags()
        if not self.path.parent.is_dir():
            raise InputError(f"the folder {str(self.path.parent)!r} does not exist: create it or choose another "
                             "output path")
        self._partial = create_temporary(self.path)  # a name of this writer's own beside the output
        self._time_base = Fraction(1, sample_rate)
        self._frames = 0
        self._done: M4BResult | None = None
        options = {"movie_timescale": str(sample_rate), "movflags": "+faststart"}
        if self.path.suffix.lower() == ".m4b":
            options["brand"] = "M4B "
        try:
            self._container = av.open(str(self._partial), "w", format="mp4", container_options=options)
        except OSError as exc:
            self._partial.unlink(missing_ok=True)
            raise InputError(f"cannot write the output {str(self.path)!r}: {exc.strerror or exc}") from exc
        try:
            self._stream = self._start(bitrate)
        except BaseException:
            self.abort()
            raise

    def _start(self, bitrate: int) -> Any:
        """Add the audio (and cover) streams, the tags and the chapters, write the header and the cover."""
        import av

        container = self._container
        container.metadata.update(self.tags.container_metadata())
        stream = container.add_stream("aac", rate=self.sample_rate, layout="mono")
        stream.bit_rate = bitrate
        if self.tags.language:
            stream.metadata["language"] = _iso639_2(self.tags.language)
        cover = _cover_stream(container, self.tags.cover) if self.tags.cover else None
        container.set_chapters([
            {"id": index + 1, "start": mark.start, "end": mark.end, "time_base": self._time_base,
             "metadata": {"title": mark.title}}
            for index, mark in enumerate(self.chapters)
        ])
        container.start_encoding()
        if cover is not None:
            packet = av.Packet(self.tags.cover)
            packet.stream, packet.pts, packet.dts = cover, 0, 0
            container.mux(packet)
        return stream

    def __enter__(self) -> M4BWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    @property
    def frames(self) -> int:
        return self._frames

    def write(self, samples: FloatArray) -> None:
        """Encode one block of mono samples (any length) at the next position."""
        import av

        if self._done is not None:
            raise InputError("this M4BWriter is closed")
        block = np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1)
        if block.size == 0:
            return
        frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = self.sample_rate, self._frames, self._time_base
        try:
            self._container.mux(self._stream.encode(frame))
        except OSError as exc:  # a full disk: the caller's exit aborts (removes the temporary file)
            raise self._write_error(exc) from exc
        self._frames += block.size

    def _write_error(self, exc: OSError) -> InputError:
        """What a failed write (a full disk, a folder gone) tells the user."""
        return InputError(f"cannot write the output {str(self.path)!r}: {exc.strerror or exc}; free some space or "
                          "choose another output path (any earlier file there is untouched)")

    def close(self) -> M4BResult:
        """Flush the encoder, finish the file and rename it into place. The samples written must end where the
        last chapter ends."""
        if self._done is not None:
            return self._done
        expected = self.chapters[-1].end
        if self._frames != expected:
            self.abort()
            raise AudioError(f"{self._frames} samples were written but the chapters end at sample {expected}")
        try:
            self._container.mux(self._stream.encode(None))
            self._container.close()
            os.replace(self._partial, self.path)
        except OSError as exc:
            self.abort()
            raise self._write_error(exc) from exc
        except BaseException:
            self.abort()
            raise
        self._done = M4BResult(path=self.path, sample_rate=self.sample_rate, frames=self._frames,
                               duration=self._frames / self.sample_rate, chapters=self.chapters,
                               bytes=self.path.stat().st_size)
        return self._done

    def abort(self) -> None:
        """Stop without finishing: close the container and remove the `.partial` file."""
        try:
            self._container.close()
        except Exception:  # a container that never wrote its header cannot be closed cleanly: it is removed anyway
            pass
        finally:
            self._partial.unlink(missing_ok=True)


def _iso639_2(language: str) -> str:
    """MP4 stores a track's language as ISO 639-2 (three letters): the common two-letter codes are mapped."""
    code = language.split("-")[0].lower()
    table = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld", "ru": "rus",
             "ar": "ara", "ja": "jpn", "zh": "zho", "pl": "pol", "sv": "swe", "fi": "fin", "da": "dan", "no": "nor"}
    return table.get(code, code if len(code) == 3 else "und")


def read_chapters(path: str | os.PathLike[str]) -> tuple[list[ChapterMark], dict[str, str], int]:
    """The chapters (in samples of the audio's rate), the container's tags and the audio's rate, read back from an
    MP4 file as a player sees them."""
    import av

    with av.open(os.fspath(path)) as container:
        rate = int(container.streams.audio[0].sample_rate)
        marks = []
        for chapter in container.chapters():
            base = chapter["time_base"] or Fraction(1, 1)
            start = round(chapter["start"] * base * rate)
            end = round(chapter["end"] * base * rate)
            marks.append(ChapterMark(title=chapter["metadata"].get("title", ""), start=start, end=max(start, end)))
        return marks, dict(container.metadata), rate
