"""Bad input to the whole transcription job: a clear error, or an honest (empty or shorter) transcript, never a
partial result that looks finished. Local engine (Whisper tiny.en)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from recordings import AUDIO, RATE, audio_path
from wer import normalize, wer

import voicekit
from voicekit import Transcript, errors
from voicekit.audio.model import read_audio


def local(source: Any, **options: Any) -> Transcript:
    return voicekit.transcribe(source, engine="local", progress=False, **options)


def test_a_file_that_is_not_audio(tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("Minutes of the meeting. " * 200, encoding="utf-8")
    with pytest.raises(voicekit.AudioError, match="notes.wav"):
        local(text)
    with pytest.raises(voicekit.AudioError):
        local(text.read_bytes())


def test_empty_and_zero_length_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(voicekit.AudioError, match="empty"):
        local(empty)
    with pytest.raises(voicekit.AudioError, match="empty"):
        local(b"")
    no_frames = tmp_path / "no_frames.wav"
    sf.write(no_frames, np.zeros(0, dtype=np.float32), RATE)
    assert no_frames.stat().st_size > 0  # a valid header with no samples
    with pytest.raises(voicekit.AudioError, match="no audio samples"):
        local(no_frames)
    with pytest.raises(voicekit.AudioError, match="empty"):
        local(np.zeros(0, dtype=np.float32), sample_rate=RATE)


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "meeting.m4a"
    with pytest.raises(voicekit.InputError, match="meeting.m4a: no such file"):
        local(missing)


def test_pure_silence_gives_an_empty_transcript(tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"
    sf.write(silence, np.zeros(20 * RATE, dtype=np.float32), RATE, subtype="PCM_16")
    result = local(silence)
    assert (result.text, result.segments, result.words) == ("", [], [])
    assert result.duration == 20.0


@pytest.mark.slow  # real Whisper on noise: about 4 s here
def test_faint_room_noise_invents_no_words() -> None:
    """White noise at -60 dBFS is sent (the segmenter cannot tell steady noise from speech) and Whisper answers
    " . . ." in segments that pass its own silence rule (a high log-probability): the job keeps none of them."""
    noise = np.random.default_rng(1).standard_normal(4 * RATE).astype(np.float32) * 0.001
    result = local(noise, sample_rate=RATE)
    assert (result.text, result.segments, result.words) == ("", [], [])
    assert result.duration == 4.0


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    audio = read_audio(audio_path("en_librispeech_2412-153948-0000.flac"))
    path = tmp_path / "clip.mp3"
    sf.write(path, audio.samples, audio.sample_rate, format="MP3")
    return path


def test_a_truncated_mp3_gives_what_decodes_and_says_it_is_short(mp3: Path, tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    """The first half of the file is transcribed; the transcript's duration is what decoded, not the 11.66 s the
    header promises, and a warning says so."""
    half = tmp_path / "half.mp3"
    data = mp3.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        result = local(half)
    assert 4.0 < (result.duration or 0.0) < 8.0, result.duration
    assert any("header promised" in record.getMessage() for record in caplog.records)
    assert all(w.end <= (result.duration or 0.0) for w in result.words)
    heard = normalize(result.text)
    full = normalize((AUDIO / "en_librispeech_2412-153948-0000.txt").read_text(encoding="utf-8"))
    assert 6 <= len(heard) < len(full) - 8, result.text
    assert wer(" ".join(full[: len(heard)]), result.text) <= 0.2, result.text


def test_an_mp3_cut_before_any_audio_is_a_clear_error(mp3: Path, tmp_path: Path) -> None:
    stub = tmp_path / "stub.mp3"
    stub.write_bytes(mp3.read_bytes()[:300])
    with pytest.raises(voicekit.AudioError, match="stub.mp3"):
        local(stub)


def test_what_the_local_engine_cannot_do_is_refused_clearly() -> None:
    wav = audio_path("en_jfk_16k_mono.wav")
    with pytest.raises(errors.UnsupportedError, match="cannot translate"):
        local(wav, translate=True)
    with pytest.raises(voicekit.InputError, match="unknown language 'klingon'"):
        local(wav, language="klingon")
    with pytest.raises(errors.UnsupportedError, match="English-only"):
        local(wav, language="de")
    with pytest.raises(voicekit.InputError, match="channel 2 does not exist"):
        local(audio_path("en_stereo_diarization_2spk.wav"), channel=2)


@pytest.mark.slow  # real Whisper twice on a real recording
def test_a_file_transcript_knows_its_source_and_the_bar_never_overshoots() -> None:
    path = audio_path("en_jfk_16k_mono.wav")
    transcript = voicekit.transcribe(str(path), engine="local", language="en", progress=True)  # warnings are errors
    assert transcript.source == str(path)
    assert voicekit.transcribe(read_audio(path), engine="local", language="en", progress=False).source is None
