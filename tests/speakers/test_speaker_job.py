"""`transcribe(..., speakers=...)` and `voicekit transcribe --speakers`, with the local engine on real voices."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voicekit import Audio, transcribe
from voicekit.errors import InputError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from recordings import RATE, audio_path  # noqa: E402

STEREO = "en_stereo_diarization_2spk.wav"


@pytest.mark.parametrize(("options", "message"), [
    ({"speakers": "three"}, "a range such as 2-4"),
    ({"speakers": "channels", "speaker_names": ("A", "B", "C")}, "at most one name per channel"),
])
def test_bad_speaker_options_fail_before_any_work(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        transcribe(audio_path(STEREO), engine="local", cache=False, progress=False, **options)  # type: ignore[arg-type]


def test_a_file_object_cannot_be_read_twice_and_says_so() -> None:
    data = io.BytesIO(audio_path(STEREO).read_bytes())
    with pytest.raises(InputError, match="not a file object"):
        transcribe(data, engine="local", speakers="channels", cache=False, progress=False)


@pytest.mark.slow
def test_every_word_of_a_mixed_track_gets_its_speaker() -> None:
    jfk = Audio.load(audio_path("en_jfk_16k_mono.wav"), sample_rate=RATE).samples
    libri = Audio.load(audio_path("en_librispeech_2412-153948-0000.flac"), sample_rate=RATE).samples
    pause = np.zeros(RATE // 2, dtype=np.float32)
    mixed = np.concatenate([jfk, pause, libri, pause, jfk[: 5 * RATE]])
    second_turn = (len(jfk) + len(pause)) / RATE, (len(jfk) + len(pause) + len(libri)) / RATE
    transcript = transcribe(mixed, sample_rate=RATE, engine="local", speakers="auto",
                            speaker_names=("Kennedy", "Reader"), cache=False, progress=False)
    assert transcript.words and all(word.speaker is not None for word in transcript.words)
    for word in transcript.words:
        middle = (word.start + word.end) / 2
        if second_turn[0] + 0.3 < middle < second_turn[1] - 0.3:
            assert word.speaker == "Reader", word
        elif middle < second_turn[0] - 0.3 or middle > second_turn[1] + 0.3:
            assert word.speaker == "Kennedy", word
    assert transcript.to_text().startswith("Kennedy: ")
    assert "\n\nReader: " in transcript.to_text()


@pytest.mark.slow
def test_the_command_writes_rttm_of_the_channels(tmp_path: Path) -> None:
    out = tmp_path / "call.rttm"
    environment = {k: v for k, v in os.environ.items() if k != "GROQ_API_KEY"}
    done = subprocess.run([sys.executable, "-m", "voicekit", "transcribe", str(audio_path(STEREO)), "--engine",
                           "local", "--speakers", "channels", "--speaker-names", "Alice, Bob", "-o", str(out),
                           "--no-cache"], capture_output=True, text=True, env=environment, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert {line.split()[7] for line in lines} == {"Alice", "Bob"}
    assert all(line.startswith("SPEAKER en_stereo_diarization_2spk 1 ") for line in lines)
