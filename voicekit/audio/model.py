"""`Audio`: samples in memory with their rate, and its reading (`Audio.load`, `read_audio`) and writing (`save`).

Times are seconds from the start of the recording, as floats. Notebook display is looked up in `voicekit.display`
(registered by `voicekit.notebook`), so this module depends on no display code.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import soundfile as sf

from voicekit import display
from voicekit.audio.io import AudioSource, DecodeOptions, stream_audio
from voicekit.audio.stitch import AUDIO_FORMATS, WRITE_BLOCK_FRAMES, libsndfile_format, resolve_format
from voicekit.errors import AudioError, InputError, MissingDependencyError

if TYPE_CHECKING:
    import pydub

FloatArray = npt.NDArray[np.float32]

__all__ = ["AUDIO_FORMATS", "Audio", "FloatArray", "read_audio", "to_int16"]



@dataclass(eq=False)
class Audio:
    """Audio held in memory: float32 samples in [-1, 1] and their rate.

    `samples` has shape `(frames,)` for mono or `(frames, channels)`. Bad arguments raise `InputError`.
    """

    samples: FloatArray
    sample_rate: int
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.sample_rate, int | np.integer) or self.sample_rate <= 0:
            raise InputError(f"sample_rate must be a positive whole number of Hz, not {self.sample_rate!r}")
        self.sample_rate = int(self.sample_rate)
        try:
            self.samples = np.asarray(self.samples, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise InputError(f"samples must be an array of numbers: {exc}") from exc
        if self.samples.ndim not in (1, 2):
            raise InputError(f"samples must be 1-D (frames,) or 2-D (frames, channels), not {self.samples.ndim}-D")

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    def __repr__(self) -> str:
        return f"Audio(duration={self.duration:.3f}s, sample_rate={self.sample_rate}, channels={self.channels})"

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, sample_rate: int | None = None,
             channel: Literal["mix"] | int = "mix") -> Audio:
        """Decode a whole recording (any format `transcribe` reads) as mono: channels mixed, or the one `channel`
        names; at its own rate, or resampled to `sample_rate`. `meta["path"]` keeps the path. For recordings
        of hours use `voicekit.audio.io.stream_audio`, which reads in blocks."""
        audio = read_audio(path, DecodeOptions(sample_rate=sample_rate, channel=channel))
        audio.meta["path"] = os.fspath(path)
        return audio

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write 16-bit WAV or FLAC, OGG Vorbis or MP3, as `format` or else the extension says (written in
        blocks). Returns the path."""
        name = resolve_format(path, format)
        target = Path(path)
        samples = np.clip(self.samples, -1.0, 1.0)
        try:  # in blocks: libsndfile's Vorbis and MP3 encoders overflow on one long write
            kind, subtype = libsndfile_format(name)
            with sf.SoundFile(target, "w", self.sample_rate, self.channels, format=kind, subtype=subtype) as out:
                for begin in range(0, self.frames, WRITE_BLOCK_FRAMES):
                    out.write(samples[begin:begin + WRITE_BLOCK_FRAMES])
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioError(f"could not write {target}: {exc}") from exc
        return target

    def to_pydub(self) -> pydub.AudioSegment:
        """A `pydub.AudioSegment` of the same audio as 16-bit PCM (samples clipped to [-1, 1])."""
        segment_class = _pydub_segment_class()
        pcm = to_int16(self.samples).tobytes()
        return segment_class(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=self.channels)

    @classmethod
    def from_pydub(cls, segment: pydub.AudioSegment) -> Audio:
        """An `Audio` from a `pydub.AudioSegment` of any sample width; 8-, 16- and 32-bit PCM scale by their
        full range, so 16-bit audio comes back sample for sample."""
        width = int(segment.sample_width)
        kinds = {1: np.int8, 2: np.int16, 4: np.int32}
        if width not in kinds:
            raise InputError(f"unsupported pydub sample width {width} bytes: use 1, 2 or 4")
        ints = np.frombuffer(segment.raw_data, dtype=np.dtype(kinds[width]).newbyteorder("<"))
        samples = ints.astype(np.float32) / float(2 ** (8 * width - 1))
        channels = int(segment.channels)
        if channels > 1:
            samples = samples.reshape(-1, channels)
        return cls(samples=samples, sample_rate=int(segment.frame_rate))

    def _repr_html_(self) -> str | None:
        """A player with duration and rate (long audio: a preview of its start, with a note)."""
        return display.html(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return display.mimebundle(self, repr(self))


def read_audio(source: AudioSource, options: DecodeOptions | None = None) -> Audio:
    """Decode a whole (short) recording into memory as mono float32. Long recordings: use `stream_audio`."""
    with stream_audio(source, options) as stream:
        blocks = list(stream)
        meta = {"format": stream.info.format, "codec": stream.info.codec, "decoder": stream.info.decoder}
        samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
        return Audio(samples=samples, sample_rate=stream.sample_rate, meta=meta)


def to_int16(samples: npt.NDArray[np.float32]) -> npt.NDArray[np.int16]:
    """Scale by 32768 and round, the exact inverse of reading 16-bit PCM as `k / 32768`; NaN becomes silence."""
    cleaned = np.nan_to_num(np.asarray(samples, dtype=np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    scaled = np.rint(np.clip(cleaned, -1.0, 1.0) * 32768.0)
    pcm: npt.NDArray[np.int16] = np.clip(scaled, -32768, 32767).astype("<i2")
    return pcm


def _pydub_segment_class() -> type[pydub.AudioSegment]:
    """pydub's `AudioSegment`, imported without its warning about a missing ffmpeg (not needed for PCM)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            from pydub import AudioSegment
    except ImportError as exc:
        raise MissingDependencyError("pydub is missing: pip install pydub") from exc
    return AudioSegment  # type: ignore[no-any-return]
