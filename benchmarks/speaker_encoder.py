"""voicekit's numpy GE2E encoder against resemblyzer's own torch encoder, on real recordings: agreement and speed.

For each shared recording, resemblyzer's pipeline runs in an interpreter that has torch and resemblyzer (its
`preprocess_wav`, then `VoiceEncoder.embed_utterance(..., return_partials=True)`, librosa's mel spectrogram and
torch's LSTM). voicekit's side takes the same preprocessed waveform and the same partial windows through its own
mel front end and numpy LSTM, with the float16 weights voicekit ships (converted from that `pretrained.pt`).
Reported: the cosine of each pair of partial embeddings (1.0 is the same), the cosine of the utterance embeddings,
and the seconds each side spends per second of audio (median over recordings; torch on its default threads, numpy
on one BLAS thread).

The reference side needs torch, which voicekit does not: give an interpreter that has it, e.g. a separate venv with
`pip install torch==2.13.0 resemblyzer 'setuptools<81'` (webrtcvad imports pkg_resources).

    python benchmarks/speaker_encoder.py --torch-python /path/to/venv-with-torch/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import DATA, median, print_table

from voicekit.speakers.embed import RATE, SpeakerEncoder, mel_frames

RECORDINGS = ["en_jfk_16k_mono.wav", "en_librispeech_2412-153948-0000.flac", "en_timit_LDC93S1.wav",
              "en_ami_ES2011a_40s-46s.wav", "de_leopard_test.wav", "en_long_bush_columbia_address_3m19s.ogg",
              "es_librivox_capitan_veneno_dedicatoria.mp3"]

REFERENCE = r"""
import json, sys, time
from pathlib import Path
import numpy as np
from resemblyzer import VoiceEncoder, preprocess_wav
out = Path(sys.argv[1])
encoder = VoiceEncoder(device="cpu", verbose=False)
report = {}
for path in sys.argv[2:]:
    wav = preprocess_wav(Path(path))
    started = time.perf_counter()
    embed, partials, slices = encoder.embed_utterance(wav, return_partials=True)
    seconds = time.perf_counter() - started
    name = Path(path).name
    np.save(out / (name + ".wav.npy"), wav)
    np.save(out / (name + ".partials.npy"), partials)
    np.save(out / (name + ".embed.npy"), embed)
    report[name] = {"seconds": seconds, "slices": [[int(s.start), int(s.stop)] for s in slices]}
(out / "report.json").write_text(json.dumps(report))
"""


def ours(wav: np.ndarray, slices: list[list[int]], encoder: SpeakerEncoder) -> tuple[np.ndarray, np.ndarray, float]:
    """The same partial windows through voicekit's front end and encoder; (partials, utterance, seconds)."""
    started = time.perf_counter()
    padded = np.pad(wav, (0, max(0, slices[-1][1] - len(wav))))
    mels = mel_frames(padded)
    batch = np.stack([mels[start // 160:start // 160 + 160] for start, _ in slices])
    partials = encoder.embed(batch)
    seconds = time.perf_counter() - started
    mean = partials.mean(axis=0)
    return partials, mean / np.linalg.norm(mean), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-python", default=sys.executable,
                        help="an interpreter with torch and resemblyzer (default: this one)")
    args = parser.parse_args()
    paths = [str(DATA / "audio" / name) for name in RECORDINGS if (DATA / "audio" / name).is_file()]
    encoder = SpeakerEncoder()
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([args.torch_python, "-c", REFERENCE, folder, *paths], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            print(f"the reference side did not run ({args.torch_python}): {done.stderr.strip().splitlines()[-1:]}")
            print("give --torch-python an interpreter that has torch and resemblyzer")
            return 0
        report = json.loads((Path(folder) / "report.json").read_text())
        rows, theirs_rate, ours_rate = [], [], []
        for name, facts in report.items():
            wav = np.load(Path(folder) / (name + ".wav.npy")).astype(np.float32)
            partials = np.load(Path(folder) / (name + ".partials.npy"))
            embed = np.load(Path(folder) / (name + ".embed.npy"))
            mine, utterance, seconds = ours(wav, facts["slices"], encoder)
            cosines = (mine * partials).sum(axis=1)
            audio = len(wav) / RATE
            theirs_rate.append(facts["seconds"] / audio)
            ours_rate.append(seconds / audio)
            rows.append([name, f"{audio:.1f}", str(len(partials)), f"{cosines.min():.6f}",
                         f"{float(utterance @ embed):.6f}", f"{1000 * facts['seconds'] / audio:.1f}",
                         f"{1000 * seconds / audio:.1f}"])
    print_table("GE2E speaker encoder: voicekit (numpy, no torch) against resemblyzer (torch)",
                ["recording", "speech s", "partials", "min partial cosine", "utterance cosine",
                 "torch ms per audio s", "numpy ms per audio s"], rows,
                notes=[f"median: torch {1000 * median(theirs_rate):.1f} ms, numpy {1000 * median(ours_rate):.1f} ms "
                       f"per second of audio (resemblyzer's 1.3 partials a second)"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
