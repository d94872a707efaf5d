"""A robust WAV codec: read any RIFF/WAVE body by walking its chunks, write 16-bit PCM.

Reading never assumes a 44-byte header. Groq's Orpheus TTS, for example, streams 24 kHz mono 16-bit PCM
whose `data` chunk starts at byte 78 (a `LIST` chunk sits between `fmt ` and `data`) and whose RIFF and data
sizes are 0xFFFFFFFF, meaning "until the end of the body". Rate, channels and bit depth come from `fmt `.

Supported encodings: integer PCM of 8, 16, 24 and 32 bits, IEEE float of 32 and 64 bits, and both of these
inside WAVE_FORMAT_EXTENSIBLE. Anything else, or a body that is not WAV, raises `AudioError`; nothing returns
noise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from voicekit.audio.model import Audio, to_int16
from voicekit.errors import AudioError

__all__ = ["WavFormat", "encode_wav", "parse_wav"]

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE

UNTIL_END = 0xFFFFFFFF
"""A chunk size that streaming writers use for "unknown length: until the end of the body"."""

_MAX_DATA_SIZE = UNTIL_END - 36
"""The most PCM bytes whose RIFF size (4 + fmt chunk + data header + data) still fits in 32 bits."""

STREAMED_DATA_OFFSET = 78
"""Where Orpheus puts the `data` chunk header; `encode_wav(streamed=True)` reproduces it."""

_KSDATAFORMAT_TAIL = b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
"""Bytes 4..16 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..2 hold the plain format tag."""

_SUPPORTED_BITS = {WAVE_FORMAT_PCM: (8, 16, 24, 32), WAVE_FORMAT_IEEE_FLOAT: (32, 64)}
_FORMAT_NAMES = {0x0002: "MS ADPCM", 0x0006: "A-law", 0x0007: "mu-law", 0x0011: "IMA ADPCM", 0x0055: "MP3"}


@dataclass(frozen=True)
class WavFormat:
    """What the `fmt ` chunk says, with the extensible wrapper already resolved to its real format tag."""

    format_tag: int
    channels: int
    sample_rate: int
    bits_per_sample: int

    @property
    def sample_width(self) -> int:
        """Bytes per sample of one channel (the container size, e.g. 3 for 24-bit)."""
        return self.bits_per_sample // 8

    @property
    def frame_size(self) -> int:
        """Bytes per frame (one sample of every channel)."""
        return self.sample_width * self.channels


@dataclass(frozen=True)
class _Chunk:
    """One chunk found while walking: its id, where its payload starts, and its declared size."""

    chunk_id: bytes
    start: int
    size: int
    open_ended: bool = False
    """A `data` chunk whose size field means "until the end of the body"."""


# ------------------------------------------------------------------------------------------------- reading


def parse_wav(data: bytes) -> Audio:
    """Decode a WAV body into float32 samples in [-1, 1]: shape (n,) for mono, (n, channels) otherwise.

    A data size of 0xFFFFFFFF or 0 means "to the end of the body" (a trailing partial frame is dropped); 0 is
    taken literally only when a finite RIFF size declares chunks after the data. A finite data size larger than
    the bytes present is a truncated body and raises `AudioError`, as does a body that is not RIFF/WAVE, lacks
    `fmt ` or `data`, or uses an encoding this codec does not read.
    """
    view = memoryview(data)
    _check_riff_header(view)
    (riff_size,) = struct.unpack_from("<I", view, 4)
    fmt_chunk, data_chunk = _find_fmt_and_data(view, riff_size)
    fmt = _parse_fmt(view[fmt_chunk.start : fmt_chunk.start + fmt_chunk.size])
    payload = _data_payload(view, data_chunk, fmt)
    samples = _decode_samples(payload, fmt)
    if fmt.channels > 1:
        samples = samples.reshape(-1, fmt.channels)
    return Audio(samples=samples, sample_rate=fmt.sample_rate)


def _check_riff_header(view: memoryview) -> None:
    """A WAV body starts with `RIFF`, a 4-byte size (not trusted), then `WAVE`."""
    if len(view) < 12:
        raise AudioError(f"not a WAV body: {len(view)} bytes is shorter than a RIFF header")
    magic, form = bytes(view[0:4]), bytes(view[8:12])
    if magic == b"RF64":
        raise AudioError("RF64 (64-bit WAV) is not supported: convert it to WAV or FLAC first")
    if magic != b"RIFF" or form != b"WAVE":
        raise AudioError(f"not a WAV body: it starts with {bytes(view[0:12])!r}, not RIFF....WAVE")


def _is_open_ended(size: int, start: int, riff_size: int) -> bool:
    """Whether a `data` size means "until the end of the body".

    0xFFFFFFFF always does. 0 does too (streaming writers leave it as a placeholder), unless the RIFF size is
    finite and declares bytes beyond this data header: then the data chunk really is empty and chunks follow.
    """
    if size == UNTIL_END:
        return True
    riff_declares_more = riff_size not in (0, UNTIL_END) and 8 + riff_size > start
    return size == 0 and not riff_declares_more


def _walk_chunks(view: memoryview, riff_size: int) -> list[_Chunk]:
    """List the chunks after the RIFF header, in order.

    Rules kept: a chunk of odd size is followed by one pad byte; the walk stops at a `data` chunk whose size
    means "until the end" (nothing can follow it), and at a trailing fragment too short to be a chunk header.
    A chunk that runs past the end of the body is still listed (the caller decides whether that matters).
    """
    chunks: list[_Chunk] = []
    offset = 12
    while offset + 8 <= len(view):
        chunk_id = bytes(view[offset : offset + 4])
        (size,) = struct.unpack_from("<I", view, offset + 4)
        if chunk_id == b"data" and _is_open_ended(size, offset + 8, riff_size):
            chunks.append(_Chunk(chunk_id, offset + 8, size, open_ended=True))
            break
        chunk = _Chunk(chunk_id, offset + 8, size)
        chunks.append(chunk)
        offset = chunk.start + size + (size & 1)
    return chunks


def _find_fmt_and_data(view: memoryview, riff_size: int) -> tuple[_Chunk, _Chunk]:
    """Pick the first `fmt ` and the first `data` chunk; unknown chunks (LIST, fact, cue, ...) are ignored."""
    fmt_chunk: _Chunk | None = None
    data_chunk: _Chunk | None = None
    for chunk in _walk_chunks(view, riff_size):
        if chunk.chunk_id == b"fmt " and fmt_chunk is None:
            fmt_chunk = chunk
        elif chunk.chunk_id == b"data" and data_chunk is None:
            data_chunk = chunk
        elif data_chunk is None and chunk.start + chunk.size > len(view):
            raise AudioError(f"truncated WAV body: the {chunk.chunk_id!r} chunk runs past the end")
    if fmt_chunk is None:
        raise AudioError("not a usable WAV body: it has no 'fmt ' chunk")
    if data_chunk is None:
        raise AudioError("not a usable WAV body: it has no 'data' chunk")
    if fmt_chunk.start + fmt_chunk.size > len(view):
        raise AudioError("truncated WAV body: the 'fmt ' chunk runs past the end of the body")
    return fmt_chunk, data_chunk


def _parse_fmt(body: memoryview) -> WavFormat:
    """Read `fmt `: format tag (WAVE_FORMAT_EXTENSIBLE resolved to its sub-format), channels, rate, bits."""
    if len(body) < 16:
        raise AudioError(f"not a usable WAV body: the 'fmt ' chunk is {len(body)} bytes, fewer than 16")
    tag, channels, rate, _byte_rate, _block_align, bits = struct.unpack_from("<HHIIHH", body, 0)
    if tag == WAVE_FORMAT_EXTENSIBLE:
        tag = _extensible_subformat(body)
    fmt = WavFormat(format_tag=tag, channels=channels, sample_rate=rate, bits_per_sample=bits)
    _check_supported(fmt)
    return fmt


def _extensible_subformat(body: memoryview) -> int:
    """WAVE_FORMAT_EXTENSIBLE keeps the real format tag in the first two bytes of its sub-format GUID."""
    if len(body) < 40:
        raise AudioError("not a usable WAV body: WAVE_FORMAT_EXTENSIBLE needs a 'fmt ' chunk of 40 bytes")
    guid = bytes(body[24:40])
    if guid[4:] != _KSDATAFORMAT_TAIL:
        raise AudioError(f"unsupported WAV encoding: extensible sub-format {guid.hex()} is not PCM or float")
    (tag,) = struct.unpack_from("<H", guid, 0)
    return int(tag)


def _check_supported(fmt: WavFormat) -> None:
    """Only PCM 8/16/24/32 and float 32/64, with at least one channel and a positive rate, are decoded."""
    if fmt.format_tag not in _SUPPORTED_BITS:
        name = _FORMAT_NAMES.get(fmt.format_tag, f"format tag 0x{fmt.format_tag:04x}")
        raise AudioError(f"unsupported WAV encoding: {name}; convert it to PCM WAV or FLAC first")
    if fmt.bits_per_sample not in _SUPPORTED_BITS[fmt.format_tag]:
        kind = "PCM" if fmt.format_tag == WAVE_FORMAT_PCM else "float"
        raise AudioError(f"unsupported WAV encoding: {fmt.bits_per_sample}-bit {kind}")
    if fmt.channels == 0:
        raise AudioError("not a usable WAV body: the 'fmt ' chunk declares zero channels")
    if fmt.sample_rate == 0:
        raise AudioError("not a usable WAV body: the 'fmt ' chunk declares a sample rate of 0")


def _data_payload(view: memoryview, chunk: _Chunk, fmt: WavFormat) -> memoryview:
    """The whole frames of the `data` chunk.

    An open-ended chunk runs to the end of the body; a finite size past the end is a truncated body. A
    trailing partial frame is dropped.
    """
    end = len(view)
    if not chunk.open_ended:
        end = chunk.start + chunk.size
        if end > len(view):
            missing = end - len(view)
            raise AudioError(
                f"truncated WAV body: the data chunk declares {chunk.size} bytes but {missing} are missing"
            )
    usable = (end - chunk.start) // fmt.frame_size * fmt.frame_size
    return view[chunk.start : chunk.start + usable]


def _decode_samples(payload: memoryview, fmt: WavFormat) -> npt.NDArray[np.float32]:
    """Convert little-endian samples to float32 in [-1, 1] (integers scaled by 2^(bits-1), floats clipped)."""
    values: npt.NDArray[np.floating[Any]]
    if fmt.format_tag == WAVE_FORMAT_IEEE_FLOAT:
        raw = np.frombuffer(payload, dtype=np.dtype("<f4" if fmt.bits_per_sample == 32 else "<f8"))
        values = np.clip(np.nan_to_num(raw, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    elif fmt.bits_per_sample == 8:
        values = (np.frombuffer(payload, dtype=np.uint8) - 128.0) / 128.0
    elif fmt.bits_per_sample == 24:
        values = _int24_to_int32(payload) / float(2**31)
    else:
        ints = np.frombuffer(payload, dtype=np.dtype("<i2" if fmt.bits_per_sample == 16 else "<i4"))
        values = ints / float(2 ** (fmt.bits_per_sample - 1))
    return values.astype(np.float32)


def _int24_to_int32(payload: memoryview) -> npt.NDArray[np.int32]:
    """Place each 3-byte little-endian sample in the top three bytes of an int32 (so the sign comes along)."""
    triples = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3)
    widened = np.zeros((triples.shape[0], 4), dtype=np.uint8)
    widened[:, 1:] = triples
    return widened.view("<i4").reshape(-1)


# ------------------------------------------------------------------------------------------------- writing


def encode_wav(audio: Audio, *, streamed: bool = False) -> bytes:
    """Encode `audio` as 16-bit PCM WAV, clipping samples to [-1, 1].

    With `streamed=True` the layout is exactly Orpheus's: a LIST/INFO chunk between `fmt ` and `data` puts the
    `data` header at byte 78, and the RIFF and data sizes are 0xFFFFFFFF ("until the end of the body").
    """
    pcm = to_int16(audio.samples).tobytes()
    fmt = _fmt_chunk(audio.channels, audio.sample_rate)
    if not streamed and len(pcm) > _MAX_DATA_SIZE:
        raise AudioError(f"{audio.duration:.0f} s is too long for a WAV file's 32-bit sizes: use streamed=True "
                         "or write FLAC")
    if streamed:
        body = fmt + _info_chunk(STREAMED_DATA_OFFSET - 12 - len(fmt))
        body += _chunk_header(b"data", UNTIL_END) + pcm
        return b"RIFF" + struct.pack("<I", UNTIL_END) + b"WAVE" + body
    body = fmt + _chunk_header(b"data", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def _chunk_header(chunk_id: bytes, size: int) -> bytes:
    """Four-byte id then the little-endian 32-bit payload size."""
    return chunk_id + struct.pack("<I", size)


def _fmt_chunk(channels: int, sample_rate: int) -> bytes:
    """A 16-byte WAVE_FORMAT_PCM `fmt ` chunk for 16-bit samples."""
    block_align = 2 * channels
    payload = struct.pack("<HHIIHH", WAVE_FORMAT_PCM, channels, sample_rate, sample_rate * block_align,
                          block_align, 16)
    return _chunk_header(b"fmt ", len(payload)) + payload


def _info_chunk(total_size: int) -> bytes:
    """A LIST/INFO chunk of exactly `total_size` bytes holding one ISFT (software) tag, NUL padded."""
    text_size = total_size - 8 - 4 - 8
    text = b"voicekit".ljust(text_size, b"\x00")
    payload = b"INFO" + _chunk_header(b"ISFT", text_size) + text
    return _chunk_header(b"LIST", len(payload)) + payload
