"""M4B out: AAC in MP4 with chapters exact to the sample, tags and a cover, read back with PyAV as a player would."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from voicekit import errors
from voicekit.audio.m4b import AudiobookTags, ChapterMark, M4BWriter, read_chapters
from voicekit.testing.books import tiny_png

RATE = 22050


def clicks(total: int, at: list[int]) -> np.ndarray:
    """Silence with a short loud burst starting exactly at each position in `at`."""
    samples = np.zeros(total, dtype=np.float32)
    for start in at:
        samples[start : start + 40] = 0.9
    return samples


def marks(starts: list[int], total: int) -> list[ChapterMark]:
    ends = [*starts[1:], total]
    pairs = zip(starts, ends, strict=True)
    return [ChapterMark(title=f"Chapter {i + 1}", start=s, end=e) for i, (s, e) in enumerate(pairs)]


def write(path: Path, samples: np.ndarray, chapters: list[ChapterMark], block: int = 3001,
          tags: AudiobookTags | None = None) -> None:
    with M4BWriter(path, sample_rate=RATE, chapters=chapters, tags=tags) as writer:
        for begin in range(0, samples.size, block):
            writer.write(samples[begin : begin + block])


def decoded(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray()[0] for frame in container.decode(audio=0)])


def onsets(samples: np.ndarray) -> list[int]:
    loud = np.abs(samples) > 0.3
    return [int(i) + 1 for i in np.flatnonzero(loud[1:] & ~loud[:-1])]


def test_chapter_marks_read_back_exact_to_the_sample(tmp_path: Path) -> None:
    starts, total = [0, 30_001, 77_777, 123_457], 150_000
    path = tmp_path / "book.m4b"
    write(path, clicks(total, starts[1:]), marks(starts, total))
    chapters, _, rate = read_chapters(path)
    assert rate == RATE
    assert chapters == marks(starts, total)


def test_audio_decodes_with_each_chapter_starting_on_its_mark(tmp_path: Path) -> None:
    """AAC priming is hidden by the edit list: the burst written at a chapter's first sample decodes there."""
    starts, total = [0, 30_001, 77_777, 123_457], 150_000
    path = tmp_path / "book.m4b"
    write(path, clicks(total, starts[1:]), marks(starts, total), block=1000)
    assert onsets(decoded(path)[:total]) == starts[1:]
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.duration * stream.time_base == Fraction(total, RATE), "the edit list ends the audio exactly"


def test_tags_cover_and_brand_follow_the_players_conventions(tmp_path: Path) -> None:
    path = tmp_path / "book.m4b"
    tags = AudiobookTags(title="The Tiny Book", author="Ada Example", language="en", cover=tiny_png(), track=2,
                         tracks=3)
    write(path, clicks(5000, []), marks([0], 5000), tags=tags)
    with av.open(str(path)) as container:
        meta = container.metadata
        assert meta["major_brand"] == "M4B "
        assert (meta["title"], meta["artist"], meta["album"], meta["genre"]) == (
            "The Tiny Book", "Ada Example", "The Tiny Book", "Audiobook")
        assert meta["track"] == "2/3" and meta["media_type"] == "2"
        assert container.streams.audio[0].metadata["language"] == "eng"
        (picture,) = [s for s in container.streams if s.disposition & av.stream.Disposition.attached_pic]
        packet = next(container.demux(picture))
        assert bytes(packet) == tiny_png()


def test_written_samples_must_end_where_the_chapters_end(tmp_path: Path) -> None:
    path = tmp_path / "book.m4b"
    with pytest.raises(errors.AudioError, match="chapters end at sample 5000"):
        write(path, clicks(4000, []), marks([0], 5000))
    assert not path.exists() and not path.with_name("book.m4b.partial").exists()


def test_chapters_with_gaps_or_a_cover_that_is_no_image_are_refused_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "book.m4b"
    with pytest.raises(errors.InputError, match="without gaps"):
        M4BWriter(path, sample_rate=RATE, chapters=[ChapterMark(title="a", start=10, end=20)])
    with pytest.raises(errors.AudioError, match="cover image"):
        M4BWriter(path, sample_rate=RATE, chapters=marks([0], 10), tags=AudiobookTags(cover=b"not an image"))
    assert not path.exists() and not path.with_name("book.m4b.partial").exists()


def test_an_error_inside_the_block_removes_the_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "book.m4b"
    with pytest.raises(RuntimeError), M4BWriter(path, sample_rate=RATE, chapters=marks([0], 10)):
        raise RuntimeError("stop")
    assert not path.exists() and not path.with_name("book.m4b.partial").exists()
