"""Decoding real recordings in blocks: formats, resampling, channels, exact sample counts, errors."""

from __future__ import annotations

import io
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from shared_data import SHARED_DATA, shared_data

from voicekit.audio.io import (
    AudioStream,
    DecodeOptions,
    encode_flac,
    expected_output_frames,
    probe,
    stream_audio,
)
from voicekit.audio.model import read_audio
from voicekit.errors import AudioError, InputError

DATA = SHARED_DATA / "audio"
JFK_FLAC = DATA / "en_jfk_whisper.flac"  # 44.1 kHz stereo 24-bit
JFK_WAV = DATA / "en_jfk_16k_mono.wav"  # the same speech, 16 kHz mono 16-bit
BUSH_OGG = DATA / "en_long_bush_columbia_address_3m19s.ogg"  # 22.05 kHz stereo Vorbis
SPANISH_MP3 = DATA / "es_librivox_capitan_veneno_dedicatoria.mp3"  # 44.1 kHz mono
TWO_SPEAKERS = DATA / "en_stereo_diarization_2spk.wav"  # one speaker per channel


def need(path: Path) -> Path:
    return shared_data("audio", path.name)


def decode_all(source: object, options: DecodeOptions | None = None) -> tuple[np.ndarray, AudioStream]:
    with stream_audio(source, options) as stream:  # type: ignore[arg-type]
        blocks = list(stream)
    for block in blocks:
        assert block.dtype == np.float32 and block.ndim == 1
    return np.concatenate(blocks), stream


def write_with_pyav(path: Path, samples: np.ndarray, rate: int, container: str, codec: str) -> None:
    """Encode stereo float samples (n, 2) with FFmpeg through PyAV (what a video call app would give us)."""
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="stereo", rate=rate)
        for begin in range(0, len(samples), 4096):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[begin : begin + 4096].T), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            for converted in resampler.resample(frame):
                out.mux(stream.encode(converted))
        out.mux(stream.encode(None))


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    return float(np.corrcoef(a[:n], b[:n])[0, 1])


# ---------------------------------------------------------------------------------------------------- formats


def test_flac_24bit_stereo_44k_is_resampled_and_mixed_to_the_16k_mono_original() -> None:
    info = probe(need(JFK_FLAC))
    assert (info.sample_rate, info.channels, info.format, info.codec) == (44100, 2, "FLAC", "PCM_24")
    assert info.duration == pytest.approx(11.0) and info.decoder == "soundfile"

    samples, stream = decode_all(JFK_FLAC)
    assert stream.input_frames == 485100
    assert len(samples) == stream.output_frames == expected_output_frames(485100, 44100, 16000) == 176000
    # whisper.cpp's jfk.wav is the same speech at 16 kHz mono: our mix-down + soxr must reproduce it
    reference, _ = sf.read(need(JFK_WAV), dtype="float32")
    assert correlation(samples, reference) > 0.999
    assert np.abs(samples - reference).max() < 0.01


def test_ogg_vorbis_22k_stereo_streams_in_bounded_blocks_with_exact_count() -> None:
    info = probe(need(BUSH_OGG))
    assert (info.sample_rate, info.channels, info.format, info.codec) == (22050, 2, "OGG", "VORBIS")
    assert info.duration == pytest.approx(198.73, abs=0.01)

    with stream_audio(BUSH_OGG, DecodeOptions(block_seconds=5.0)) as stream:
        sizes = [len(block) for block in stream]
    assert stream.input_frames == info.frames
    assert sum(sizes) == expected_output_frames(stream.input_frames, 22050, 16000)
    assert max(sizes) <= 5.1 * 16000  # one block of the recording at a time (soxr output varies a little)
    assert len(sizes) == pytest.approx(198.73 / 5, abs=2)


def test_keeping_the_source_rate_and_any_block_size_gives_the_same_samples() -> None:
    whole, stream = decode_all(need(BUSH_OGG), DecodeOptions(sample_rate=None, block_seconds=60))
    assert stream.sample_rate == 22050 and len(whole) == stream.input_frames
    small, _ = decode_all(BUSH_OGG, DecodeOptions(sample_rate=None, block_seconds=1.3))
    np.testing.assert_array_equal(whole, small)
    # resampled with odd block edges: same count, no clicks at block edges (equal to a one-block decode)
    a, _ = decode_all(need(JFK_FLAC), DecodeOptions(block_seconds=0.37))
    b, _ = decode_all(JFK_FLAC, DecodeOptions(block_seconds=60))
    assert len(a) == len(b) == expected_output_frames(485100, 44100, 16000)
    assert np.abs(a - b).max() < 1e-5


def test_mp3_44k_decodes_to_its_full_length() -> None:
    info = probe(need(SPANISH_MP3))
    assert (info.sample_rate, info.channels, info.format, info.decoder) == (44100, 1, "mp3", "av")
    samples, stream = decode_all(SPANISH_MP3)
    assert stream.input_frames == 3097403
    assert len(samples) == expected_output_frames(3097403, 44100, 16000)
    assert len(samples) / 16000 == pytest.approx(70.24, abs=0.01)
    assert np.sqrt(np.mean(samples**2)) > 0.01  # speech, not silence


def test_16k_mono_wav_passes_through_unchanged() -> None:
    samples, stream = decode_all(need(JFK_WAV))
    reference, _ = sf.read(JFK_WAV, dtype="float32")
    np.testing.assert_array_equal(samples, reference)
    assert stream.sample_rate == 16000


def test_picking_a_channel_gives_that_speaker_and_mix_is_their_mean() -> None:
    need(TWO_SPEAKERS)
    left = read_audio(TWO_SPEAKERS, DecodeOptions(channel=0)).samples
    right = read_audio(TWO_SPEAKERS, DecodeOptions(channel=1)).samples
    mixed = read_audio(TWO_SPEAKERS).samples
    both, _ = sf.read(TWO_SPEAKERS, dtype="float32")
    np.testing.assert_array_equal(left, both[:, 0])
    np.testing.assert_array_equal(right, both[:, 1])
    assert abs(correlation(left, right)) < 0.1  # two different people
    np.testing.assert_allclose(mixed, (both[:, 0] + both[:, 1]) / 2, atol=1e-7)
    with pytest.raises(InputError, match="channel 2 does not exist"):
        stream_audio(TWO_SPEAKERS, DecodeOptions(channel=2))


@pytest.mark.parametrize(("suffix", "container", "codec"), [("m4a", "mp4", "aac"), ("webm", "webm", "libopus")])
def test_m4a_and_webm_from_a_video_call_decode_through_pyav(
    tmp_path: Path, suffix: str, container: str, codec: str
) -> None:
    speech, rate = sf.read(need(JFK_FLAC), dtype="float32")
    resampled = read_audio(JFK_FLAC, DecodeOptions(sample_rate=48000, channel=0)).samples
    path = tmp_path / f"call.{suffix}"
    write_with_pyav(path, np.stack([resampled, resampled], axis=1), 48000, container, codec)

    info = probe(path)
    assert info.decoder == "av" and info.sample_rate == 48000 and info.channels == 2
    assert info.duration == pytest.approx(11.0, abs=0.1)
    samples, stream = decode_all(path)
    assert len(samples) == stream.output_frames == expected_output_frames(stream.input_frames, 48000, 16000)
    assert len(samples) / 16000 == pytest.approx(11.0, abs=0.1)  # codec priming adds at most a few ms
    reference = read_audio(JFK_FLAC, DecodeOptions(channel=0)).samples
    lag = int(np.argmax(np.correlate(samples[16000:20000], reference[16000:18000], mode="valid")))
    assert correlation(samples[lag:], reference) > 0.95  # the same speech after the lossy codec
    assert rate == 44100


def test_bytes_and_file_objects_read_like_paths_and_probe_leaves_the_position() -> None:
    data = need(JFK_WAV).read_bytes()
    expected = read_audio(JFK_WAV).samples
    np.testing.assert_array_equal(read_audio(data).samples, expected)
    handle = io.BytesIO(b"junk" + data)
    handle.seek(4)
    assert probe(handle).frames == 176000
    assert handle.tell() == 4
    np.testing.assert_array_equal(read_audio(handle).samples, expected)


class Pipe(io.RawIOBase):
    """A readable stream that cannot seek, like stdin or a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 4096))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_non_seekable_stream_is_spooled_and_decoded() -> None:
    data = need(SPANISH_MP3).read_bytes()
    samples = read_audio(Pipe(data)).samples  # type: ignore[arg-type]
    assert len(samples) == expected_output_frames(3097403, 44100, 16000)


def test_a_stream_can_be_read_only_once() -> None:
    with stream_audio(need(JFK_WAV)) as stream:
        list(stream)
        with pytest.raises(InputError, match="only once"):
            iter(stream)


# ---------------------------------------------------------------------------------------------------- errors


def test_truncated_mp3_decodes_what_is_there_and_a_tiny_piece_is_an_error(tmp_path: Path) -> None:
    data = need(SPANISH_MP3).read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: int(len(data) * 0.3)])
    samples = read_audio(cut).samples
    assert 0.25 * 70.24 < len(samples) / 16000 < 0.35 * 70.24  # about 30 % of the recording, not padded
    tiny = tmp_path / "tiny.mp3"
    tiny.write_bytes(data[:200])
    with pytest.raises(AudioError, match="tiny.mp3"):
        read_audio(tiny)


@pytest.mark.parametrize(
    "content",
    [b"Minutes of the meeting.\nAttendees: everyone.\n" * 40, np.random.default_rng(7).bytes(20000)],
    ids=["text", "random-bytes"],
)
def test_a_file_that_is_not_audio_is_an_audio_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match="not a recognised audio file"):
        probe(path)
    with pytest.raises(AudioError, match="not a recognised audio file"):
        stream_audio(path)


def test_empty_inputs_and_missing_paths(tmp_path: Path) -> None:
    empty = tmp_path / "empty.m4a"
    empty.touch()
    with pytest.raises(AudioError, match="empty"):
        read_audio(empty)
    with pytest.raises(AudioError, match="empty"):
        read_audio(b"")
    with pytest.raises(InputError, match="no such file"):
        read_audio(tmp_path / "missing.mp3")
    with pytest.raises(InputError, match="not a regular file"):
        probe(tmp_path)
    silent_header = tmp_path / "zero.wav"
    sf.write(silent_header, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="no audio samples"):
        read_audio(silent_header)


def test_a_damaged_flac_is_decoded_around_the_damage_with_later_times_kept(tmp_path: Path) -> None:
    data = bytearray(need(JFK_FLAC).read_bytes())
    data[200_000:600_000] = np.random.default_rng(3).bytes(400_000)  # about 4 s of frames destroyed
    path = tmp_path / "damaged.flac"
    path.write_bytes(bytes(data))
    samples, stream = decode_all(path)  # libsndfile loses sync; FFmpeg resynchronises
    original = read_audio(JFK_FLAC).samples
    assert len(samples) == len(original)  # the lost stretch is silence, not removed
    np.testing.assert_allclose(samples[-3 * 16000 :], original[-3 * 16000 :], atol=1e-6)
    assert np.count_nonzero(samples == 0.0) > 3.5 * 16000  # about 4 s of frames could not be recovered
    assert np.count_nonzero(original == 0.0) < 0.1 * 16000
    assert stream.stopped_early is None


def test_a_gap_in_webm_timestamps_is_filled_with_silence(tmp_path: Path) -> None:
    """Browser recorders drop packets while a microphone is muted; the timestamps jump, and so must we."""
    rate = 48000
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(5 * rate) / rate)).astype(np.float32)
    path = tmp_path / "muted.webm"
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=rate)
        stream.layout = "mono"
        pts = 0
        for _ in range(2):  # 5 s of sound, 3 s with no packets, 5 s of sound
            for begin in range(0, len(tone), 960):
                frame = av.AudioFrame.from_ndarray(tone[None, begin : begin + 960], format="fltp", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = rate, pts, Fraction(1, rate)
                pts += 960
                out.mux(stream.encode(frame))
            pts += 3 * rate
        out.mux(stream.encode(None))
    samples = read_audio(path).samples
    assert len(samples) / 16000 == pytest.approx(13.0, abs=0.02)
    assert np.abs(samples[int(5.2 * 16000) : int(7.8 * 16000)]).max() == 0.0
    assert np.abs(samples[int(8.2 * 16000) : int(12.8 * 16000)]).min() < 0.01 < np.abs(samples[-16000:]).max()


def test_random_damage_never_leaks_a_library_exception(tmp_path: Path) -> None:
    original = need(BUSH_OGG).read_bytes()
    rng = np.random.default_rng(5)
    for trial in range(2):
        data = bytearray(original)
        begin = int(rng.integers(0, len(data) - 60_000))
        data[begin : begin + 50_000] = rng.bytes(50_000)
        try:
            samples = read_audio(bytes(data)).samples
        except AudioError:
            continue  # a clear error is acceptable
        assert len(samples) > 0, f"trial {trial}"


# ---------------------------------------------------------------------------------------------------- FLAC


def test_encode_flac_round_trips_at_16_bit_and_clips() -> None:
    speech = read_audio(need(JFK_WAV)).samples
    data = encode_flac(speech, 16000)
    assert data[:4] == b"fLaC"
    back, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert rate == 16000 and len(back) == len(speech)
    assert np.abs(back - speech).max() <= 1 / 32768
    assert len(data) < 0.7 * len(speech) * 2  # smaller than 16-bit WAV
    loud, _ = sf.read(io.BytesIO(encode_flac(np.array([2.0, -3.0, 0.5], dtype=np.float32), 16000)))
    np.testing.assert_allclose(loud, [32767 / 32768, -1.0, 0.5], atol=1 / 32768)


def test_encode_flac_at_24_bit_keeps_the_samples_within_one_step_of_2_to_the_23() -> None:
    """The transcription upload's depth: a server decodes what a local model would hear."""
    speech = read_audio(need(JFK_WAV)).samples * 0.7  # off the 16-bit grid
    back, _ = sf.read(io.BytesIO(encode_flac(speech, 16000, bits=24)), dtype="float32")
    assert np.abs(back - speech).max() <= 2.0 ** -23
    assert np.abs(back - speech).max() < np.abs(sf.read(io.BytesIO(encode_flac(speech, 16000)),
                                                        dtype="float32")[0] - speech).max() / 100


def test_encode_flac_rejects_unusable_input() -> None:
    with pytest.raises(InputError):
        encode_flac(np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(InputError):
        encode_flac(np.array([0.1, np.nan], dtype=np.float32), 16000)
    with pytest.raises(InputError):
        encode_flac(np.zeros(10, dtype=np.float32), 0)


MP3_CHATTER_SCRIPT = """
import sys
from voicekit.audio.io import stream_audio
for source in (sys.argv[1], open(sys.argv[1], "rb")):
    print(sum(len(block) for block in stream_audio(source)))
"""


def test_decoding_an_mp3_prints_nothing_on_the_terminal(tmp_path: Path) -> None:
    """libmpg123 (inside libsndfile) writes `part2_3_length ... too large` lines to file descriptor 2 on valid
    MP3s; a subprocess captures that descriptor, so anything a C library prints is seen."""
    encoded = tmp_path / "noise.mp3"
    noise = np.random.default_rng(3).normal(0, 0.1, 24000 * 20).astype(np.float32)
    sf.write(encoded, noise, 24000, format="MP3")  # such an MP3 made libmpg123 print while decoding
    for mp3 in (encoded, need(SPANISH_MP3)):
        result = subprocess.run([sys.executable, "-c", MP3_CHATTER_SCRIPT, str(mp3)], capture_output=True,
                                text=True, check=True, timeout=120)
        assert result.stderr == ""
        counts = result.stdout.split()
        assert len(counts) == 2 and counts[0] == counts[1] and int(counts[0]) > 0
