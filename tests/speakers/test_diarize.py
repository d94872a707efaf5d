"""Offline diarization on real voices: the GE2E encoder in numpy, read from resemblyzer's file without torch."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from voicekit import Audio
from voicekit.speakers.embed import RATE, mel_filters, mel_frames

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from recordings import audio_path  # noqa: E402


def _needs_resemblyzer() -> None:
    try:
        metadata.distribution("resemblyzer")
    except metadata.PackageNotFoundError:
        pytest.skip("resemblyzer is not installed (only needed to compare the shipped weights with its checkpoint)")


def test_mel_filters_cover_the_band_with_unit_area_triangles() -> None:
    filters = mel_filters()
    assert filters.shape == (40, 201)
    assert (filters >= 0).all()
    peaks = filters.argmax(axis=1)
    assert (np.diff(peaks) >= 0).all() and peaks[0] <= 2 and peaks[-1] >= 180
    hz_per_bin = RATE / 400
    areas = filters.sum(axis=1) * hz_per_bin
    assert np.allclose(areas[5:], 1.0, rtol=0.1)  # Slaney norm: 2 / width, i.e. unit area


def test_a_tone_lights_the_band_it_is_in() -> None:
    t = np.arange(RATE) / RATE
    low, high = (mel_frames(np.sin(2 * np.pi * f * t).astype(np.float32)) for f in (300.0, 3000.0))
    assert low.shape == (101, 40)
    assert low[50].argmax() < high[50].argmax()


def test_the_shipped_weights_load_without_torch() -> None:
    from voicekit.speakers.weights import encoder_weights

    weights = encoder_weights()
    assert weights["lstm.weight_ih_l0"].shape == (1024, 40)
    assert weights["lstm.weight_hh_l2"].shape == (1024, 256)
    assert weights["linear.weight"].shape == (256, 256)
    assert all(np.isfinite(value).all() for value in weights.values())
    assert "torch" not in sys.modules and "resemblyzer" not in sys.modules


def test_the_shipped_weights_are_resemblyzers_checkpoint_in_float16(tmp_path: Path) -> None:
    _needs_resemblyzer()
    from voicekit.speakers.weights import BUNDLED, checkpoint_state, convert, encoder_weights, resemblyzer_checkpoint

    state = checkpoint_state(resemblyzer_checkpoint())
    shipped = encoder_weights(BUNDLED)
    assert sorted(state) == sorted(shipped)
    for name, value in state.items():
        assert np.array_equal(value.astype(np.float16).astype(np.float32), shipped[name]), name
    converted = encoder_weights(convert(resemblyzer_checkpoint(), tmp_path / "again.npz"))
    assert all(np.array_equal(converted[name], shipped[name]) for name in shipped)
    assert "torch" not in sys.modules and "resemblyzer" not in sys.modules


def _voice(name: str, seconds: float | None = None) -> np.ndarray:
    samples = Audio.load(audio_path(name), sample_rate=RATE).samples
    return samples[: int(seconds * RATE)] if seconds else samples


@pytest.mark.slow
def test_two_real_voices_in_turns_are_told_apart() -> None:
    from voicekit.speakers.diarize import diarize
    from voicekit.speakers.score import der

    jfk, libri = _voice("en_jfk_16k_mono.wav"), _voice("en_librispeech_2412-153948-0000.flac")
    pause = np.zeros(RATE // 2, dtype=np.float32)
    pieces = [(jfk, "jfk"), (libri, "libri"), (jfk[: 4 * RATE], "jfk"), (libri[: 5 * RATE], "libri")]
    reference, audio, t = [], [], 0.0
    for samples, name in pieces:
        reference.append((t, t + len(samples) / RATE, name))
        audio += [samples, pause]
        t += (len(samples) + len(pause)) / RATE
    turns = diarize(np.concatenate(audio))
    hypothesis = [(turn.start, turn.end, str(turn.speaker)) for turn in turns]
    assert len({turn.speaker for turn in turns}) == 2
    # the reference counts the recordings' own leading and trailing silences as speech: that is the miss left
    assert der(reference, hypothesis).confusion == 0.0
    assert der(reference, hypothesis).rate < 0.10


@pytest.mark.slow
def test_one_voice_stays_one_speaker() -> None:
    from voicekit.speakers.diarize import diarize

    assert {turn.speaker for turn in diarize(_voice("en_long_bush_columbia_address_3m19s.ogg", 60.0))} == {0}


def test_mel_frames_come_out_the_same_from_a_stream_of_blocks() -> None:
    from voicekit.speakers.diarize import _mel_stream

    samples = np.random.default_rng(0).normal(size=RATE * 30 + 123).astype(np.float32)
    blocks = [samples[i:i + 7777] for i in range(0, len(samples), 7777)]
    streamed = np.concatenate(list(_mel_stream(blocks, block_frames=300)))
    whole = mel_frames(samples)
    assert streamed.shape == whole.shape
    assert np.allclose(streamed, whole, rtol=1e-4, atol=1e-6 * float(whole.max()))


@pytest.mark.slow
def test_a_file_is_diarized_in_blocks_as_its_array_is() -> None:
    from voicekit.speakers.diarize import diarize, diarize_source

    path = audio_path("en_jfk_16k_mono.wav")
    assert diarize_source(str(path)) == diarize(_voice("en_jfk_16k_mono.wav"))
