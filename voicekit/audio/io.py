"""Decode any common recording in blocks, as mono float32 at the rate asked for; encode windows as FLAC.

```
source (path | bytes | binary file)
  --open--> soundfile (wav, flac, ogg/vorbis, opus in ogg, mp3)  or  PyAV (m4a, mp4, webm, mpeg, anything else)
  --blocks of block_seconds--> pick one channel or mix down --soxr.ResampleStream--> mono float32 blocks
```

Memory does not grow with the length of a recording: at most one decoded block (and the resampler's small
state) is held at a time. Sample accounting is exact: the stream yields `round(input_frames * out_rate / in_rate)`
samples in total (soxr's streaming resampler flushes its tail on the last call), so times built from sample
positions stay exact over hours.

Errors from soundfile and PyAV are mapped to `voicekit.errors` in one place, `_decode_errors`; none leaks out.
A recording that breaks part-way (a truncated mp3, a corrupt packet at the end) yields what decodes before the
break, logs a warning and records it in `AudioStream.stopped_early`; if nothing decodes at all it is an
`AudioError`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, Protocol, Union

import av
import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr
from pydantic import BaseModel, ConfigDict, Field

from voicekit.audio.samples import SampleGuard
from voicekit.errors import AudioError, InputError

__all__ = [
    "UPLOAD_BITS",
    "AudioInfo",
    "AudioSource",
    "AudioStream",
    "DecodeOptions",
    "encode_flac",
    "expected_output_frames",
    "probe",
    "stream_audio",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
AudioSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]
"""A path, the bytes of a file, or a binary file object (read from its current position)."""

_MIN_GAP = 0.01
_MAX_GAP = 3600.0
"""A forward jump in PyAV frame timestamps between these (seconds) is filled with silence; a larger one is
taken for a broken timestamp and ignored."""
_SPOOL_BYTES = 16 * 1024 * 1024
"""A non-seekable file object is copied to a temporary file; up to this many bytes stay in memory."""


@dataclass(frozen=True)
class AudioInfo:
    """What a recording is, read from its header (nothing is decoded)."""

    duration: float | None
    """Seconds, from the header; None when the container does not say (some streamed webm/ogg files)."""
    sample_rate: int
    channels: int
    format: str
    """Container name: "WAV", "FLAC", "OGG", "MP3" (soundfile) or FFmpeg's name ("mov,mp4,m4a,3gp,3g2,mj2")."""
    codec: str
    """Codec or sample encoding: "PCM_16", "VORBIS", "MPEG_LAYER_III" (soundfile) or FFmpeg's ("aac", "opus")."""
    frames: int | None
    """Frames per channel from the header, when known; a decoder may deliver a few more or fewer."""
    decoder: Literal["soundfile", "av"]
    """Which library decodes it."""


class DecodeOptions(BaseModel):
    """How `stream_audio` delivers samples."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sample_rate: int | None = Field(default=16000, gt=0)
    """Output rate in Hz; None keeps the recording's own rate. Whisper wants 16000."""
    channel: Literal["mix"] | int = "mix"
    """"mix" averages all channels into one; an integer (0-based) keeps only that channel."""
    block_seconds: float = Field(default=10.0, gt=0.0, le=600.0)
    """Length of each decoded block, in seconds of the recording; it bounds the memory used while decoding."""


def expected_output_frames(input_frames: int, in_rate: int, out_rate: int) -> int:
    """The number of samples a stream yields for `input_frames` at `in_rate` resampled to `out_rate`."""
    return round(input_frames * out_rate / in_rate)


# ---------------------------------------------------------------------------------------------------- errors


def _describe(source: object) -> str:
    """A short name for a source in messages: the path, the byte count, or the file object's name."""
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes of audio>"
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str) else f"<{type(source).__name__}>"


@contextlib.contextmanager
def _decode_errors(what: str, problem: str = "cannot decode the audio") -> Iterator[None]:
    """The one boundary where soundfile and PyAV errors become `AudioError` (with the source named)."""
    try:
        yield
    except (sf.SoundFileError, av.FFmpegError) as exc:
        raise AudioError(f"{what}: {problem} ({exc}).") from exc


# ---------------------------------------------------------------------------------------------------- sources


@dataclass
class _Opened:
    """A source made ready for decoding: a path, or a seekable binary file positioned at `start`."""

    target: str | IO[bytes]
    start: int
    owned: IO[bytes] | None

    def rewind(self) -> None:
        if not isinstance(self.target, str):
            self.target.seek(self.start)

    def close(self) -> None:
        if self.owned is not None:
            self.owned.close()


def _open_source(source: AudioSource) -> _Opened:
    """Check the source and make it seekable. A missing path is an `InputError`; an empty input an `AudioError`."""
    what = _describe(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{what}: no such file. Check the path.")
        if not path.is_file():
            raise InputError(f"{what}: not a regular file. Pass the path of an audio file.")
        if path.stat().st_size == 0:
            raise AudioError(f"{what}: the file is empty (0 bytes). It holds no audio.")
        return _Opened(str(path), 0, None)
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise AudioError("The audio data is empty (0 bytes).")
        buffer = io.BytesIO(bytes(source))
        return _Opened(buffer, 0, buffer)
    if not hasattr(source, "read"):
        raise InputError(f"Cannot read audio from {type(source).__name__}: pass a path, bytes or a binary file.")
    return _open_file_object(source, what)


def _open_file_object(source: IO[bytes], what: str) -> _Opened:
    """Use a seekable file as it is; copy a non-seekable one (a pipe) to a spooled temporary file."""
    if _seekable(source):
        start = source.tell()
        end = source.seek(0, os.SEEK_END)
        source.seek(start)
        if end <= start:
            raise AudioError(f"{what}: no audio data left to read (the input is empty or already read to its end).")
        return _Opened(source, start, None)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    shutil.copyfileobj(source, spool)
    if spool.tell() == 0:
        spool.close()
        raise AudioError(f"{what}: the stream is empty (0 bytes).")
    spool.seek(0)
    return _Opened(spool, 0, spool)


def _seekable(source: IO[bytes]) -> bool:
    try:
        return bool(source.seekable())
    except (AttributeError, OSError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------------- decoders


class _Decoder(Protocol):
    info: AudioInfo

    def blocks(self, frames: int) -> Iterator[FloatArray]:
        """Yield float32 arrays of shape (n, channels) at `info.sample_rate`, about `frames` long each."""
        ...

    def close(self) -> None: ...


class _SoundfileDecoder:
    """libsndfile: wav, flac, ogg (vorbis, opus), mp3 and other formats it knows."""

    def __init__(self, opened: _Opened) -> None:
        self._file = sf.SoundFile(opened.target)
        frames = int(self._file.frames)
        rate = int(self._file.samplerate)
        self.info = AudioInfo(
            duration=frames / rate if frames > 0 else None,
            sample_rate=rate,
            channels=int(self._file.channels),
            format=str(self._file.format),
            codec=str(self._file.subtype),
            frames=frames if frames > 0 else None,
            decoder="soundfile",
        )

    def blocks(self, frames: int) -> Iterator[FloatArray]:
        """Read until the decoder returns nothing (a header's frame count can promise more than a cut file has)."""
        while True:
            block = self._file.read(frames, dtype="float32", always_2d=True)
            if len(block) == 0:
                return
            yield block

    def close(self) -> None:
        self._file.close()


class _AvDecoder:
    """PyAV (FFmpeg): m4a/mp4 (AAC), webm (opus), mpeg and anything else with an audio track."""

    def __init__(self, opened: _Opened, what: str) -> None:
        self._container = av.open(opened.target, mode="r")
        if not self._container.streams.audio:
            self._container.close()
            raise AudioError(f"{what}: the file has no audio track.")
        self._stream = self._container.streams.audio[0]
        self.info = _av_info(self._container, self._stream)
        self.bad_packets = 0
        self.filled_seconds = 0.0

    def blocks(self, frames: int) -> Iterator[FloatArray]:
        """Decoded audio in blocks of at least `frames` frames (the last one shorter)."""
        pending: list[FloatArray] = []
        held = 0
        for array in self._arrays(frames):
            pending.append(array)
            held += len(array)
            if held >= frames:
                yield np.concatenate(pending)
                pending, held = [], 0
        if pending:
            yield np.concatenate(pending)

    def _arrays(self, frames: int) -> Iterator[FloatArray]:
        """Each decoded frame as planar float (n, channels); a forward jump in the timestamps (a recorder that
        dropped packets, a damaged stretch skipped) is filled with silence so that later times stay right."""
        resampler: av.AudioResampler | None = None
        expected: int | None = None  # where the next frame should start, in samples
        channels = rate = 0
        for frame in self._frames():
            if resampler is None:  # fix format, layout and rate from the first frame
                rate, channels = int(frame.sample_rate), int(frame.layout.nb_channels)
                resampler = av.AudioResampler(format="fltp", layout=frame.layout, rate=rate)
            start = _frame_start(frame, rate)
            if start is not None and expected is not None and _MIN_GAP * rate < start - expected <= _MAX_GAP * rate:
                yield from _silence(start - expected, channels, frames)
                self.filled_seconds += (start - expected) / rate
                expected = start
            elif expected is None:
                expected = start
            if expected is not None:
                expected += frame.samples
            for out in resampler.resample(frame):
                yield np.ascontiguousarray(out.to_ndarray().T, dtype=np.float32)
        if resampler is not None:
            for out in resampler.resample(None):
                yield np.ascontiguousarray(out.to_ndarray().T, dtype=np.float32)

    def _frames(self) -> Iterator[av.AudioFrame]:
        """Every decoded frame of the first audio track; a packet that fails to decode is skipped and counted."""
        for packet in self._container.demux(self._stream):
            try:
                decoded = packet.decode()
            except av.error.InvalidDataError:
                self.bad_packets += 1
                continue
            yield from decoded

    def close(self) -> None:
        if self.bad_packets:
            logger.warning("Skipped %d audio packets that failed to decode.", self.bad_packets)
        if self.filled_seconds:
            logger.warning("Filled %.3f s of gaps in the timestamps with silence.", self.filled_seconds)
        self._container.close()


def _frame_start(frame: av.AudioFrame, rate: int) -> int | None:
    """Where a decoded frame starts, in samples at `rate`, from its timestamp (None when it has none)."""
    if frame.pts is None or frame.time_base is None:
        return None
    return round(frame.pts * frame.time_base * rate)


def _silence(length: int, channels: int, frames: int) -> Iterator[FloatArray]:
    """`length` frames of silence in pieces of at most `frames`, so a long gap costs no memory."""
    for begin in range(0, length, frames):
        yield np.zeros((min(frames, length - begin), channels), dtype=np.float32)


def _av_info(container: av.container.InputContainer, stream: av.AudioStream) -> AudioInfo:
    """Header facts from FFmpeg; duration from the track, else from the container, else unknown."""
    rate = int(stream.codec_context.sample_rate or stream.rate or 0)
    duration: float | None = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    frames = int(stream.frames) if stream.frames else None
    return AudioInfo(
        duration=duration,
        sample_rate=rate,
        channels=int(stream.codec_context.channels or stream.channels or 0),
        format=str(container.format.name),
        codec=str(stream.codec_context.name),
        frames=frames,
        decoder="av",
    )


def _open_decoder(opened: _Opened, what: str) -> _Decoder:
    """soundfile when libsndfile knows the format (except MP3), PyAV otherwise; neither knowing it means it is not
    audio. MP3 goes to PyAV: libsndfile's mpg123 prints lines such as `[src/libmpg123/layer3.c:...] error:
    part2_3_length (928) too large` (and `Note: Illegal Audio-MPEG-Header` on a file that is not one) straight to
    the terminal, while FFmpeg decodes the same files quietly with the same frame count. So a source that looks
    like MP3 (by its name or its first bytes) never reaches libsndfile."""
    if _looks_like_mp3(opened):
        try:
            return _AvDecoder(opened, what)
        except av.FFmpegError as av_error:
            reason = getattr(av_error, "strerror", None) or str(av_error)
            raise AudioError(f"{what}: not a readable MP3 file (FFmpeg: {reason}). Pass a wav, flac, ogg, mp3, "
                             "m4a, mp4 or webm recording.") from av_error
    try:
        decoder = _SoundfileDecoder(opened)
        return decoder if decoder.info.format != "MP3" else _mp3_decoder(decoder, opened, what)
    except sf.SoundFileError as sf_error:
        opened.rewind()
        try:
            return _AvDecoder(opened, what)
        except av.FFmpegError as av_error:
            sf_reason = getattr(sf_error, "error_string", None) or str(sf_error)
            av_reason = getattr(av_error, "strerror", None) or str(av_error)
            raise AudioError(
                f"{what}: not a recognised audio file (libsndfile: {sf_reason}; FFmpeg: {av_reason}). "
                "Pass a wav, flac, ogg, mp3, m4a, mp4 or webm recording."
            ) from av_error


_MP3_NAMES = (".mp3", ".mp2", ".mpga")


def _looks_like_mp3(opened: _Opened) -> bool:
    """Whether the source is named as MP3 or starts as one: an ID3 tag, or an MPEG audio frame header (11 sync
    bits, then a layer that is not the reserved 00). A file object is left where it was."""
    if isinstance(opened.target, str):
        if Path(opened.target).suffix.lower() in _MP3_NAMES:
            return True
        with open(opened.target, "rb") as file:
            head = file.read(4)
    else:
        head = opened.target.read(4)
        opened.rewind()
    if head[:3] == b"ID3":
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def _mp3_decoder(soundfile_decoder: _SoundfileDecoder, opened: _Opened, what: str) -> _Decoder:
    """PyAV for an MP3 libsndfile opened; libsndfile's decoder if FFmpeg cannot open it."""
    soundfile_decoder.close()
    opened.rewind()
    try:
        return _AvDecoder(opened, what)
    except (av.FFmpegError, AudioError):
        opened.rewind()
        return _SoundfileDecoder(opened)


# ---------------------------------------------------------------------------------------------------- public


def probe(source: AudioSource) -> AudioInfo:
    """Read a recording's header: duration, rate, channels, format. A file object is left where it was."""
    what = _describe(source)
    opened = _open_source(source)
    try:
        with _decode_errors(what):
            decoder = _open_decoder(opened, what)
            decoder.close()
        return decoder.info
    finally:
        opened.rewind()
        opened.close()


class AudioStream:
    """Mono float32 blocks of one recording at `sample_rate`, decoded as they are read. Read it once.

    Use it as a context manager (or read it to the end) so the file is closed. After reading,
    `input_frames` and `output_frames` hold the exact counts and `stopped_early` the reason decoding
    stopped before the end of the file, if it did.
    """

    def __init__(self, source: AudioSource, options: DecodeOptions) -> None:
        self.options = options
        self._what = _describe(source)
        self._started = False
        self._closed = False
        self.input_frames = 0
        self.output_frames = 0
        self.stopped_early: str | None = None
        self.repaired_samples = 0
        """NaN or infinite samples set to 0 as they were decoded (see `voicekit.audio.samples`)."""
        self._opened = _open_source(source)
        try:
            with _decode_errors(self._what):
                self._decoder = _open_decoder(self._opened, self._what)
        except BaseException:
            self._opened.close()
            raise
        self.info = self._decoder.info
        self._check_layout()
        self.sample_rate: int = options.sample_rate or self.info.sample_rate

    def _check_layout(self) -> None:
        channel = self.options.channel
        if self.info.sample_rate <= 0 or self.info.channels <= 0:
            self.close()
            raise AudioError(f"{self._what}: the header gives no sample rate or channel count.")
        if channel != "mix" and not 0 <= channel < self.info.channels:
            channels = self.info.channels
            self.close()
            raise InputError(
                f"{self._what}: channel {channel} does not exist; the recording has {channels} "
                f"channel(s), numbered from 0."
            )

    def __iter__(self) -> Iterator[FloatArray]:
        if self._started:
            raise InputError("An AudioStream can be read only once; call stream_audio() again.")
        self._started = True
        return self._generate()

    def _generate(self) -> Iterator[FloatArray]:
        """Pick or mix channels, resample, count; close the file whatever happens."""
        guard = SampleGuard(self._what)
        try:
            resampler = self._resampler()
            for block in self._decoded_blocks():
                self.input_frames += len(block)
                out = guard.repair(self._to_mono(block))
                if resampler is not None:
                    out = resampler.resample_chunk(out)
                if len(out):
                    self.output_frames += len(out)
                    yield out
            if self.input_frames == 0:
                raise AudioError(f"{self._what}: no audio samples could be decoded (empty or cut too short).")
            if resampler is not None:
                tail = resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
                if len(tail):
                    self.output_frames += len(tail)
                    yield tail
            guard.report()
            self.repaired_samples = guard.repaired
        finally:
            self.close()

    def _decoded_blocks(self) -> Iterator[FloatArray]:
        """The decoder's blocks; an error after some audio was decoded ends the stream instead of failing it."""
        frames = max(1, round(self.options.block_seconds * self.info.sample_rate))
        try:
            with _decode_errors(self._what):
                yield from self._decoder.blocks(frames)
            return
        except AudioError as exc:
            if self.input_frames > 0:
                self.stopped_early = str(exc)
                logger.warning("Decoding stopped early, keeping %d frames: %s", self.input_frames, exc)
                return
            if not self._switch_to_av():
                raise
        yield from self._decoded_blocks()

    def _switch_to_av(self) -> bool:
        """After libsndfile failed on the first block, try FFmpeg, which resynchronises after damaged frames."""
        if not isinstance(self._decoder, _SoundfileDecoder):
            return False
        with contextlib.suppress(sf.SoundFileError):
            self._decoder.close()
        self._opened.rewind()
        try:
            decoder = _AvDecoder(self._opened, self._what)
        except (av.FFmpegError, AudioError):
            return False
        same = (decoder.info.sample_rate, decoder.info.channels) == (self.info.sample_rate, self.info.channels)
        if not same:
            decoder.close()
            return False
        self._decoder = decoder
        return True

    def _resampler(self) -> soxr.ResampleStream | None:
        if self.sample_rate == self.info.sample_rate:
            return None
        return soxr.ResampleStream(self.info.sample_rate, self.sample_rate, 1, dtype="float32", quality="HQ")

    def _to_mono(self, block: FloatArray) -> FloatArray:
        """One channel as chosen: the mean of all channels for "mix", else the numbered channel."""
        if self.options.channel != "mix":
            return np.ascontiguousarray(block[:, self.options.channel], dtype=np.float32)
        mono = np.array(block[:, 0], dtype=np.float32)
        if block.shape[1] > 1:  # column sums: much faster than block.mean(axis=1) on (n, 2) arrays
            for channel in range(1, block.shape[1]):
                mono += block[:, channel]
            mono *= np.float32(1.0 / block.shape[1])
        return mono

    def close(self) -> None:
        """Release the file. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(sf.SoundFileError, av.FFmpegError):
            self._decoder.close()
        self._opened.close()

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AudioStream({self._what!r}, {self.info.sample_rate} Hz -> {self.sample_rate} Hz mono)"


def stream_audio(source: AudioSource, options: DecodeOptions | None = None) -> AudioStream:
    """Open a recording for block-by-block decoding. Problems with the file are raised here, before any block."""
    return AudioStream(source, options or DecodeOptions())


UPLOAD_BITS: Literal[24] = 24
"""Bit depth of the FLAC a window is uploaded as for transcription (FLAC allows 24; the APIs take any FLAC)."""


def encode_flac(samples: npt.ArrayLike, sample_rate: int, bits: Literal[16, 24] = 16) -> bytes:
    """16-bit (or 24-bit) FLAC in memory. Samples are float in [-1, 1] (clipped), shape (n,) or (n, channels).

    24 bits keep a window's float samples to within 1e-7, so a transcription server hears what a local model
    would; 16 bits change them by up to 3e-5, enough to flip a word Whisper was unsure of."""
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim not in (1, 2) or data.shape[0] == 0:
        raise InputError(f"encode_flac needs a non-empty 1-D or 2-D array, not shape {data.shape}.")
    if not 1 <= sample_rate <= 655350:
        raise InputError(f"FLAC cannot store a sample rate of {sample_rate} Hz.")
    if not np.isfinite(data).all():
        raise InputError("encode_flac: the samples contain NaN or infinity.")
    buffer = io.BytesIO()
    with _decode_errors("encode_flac", "libsndfile cannot write the FLAC"):
        sf.write(buffer, np.clip(data, -1.0, 1.0), sample_rate, format="FLAC", subtype=f"PCM_{bits}")
    return buffer.getvalue()
