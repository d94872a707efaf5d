"""Chunked accuracy and speed against one plain pass: WER and wall time per English recording, and pooled.

    python benchmarks/accuracy.py            # every English recording in ../shared/data/audio
    python benchmarks/accuracy.py --quick    # the two long ones only (Columbia address, MFA)
    python benchmarks/accuracy.py --fill-gaps both   # voicekit with gap filling off and on
    python benchmarks/accuracy.py --repeat 3         # median wall time of three runs per case
    python benchmarks/accuracy.py --gains 0 0.1 -0.1 0.2 -0.2 --only plain "voicekit"   # WER beyond the knife edge

Side by side, all with the same model (the packaged tiny.en, int8, CPU, `--threads` threads, beam size `--beam`):

- **plain**: one `WhisperModel.transcribe` over the whole file (faster-whisper's own 30 s sliding decode,
  `condition_on_previous_text` on, no VAD): the single pass voicekit must not lose to.
- **batched pipeline**: faster-whisper's `BatchedInferencePipeline` (its Silero VAD chunks, `--batch` at once), as
  it comes (no word times) and with word times (like voicekit, whose transcripts always carry them).
- **voicekit local**: `voicekit.transcribe(path, engine="local")` (windows at quiet points, decoded in batches of
  8 with word times, merged).
- **voicekit loopback**: `voicekit.transcribe(path, engine="groq")` through the loopback Groq server answering with
  the same local model (bare words, no probability, as Groq does).

WER is jiwer's, after `whisper_normalizer`'s `EnglishTextNormalizer` on both the reference and the hypothesis;
pooled WER is the sum of errors over the sum of reference words. Wall time includes decoding the file; the model is
loaded (and warmed on one short clip) before any timing. The methods take turns on each recording (so a change in
the machine's load hits them alike); `--repeat N` shows the median of N rounds, the methods taking turns in each.
CPU time (every thread of this process, the loopback server's included) is what other programs' load changes least;
read both as ratios.

**As a set.** A user with several recordings runs `voicekit transcribe a.wav b.ogg ...` (`transcribe_many`), which
transcribes 4 at a time on one engine, so the local engine decodes windows of different recordings in one batch.
The batched pipeline has no such call: it goes file by file, or 4 files at a time in threads (decoding and VAD of
one file then overlap the model's work on another). A last table times them over all the recordings (the methods
taking turns, `--repeat` rounds) and scores what each wrote. Only at level 0.

One word either way is within the models' own noise: a change of level nobody hears (0.1 dB) moves every method's
pooled errors by a word or three, each its own way, since Whisper sits on a knife edge at a few words. `--gains`
plays every recording to every method at each of these levels (in dB; 0 is the file itself, the others a float
WAV of its samples scaled) and pools the errors over all of them; a second table shows each level's total, so a
method is compared over many draws of that noise rather than one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import _common
import jiwer
import numpy as np
import soundfile
from whisper_normalizer.english import EnglishTextNormalizer

import voicekit
from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.engines.local import _load_whisper
from voicekit.jobs.transcribe_many import transcribe_many
from voicekit.testing import ServerOptions

AUDIO = _common.DATA / "audio"
RECORDINGS = (
    "en_long_bush_columbia_address_3m19s.ogg",
    "en_mfa_michaelandsickmichael_stereo.wav",
    "en_librispeech_2412-153948-0000.flac",
    "en_jfk_16k_mono.wav",
    "en_librispeech_mr_quilter_leopard.wav",
    "en_ami_ES2011a_40s-46s.wav",
    "en_timit_LDC93S1.wav",
)
QUICK = RECORDINGS[:2]
_normalizer = EnglishTextNormalizer()


@dataclass
class Score:
    errors: int = 0
    words: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    rows: dict[str, tuple[int, int, float, float]] = field(default_factory=dict)
    """Per recording (over every gain): errors, reference words, wall and CPU seconds."""
    by_gain: dict[float, int] = field(default_factory=dict)

    @property
    def wer(self) -> float:
        return self.errors / max(1, self.words)


def errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word errors, reference words) after Whisper's English normalizer on both sides."""
    ref, hyp = _normalizer(reference), _normalizer(hypothesis)
    if not ref.split():
        return len(hyp.split()), 0
    out = jiwer.process_words(ref, hyp or "<empty>")
    return out.substitutions + out.deletions + out.insertions, len(ref.split())


def samples_of(path: Path) -> np.ndarray:
    """16 kHz mono float32, decoded as voicekit decodes (so every method hears the same samples)."""
    with stream_audio(path, DecodeOptions(sample_rate=16000)) as stream:
        return np.concatenate(list(stream)).astype(np.float32)


def plain(args: argparse.Namespace) -> Callable[[Path], str]:
    model = _load_whisper(args.threads)

    def run(path: Path) -> str:
        segments, _ = model.transcribe(samples_of(path), language="en", beam_size=args.beam, vad_filter=False)
        return " ".join(s.text.strip() for s in segments)
    return run


def batched(args: argparse.Namespace, words: bool) -> Callable[[Path], str]:
    from faster_whisper import BatchedInferencePipeline

    pipeline = BatchedInferencePipeline(_load_whisper(args.threads))

    def run(path: Path) -> str:
        segments, _ = pipeline.transcribe(samples_of(path), language="en", beam_size=args.beam,
                                          batch_size=args.batch, word_timestamps=words)
        return " ".join(s.text.strip() for s in segments)
    return run


def voicekit_run(engine: str, **options: object) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        return voicekit.transcribe(path, engine=engine, cache=False, progress=False, **options).text
    return run


def file_by_file(run: Callable[[Path], str], at_once: int = 1) -> Callable[[list[Path], Path], list[str]]:
    """A per-file method over a set of recordings, `at_once` files at a time (in threads)."""
    def over(paths: list[Path], folder: Path) -> list[str]:
        with ThreadPoolExecutor(at_once) as pool:
            return list(pool.map(run, paths))
    return over


def voicekit_many(paths: list[Path], folder: Path) -> list[str]:
    """`transcribe_many` with the local engine, every recording in one run (several at a time), as text files."""
    result = transcribe_many(paths, formats=["txt"], output_dir=folder, engine="local", cache=False, progress=False)
    assert result.ok, result.failed
    texts = [(folder / f"{path.stem}.txt").read_text(encoding="utf-8") for path in paths]
    for path in paths:
        (folder / f"{path.stem}.txt").unlink()
    return texts


def measure_set(recordings: list[Path], args: argparse.Namespace, folder: Path) -> None:
    """Every recording in one run, per method (`--repeat` rounds taking turns): pooled WER, median wall and CPU."""
    pipeline = batched(args, True)
    methods = {"batched pipeline + word times, file by file": file_by_file(pipeline),
               "batched pipeline + word times, 4 files at a time": file_by_file(pipeline, 4),
               "voicekit local, one transcribe_many run": voicekit_many}
    runs: dict[str, list[tuple[list[str], float, float]]] = {name: [] for name in methods}
    for _ in range(args.repeat):
        for name, run in methods.items():
            wall, cpu = time.perf_counter(), time.process_time()
            texts = run(recordings, folder)
            runs[name].append((texts, time.perf_counter() - wall, time.process_time() - cpu))
    references = [path.with_suffix(".txt").read_text(encoding="utf-8") for path in recordings]
    rows = []
    for name, results in runs.items():
        counted = [errors(reference, text) for reference, text in zip(references, results[-1][0], strict=True)]
        bad, words = sum(c[0] for c in counted), sum(c[1] for c in counted)
        walls = [r[1] for r in results]
        rows.append([name, f"{bad / words:.2%} ({bad})", f"{_common.median(walls):.2f} s",
                     f"{_common.median([r[2] for r in results]):.2f} s", ", ".join(f"{w:.2f}" for w in walls)])
    _common.print_table(f"All {len(recordings)} recordings in one run", ["method", "pooled WER", "wall", "CPU",
                                                                        "every round's wall"], rows,
                        [f"Medians of {args.repeat} round(s), the methods taking turns."])


def timed(run: Callable[[Path], str], path: Path) -> tuple[str, float, float]:
    """One run: its text, wall seconds, and CPU seconds of this process (every thread, the loopback server's too),
    which other programs' load on a shared machine changes far less than the wall time."""
    wall, cpu = time.perf_counter(), time.process_time()
    text = run(path)
    return text, time.perf_counter() - wall, time.process_time() - cpu


def at_gain(path: Path, gain: float, folder: Path) -> Path:
    """The recording itself at 0 dB, else its samples (as every method hears them) scaled by `gain` dB, as a float
    WAV in `folder`."""
    if gain == 0:
        return path
    scaled = folder / f"{path.stem}_{gain:+g}dB.wav"
    soundfile.write(scaled, samples_of(path) * np.float32(10 ** (gain / 20)), 16000, subtype="FLOAT")
    return scaled


def measure(path: Path, gain: float, methods: dict[str, Callable[[Path], str]], repeat: int,
            scores: dict[str, Score], folder: Path) -> None:
    """Every method on one recording at one gain, `repeat` rounds taking turns (a burst of load hits them alike):
    WER of its (deterministic) text, median wall and CPU time."""
    played = at_gain(path, gain, folder)
    runs: dict[str, list[tuple[str, float, float]]] = {name: [] for name in methods}
    for _ in range(repeat):
        for name, run in methods.items():
            runs[name].append(timed(run, played))
    reference = path.with_suffix(".txt").read_text(encoding="utf-8")
    for name, results in runs.items():
        score = scores[name]
        seconds, cpu = _common.median([r[1] for r in results]), _common.median([r[2] for r in results])
        bad, words = errors(reference, results[-1][0])
        score.errors, score.words = score.errors + bad, score.words + words
        score.seconds, score.cpu = score.seconds + seconds, score.cpu + cpu
        score.by_gain[gain] = score.by_gain.get(gain, 0) + bad
        was = score.rows.get(path.name, (0, 0, 0.0, 0.0))
        score.rows[path.name] = (was[0] + bad, was[1] + words, was[2] + seconds, was[3] + cpu)
        print(f"  {name:30s} {played.name:45s} WER {bad / max(1, words):6.1%}  {seconds:6.1f} s  CPU {cpu:6.1f} s",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the two long recordings only")
    parser.add_argument("--threads", type=int, default=0, help="CTranslate2 threads (0: its default) for every method")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--batch", type=int, default=8, help="batch size for the batched pipeline")
    parser.add_argument("--fill-gaps", choices=("on", "off", "both", "default"), default="default")
    parser.add_argument("--carry-prompt", action="store_true",
                        help="also voicekit with each window's text carried into the next as its prompt")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case; the median time is shown")
    parser.add_argument("--only", nargs="*", default=None, help="methods to run (names as in the table)")
    parser.add_argument("--gains", nargs="*", type=float, default=[0.0],
                        help="levels in dB to play every recording at (0: the file itself); errors pool over them")
    args = parser.parse_args()
    
    recordings = [AUDIO / name for name in (QUICK if args.quick else RECORDINGS) if (AUDIO / name).is_file()]
    _load_whisper(args.threads).transcribe(samples_of(recordings[-1]), language="en")  # load and warm
    methods: dict[str, Callable[[Path], str]] = {
        "plain pass": plain(args), "batched pipeline": batched(args, False),
        "batched pipeline + word times": batched(args, True)}
    if args.carry_prompt:
        methods["voicekit local (carried prompt)"] = voicekit_run("local", carry_prompt=True)
        methods["voicekit loopback (carried prompt)"] = voicekit_run("groq", carry_prompt=True)
    fills = {"on": [True], "off": [False], "both": [False, True], "default": [None]}[args.fill_gaps]
    for fill in fills:
        extra = {} if fill is None else {"fill_gaps": fill}
        suffix = "" if fill is None else f" (gaps {'on' if fill else 'off'})"
        methods[f"voicekit local{suffix}"] = voicekit_run("local", **extra)
        methods[f"voicekit loopback{suffix}"] = voicekit_run("groq", **extra)
    chosen = {name: run for name, run in methods.items()
              if args.only is None or any(name.startswith(o) for o in args.only)}
    scores = {name: Score() for name in chosen}
    with _common.loopback(ServerOptions(transcription_backend="whisper")), tempfile.TemporaryDirectory() as folder:
        for path in recordings:  # methods take turns on each recording: load drifts hit them alike
            for gain in args.gains:
                measure(path, gain, chosen, args.repeat, scores, Path(folder))
        print_scores(scores, recordings, args)
        if args.gains == [0.0] and len(recordings) > 1:
            measure_set(recordings, args, Path(folder))


def print_scores(scores: dict[str, Score], recordings: list[Path], args: argparse.Namespace) -> None:
    """The table per recording and pooled; with several gains, also each gain's pooled errors."""
    header = ["recording", *scores]
    rows = [[path.name, *(f"{bad / max(1, words):.1%} / {seconds:.1f} s / {cpu:.1f} s"
                          for bad, words, seconds, cpu in (s.rows[path.name] for s in scores.values()))]
            for path in recordings]
    rows.append(["**pooled**", *(f"**{s.wer:.2%}** / {s.seconds:.1f} s / {s.cpu:.1f} s" for s in scores.values())])
    gains = ", ".join(f"{gain:+g}" for gain in args.gains)
    levels = "" if args.gains == [0.0] else f", pooled over {len(args.gains)} levels ({gains} dB)"
    _common.print_table(f"WER / wall time / CPU time, tiny.en int8, {args.threads} threads, beam {args.beam}", header,
                        rows, [f"Pooled over {next(iter(scores.values())).words} reference words{levels}; batch size "
                               f"{args.batch}; times are medians of {args.repeat} run(s), the methods taking turns."])
    if len(args.gains) > 1:
        _common.print_table("Errors at each level (pooled over the recordings)", ["level", *scores],
                            [[f"{gain:+g} dB", *(str(s.by_gain[gain]) for s in scores.values())]
                             for gain in args.gains]
                            + [["median", *(f"{_common.median(list(s.by_gain.values())):g}" for s in scores.values())]])


if __name__ == "__main__":
    main()
