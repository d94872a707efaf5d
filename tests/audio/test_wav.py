"""The WAV codec against bodies written by other tools (stdlib `wave`, libsndfile) and hand-built cases."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from shared_data import shared_data

from voicekit import Audio
from voicekit.audio.wav import encode_wav, parse_wav
from voicekit.errors import AudioError

RNG = np.random.default_rng(20261126)


def _stdlib_wav(ints: npt.NDArray[np.integer], width: int, channels: int, rate: int) -> bytes:
    """A PCM WAV written by Python's `wave` module (44-byte header); `ints` hold the raw sample values."""
    if width == 1:
        raw = (ints.astype(np.int16) + 128).astype(np.uint8).tobytes()
    elif width == 3:
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints.reshape(-1))
    else:
        raw = ints.astype(f"<i{width}").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(raw)
    return buffer.getvalue()


def _soundfile_wav(samples: npt.NDArray[np.floating], rate: int, subtype: str, fmt: str = "WAV") -> bytes:
    """A WAV written by libsndfile (float files carry `fact` and `PEAK` chunks; WAVEX is extensible)."""
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, subtype=subtype, format=fmt)
    return buffer.getvalue()


def _chunk(chunk_id: bytes, payload: bytes, declared: int | None = None) -> bytes:
    """A RIFF chunk with its pad byte when the payload is odd; `declared` overrides the size field."""
    size = len(payload) if declared is None else declared
    pad = b"\x00" if len(payload) % 2 else b""
    return chunk_id + struct.pack("<I", size) + payload + pad


def _riff(*chunks: bytes, riff_size: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


def _fmt_pcm16(channels: int = 1, rate: int = 16000) -> bytes:
    return _chunk(b"fmt ", struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16))


# ------------------------------------------------------------------------------ encodings, read back exactly


@pytest.mark.parametrize(("width", "channels"), [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (4, 1), (4, 3)])
def test_stdlib_pcm_reads_back_exactly(width: int, channels: int) -> None:
    bits = 8 * width
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1)
    ints = RNG.integers(low, high, size=(500, channels), dtype=np.int64)
    ints[0] = low  # the extremes land exactly on -1 and on (2^(bits-1) - 1) / 2^(bits-1)
    ints[1] = high - 1
    audio = parse_wav(_stdlib_wav(ints, width, channels, 22050))
    assert audio.sample_rate == 22050
    assert audio.channels == channels
    assert audio.samples.dtype == np.float32
    expected = (ints / 2 ** (bits - 1)).astype(np.float32)
    assert audio.samples.shape == ((500,) if channels == 1 else (500, channels))
    np.testing.assert_array_equal(audio.samples.reshape(500, channels), expected)
    assert audio.samples.min() == -1.0
    if bits <= 24:  # float32 holds 24 significant bits: 32-bit full scale rounds to 1.0
        assert audio.samples.max() < 1.0


@pytest.mark.parametrize(
    ("subtype", "fmt"),
    [
        ("PCM_U8", "WAV"),
        ("PCM_16", "WAV"),
        ("PCM_24", "WAV"),
        ("PCM_32", "WAV"),
        ("FLOAT", "WAV"),
        ("DOUBLE", "WAV"),
        ("PCM_16", "WAVEX"),
        ("PCM_24", "WAVEX"),
        ("FLOAT", "WAVEX"),
        ("DOUBLE", "WAVEX"),
    ],
)
@pytest.mark.parametrize("channels", [1, 2])
def test_soundfile_encodings_match_soundfile_reading(subtype: str, fmt: str, channels: int) -> None:
    signal = 0.9 * np.sin(np.linspace(0, 60, 4000 * channels)).reshape(4000, channels)
    body = _soundfile_wav(signal.squeeze(), 44100, subtype, fmt)
    if fmt == "WAVEX":
        assert struct.unpack_from("<H", body, 20)[0] == 0xFFFE  # really the extensible wrapper
    audio = parse_wav(body)
    reference, rate = sf.read(io.BytesIO(body), dtype="float32")
    assert audio.sample_rate == rate == 44100
    assert audio.samples.shape == reference.shape
    np.testing.assert_array_equal(audio.samples, reference)
    np.testing.assert_allclose(audio.samples, signal.squeeze(), atol=2 / 128)


def test_float_beyond_full_scale_is_clipped() -> None:
    body = _soundfile_wav(np.array([1.5, -2.0, 0.25], dtype=np.float32), 8000, "FLOAT")
    np.testing.assert_array_equal(parse_wav(body).samples, np.array([1.0, -1.0, 0.25], dtype=np.float32))


def test_real_recordings_match_soundfile() -> None:
    names = ["en_jfk_16k_mono.wav", "en_stereo_diarization_2spk.wav", "en_timit_LDC93S1.wav"]
    for name in names:
        body = shared_data("audio", name).read_bytes()
        audio = parse_wav(body)
        reference, rate = sf.read(shared_data("audio", name), dtype="float32")
        assert audio.sample_rate == rate, name
        np.testing.assert_array_equal(audio.samples, reference, err_msg=name)


# ------------------------------------------------------------------------------------------ Orpheus layout


def test_streamed_encoding_has_the_orpheus_byte_layout() -> None:
    samples = (RNG.integers(-32768, 32768, size=2400) / 32768).astype(np.float32)
    body = encode_wav(Audio(samples, 24000), streamed=True)
    assert body[0:4] == b"RIFF"
    assert body[4:8] == b"\xff\xff\xff\xff"
    assert body[8:12] == b"WAVE"
    assert body[12:16] == b"fmt "
    tag, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", body, 20)
    assert (tag, channels, rate, byte_rate, align, bits) == (1, 1, 24000, 48000, 2, 16)
    assert body.find(b"data") == 78
    assert body[36:40] == b"LIST"
    list_size = struct.unpack_from("<I", body, 40)[0]
    assert 44 + list_size == 78  # the LIST chunk fills exactly the gap
    assert body[44:52] == b"INFOISFT"
    assert body[82:86] == b"\xff\xff\xff\xff"
    assert len(body) == 86 + 2 * 2400
    np.testing.assert_array_equal(np.frombuffer(body[86:], "<i2") / 32768, samples)


def test_soundfile_reads_the_streamed_encoding() -> None:
    samples = 0.5 * np.sin(np.arange(24000) * 2 * np.pi * 440 / 24000).astype(np.float32)
    body = encode_wav(Audio(samples, 24000), streamed=True)
    info = sf.info(io.BytesIO(body))
    assert (info.samplerate, info.channels, info.subtype) == (24000, 1, "PCM_16")
    read, rate = sf.read(io.BytesIO(body), dtype="float32")
    assert rate == 24000
    assert read.shape == (24000,)
    np.testing.assert_allclose(read, samples, atol=1 / 32768)


def test_parses_a_streamed_body_with_a_trailing_partial_frame() -> None:
    ints = np.array([[1, -1], [300, -300], [32767, -32768]], dtype="<i2")
    body = _riff(_fmt_pcm16(channels=2, rate=24000), b"LIST" + struct.pack("<I", 4) + b"INFO",
                 b"data" + b"\xff\xff\xff\xff" + ints.tobytes() + b"\x07\x00\x09", riff_size=0xFFFFFFFF)
    audio = parse_wav(body)
    assert audio.samples.shape == (3, 2)
    np.testing.assert_array_equal(audio.samples * 32768, ints)


def test_data_size_zero_means_to_the_end() -> None:
    ints = np.arange(-50, 50, dtype="<i2")
    body = _riff(_fmt_pcm16(), b"data" + struct.pack("<I", 0) + ints.tobytes(), riff_size=0)
    np.testing.assert_array_equal(parse_wav(body).samples * 32768, ints)


def test_placeholder_riff_size_with_data_size_zero_runs_to_the_end() -> None:
    ints = np.array([1, 2, 3, -4], dtype="<i2")
    body = _riff(_fmt_pcm16(), b"data" + struct.pack("<I", 0) + ints.tobytes(), riff_size=36)  # header-only size
    np.testing.assert_array_equal(parse_wav(body).samples * 32768, ints)


def test_empty_data_chunk_followed_by_chunks_is_empty_not_noise() -> None:
    body = _riff(_fmt_pcm16(), _chunk(b"data", b""), _chunk(b"LIST", b"INFOISFT" + struct.pack("<I", 4) + b"abc\x00"))
    audio = parse_wav(body)
    assert audio.frames == 0
    assert sf.info(io.BytesIO(body)).frames == 0  # libsndfile reads it the same way


def test_plain_encoding_sizes_are_exact() -> None:
    audio = Audio(np.zeros((10, 2), dtype=np.float32), 48000)
    body = encode_wav(audio)
    assert len(body) == 44 + 40
    assert struct.unpack_from("<I", body, 4)[0] == len(body) - 8
    assert body[36:40] == b"data"
    assert struct.unpack_from("<I", body, 40)[0] == 40
    with wave.open(io.BytesIO(body)) as reader:
        assert (reader.getnchannels(), reader.getframerate(), reader.getnframes()) == (2, 48000, 10)


def test_encoding_clips_out_of_range_and_nan() -> None:
    audio = Audio(np.array([2.0, -3.0, np.nan, 0.5], dtype=np.float32), 8000)
    ints = np.frombuffer(encode_wav(audio)[44:], "<i2")
    np.testing.assert_array_equal(ints, [32767, -32768, 0, 16384])


# ----------------------------------------------------------------------------------------- chunk walking


def test_unknown_chunks_with_odd_sizes_are_skipped() -> None:
    ints = np.array([5, -5, 1000, -1000, 12345], dtype="<i2")
    body = _riff(
        _chunk(b"JUNK", b"abc"),  # odd: one pad byte follows
        _fmt_pcm16(rate=11025),
        _chunk(b"LIST", b"INFOISFT" + struct.pack("<I", 5) + b"tool\x00"),  # odd (17 bytes)
        _chunk(b"fact", struct.pack("<I", 5)),
        _chunk(b"data", ints.tobytes()),
        _chunk(b"id3 ", b"trailing metadata"),  # after data, finite sizes: ignored
    )
    audio = parse_wav(body)
    assert audio.sample_rate == 11025
    np.testing.assert_array_equal(audio.samples * 32768, ints)
    read, _ = sf.read(io.BytesIO(body), dtype="int16")  # libsndfile agrees on the same bytes
    np.testing.assert_array_equal(read, ints)


def test_odd_sized_data_chunk_keeps_whole_frames() -> None:
    body = _riff(_fmt_pcm16(), _chunk(b"data", struct.pack("<h", -7) + b"\x01"))
    np.testing.assert_array_equal(parse_wav(body).samples * 32768, [-7])


# ------------------------------------------------------------------------------------------------- errors


def test_truncated_body_is_an_error() -> None:
    body = _stdlib_wav(np.arange(1000), 2, 1, 16000)
    with pytest.raises(AudioError, match="truncated"):
        parse_wav(body[:-100])


def test_truncated_chunk_before_data_is_an_error() -> None:
    body = _riff(_fmt_pcm16(), b"LIST" + struct.pack("<I", 1000) + b"INFO")
    with pytest.raises(AudioError, match="truncated"):
        parse_wav(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"RIFF",
        b"ID3\x04\x00\x00\x00\x00\x00\x00 an mp3 would go on here",
        b"RIFF\x10\x00\x00\x00AVI LIST\x00\x00\x00\x00",
        b'{"error": {"message": "not audio"}}',
    ],
    ids=["empty", "short", "mp3", "avi", "json"],
)
def test_not_wav_is_an_error(body: bytes) -> None:
    with pytest.raises(AudioError, match="not a WAV body"):
        parse_wav(body)


def test_flac_is_not_wav() -> None:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(100), 16000, format="FLAC")
    with pytest.raises(AudioError, match="not a WAV body"):
        parse_wav(buffer.getvalue())


def test_missing_fmt_or_data_is_an_error() -> None:
    with pytest.raises(AudioError, match="no 'fmt ' chunk"):
        parse_wav(_riff(_chunk(b"data", b"\x00\x00" * 4)))
    with pytest.raises(AudioError, match="no 'data' chunk"):
        parse_wav(_riff(_fmt_pcm16(), _chunk(b"LIST", b"INFO")))


def test_zero_channels_is_an_error() -> None:
    body = _riff(_fmt_pcm16(channels=0), _chunk(b"data", b"\x00" * 8))
    with pytest.raises(AudioError, match="zero channels"):
        parse_wav(body)


@pytest.mark.parametrize(
    ("subtype", "name"), [("ULAW", "mu-law"), ("ALAW", "A-law"), ("IMA_ADPCM", "IMA ADPCM")]
)
def test_unsupported_encoding_is_an_error(subtype: str, name: str) -> None:
    body = _soundfile_wav(np.zeros(1000), 8000, subtype)
    with pytest.raises(AudioError, match=f"unsupported WAV encoding: {name}"):
        parse_wav(body)


def test_unsupported_bit_depth_is_an_error() -> None:
    fmt = _chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 8000 * 2, 2, 12))
    with pytest.raises(AudioError, match="12-bit PCM"):
        parse_wav(_riff(fmt, _chunk(b"data", b"\x00" * 8)))


# --------------------------------------------------------------------------------------------- properties

_INT16_FRAMES = hnp.arrays(
    np.int16,
    st.tuples(st.integers(0, 300), st.integers(1, 4)),
    elements=st.integers(-32768, 32767),
)


@settings(max_examples=150, deadline=None)
@given(ints=_INT16_FRAMES, streamed=st.booleans(), rate=st.sampled_from([8000, 16000, 22050, 24000, 48000]))
def test_int16_round_trips_exactly(ints: npt.NDArray[np.int16], streamed: bool, rate: int) -> None:
    channels = ints.shape[1]
    samples = ints / np.float32(32768) if channels > 1 else ints[:, 0] / np.float32(32768)
    body = encode_wav(Audio(samples, rate), streamed=streamed)
    audio = parse_wav(body)
    assert audio.sample_rate == rate
    assert audio.channels == channels
    assert audio.frames == ints.shape[0]
    np.testing.assert_array_equal((audio.samples * 32768).astype(np.int16).reshape(ints.shape), ints)
