"""Round trip: narrate a book's first chapter with the local engine (Piper), transcribe it back with the local
engine (faster-whisper tiny.en), and score the word error rate against the chapter's text.

    python benchmarks/roundtrip.py            # first chapters of Alice and Pride and Prejudice (a few CPU minutes)
    python benchmarks/roundtrip.py --quick    # Pride and Prejudice chapter 1 only
    python benchmarks/roundtrip.py --keep DIR # keep the WAVs (and reuse them on the next run: no narration)
    python benchmarks/roundtrip.py --repeat 1 # one narration of each chapter (the default is five, their median)

Reads ../shared/data/text/*.txt (Project Gutenberg plain text; the licence header up to "*** START OF" is
skipped, and the chapter runs from its heading to the next one).

Both sides pass through the same text normalizer (`voicekit.normalize_text`) and then the same canonical form
(lower case, no punctuation, hyphens and dashes as spaces, curly apostrophes straight), so "Chapter 1" heard and
"CHAPTER I." written compare as the same words. Target: WER at most 5 % per book.

Columns: "WER %" on that canonical form; "spelling-blind WER %" also maps British spellings to American ones on
both sides (Whisper's own English spelling normalizer, `whisper_normalizer`: the recognizer writes "neighborhood"
for the book's "neighbourhood", which no listener hears); "heard WER %", the one the target is judged on, goes one
step further: a word the recognizer wrote that is not in the chapter but that espeak-ng (Piper's own phonemizer,
the voice's reading) pronounces exactly as a word of the chapter counts as that word: "Bennett" for "Bennet",
"Lizzie" for "Lizzy" are one sound to a listener, and only the recognizer's spelling tells them apart; so does a
word that is two consecutive words of the chapter run together ("someone" for the book's "some one", "tomorrow"
for "to-morrow"). A word that is in the chapter is never mapped ("for" heard for "four" stays an error), nor one
that sounds different ("Dina" for "Dinah"). "at cuts" counts the errors within 1.5 s of a cut
between two of the transcriber's 30 s windows (`voicekit.audio.segment.segment_windows` on the narration);
"at joins" the errors within one word of a join between two narrated chunks. The most frequent errors
(reference -> heard) follow, which tell a reading of ours (normalization, chunk joins) from a recognizer's slip.

Piper samples its voice afresh on every run, so one narration is one draw (Pride and Prejudice's first chapter
has ranged over a percentage point from one narration to the next): each chapter is narrated `--repeat` times (5)
and the median is shown, with every value. `--noise-scale` compares Piper's variation settings (0.667 is the
voice's own, `voicekit.engines.local.NOISE_SCALE` voicekit's default); `--chapter N` takes the Nth chapter, to
check on chapters a setting was not chosen on.

    python benchmarks/roundtrip.py --noise-scale 0.667 0.333 --chapter 2
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import jiwer  # noqa: E402
import numpy as np  # noqa: E402
import soundfile  # noqa: E402
import soxr  # noqa: E402
from _common import print_table  # noqa: E402
from whisper_normalizer.english import EnglishSpellingNormalizer  # noqa: E402

from voicekit import Transcript, narrate, normalize_text, plan_narration, transcribe  # noqa: E402
from voicekit.audio.segment import segment_windows  # noqa: E402
from voicekit.engines.local import NOISE_SCALE, PiperSynthesizer  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "text"
BOOKS = {
    "Pride and Prejudice": (DATA / "gutenberg_1342_pride_and_prejudice.txt", r"Chapter \d+"),
    "Alice": (DATA / "gutenberg_11_alice_in_wonderland.txt", r"CHAPTER [IVXLC]+\..*"),
}
TARGET = 5.0


def first_chapter(path: Path, heading: str, number: int = 1) -> str:
    """The text from the `number`th chapter heading to the next one, after the Gutenberg header, with its heading."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    start = text.find("*** START OF")
    body = text[text.index("\n", start) + 1 :] if start >= 0 else text
    headings = [m for m in re.finditer(rf"(?m)^{heading}$", body)]
    end = headings[number].start() if len(headings) > number else len(body)
    return body[headings[number - 1].start() : end].strip() + "\n"


def canonical_words(text: str) -> str:
    """The normalizer's reading, lower case, without punctuation: the words a listener hears."""
    spoken = normalize_text(text).lower().replace("’", "'").replace("‘", "'")
    spoken = re.sub(r"[-–—_]", " ", spoken)
    spoken = re.sub(r"[^\w\s']", " ", spoken)
    return " ".join(word.strip("'") for word in spoken.split() if word.strip("'"))


_SPELLING = EnglishSpellingNormalizer()


def spelling_blind(words: str) -> str:
    """British spellings as American ones ("neighbourhood" -> "neighborhood"), word by word."""
    return str(_SPELLING(words))


@cache
def _sounds(word: str) -> str:
    """How espeak-ng (Piper's phonemizer, American English) pronounces a word, stress marks aside."""
    from piper.phonemize_espeak import EspeakPhonemizer

    return "".join(p for sentence in EspeakPhonemizer().phonemize("en-us", word) for p in sentence if p not in "ˈˌ")


def by_ear(reference: str) -> dict[str, str]:
    """How to read a heard word that is not in `reference` as the chapter's own words, where only spelling tells
    them apart: a word that sounds exactly like one of the chapter's (see `_sounds`), or that is two consecutive
    words of the chapter written as one ("someone" for "some one", "tomorrow" for "to-morrow")."""
    words = reference.split()
    known = set(words)
    reading = {a + b: f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a + b not in known}
    for word in sorted(known):
        reading.setdefault(_sounds(word), word)
    return reading


def sound_alike(reference: str, heard: str) -> str:
    """`heard` with each word read as the chapter's own where only spelling tells them apart (see `by_ear`)."""
    known, reading = set(reference.split()), by_ear(reference)
    return " ".join(word if word in known else reading.get(word) or reading.get(_sounds(word), word)
                    for word in heard.split())


def window_cuts(audio: Path) -> list[float]:
    """Seconds where the transcriber's windows meet (the end of every window but the last)."""
    samples, rate = soundfile.read(audio, dtype="float32")
    mono = soxr.resample(samples, rate, 16000).astype(np.float32)
    return [window.end for window in segment_windows([mono], 16000)][:-1]


def chunk_joins(chapter: str) -> set[int]:
    """Canonical word positions where one narrated chunk ends and the next begins."""
    joins, position = set(), 0
    for chunk in plan_narration(chapter, engine="local", kind="text").chunks:
        position += len(canonical_words(chunk.text).split())
        joins.add(position)
    return joins


def error_places(reference: str, heard: str, transcript: Transcript, cuts: list[float],
                 joins: set[int]) -> tuple[int, int]:
    """Errors of `heard` (the transcript read by ear) within 1.5 s of a window cut, and within one word of a chunk
    join."""
    times = [word.start for word in transcript.words
             for _ in sound_alike(reference, canonical_words(word.word)).split()]
    output = jiwer.process_words(reference, heard)
    at_cuts = at_joins = 0
    for chunk in output.alignments[0]:
        if chunk.type == "equal":
            continue
        when = times[min(chunk.hyp_start_idx, len(times) - 1)] if times else -1e9
        at_cuts += any(abs(when - cut) <= 1.5 for cut in cuts)
        at_joins += any(abs(chunk.ref_start_idx - join) <= 1 or abs(chunk.ref_end_idx - join) <= 1 for join in joins)
    return at_cuts, at_joins


def top_errors(reference: str, heard: str, count: int = 8) -> list[str]:
    """The most frequent substitutions, deletions and insertions as "ref -> heard" (aligned by jiwer)."""
    output = jiwer.process_words(reference, heard)
    ref, hyp = output.references[0], output.hypotheses[0]
    errors: Counter[str] = Counter()
    for chunk in output.alignments[0]:
        if chunk.type == "equal":
            continue
        left = " ".join(ref[chunk.ref_start_idx : chunk.ref_end_idx]) or "-"
        right = " ".join(hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]) or "-"
        errors[f"{left} -> {right}"] += 1
    return [f"{pair} ({n})" if n > 1 else pair for pair, n in errors.most_common(count)]


def heard_wers(reference: str, transcript: Transcript) -> tuple[float, float, float]:
    """WER, spelling-blind WER and heard WER of a transcript, in %."""
    heard = canonical_words(transcript.text)
    return (100 * jiwer.wer(reference, heard), 100 * jiwer.wer(spelling_blind(reference), spelling_blind(heard)),
            100 * jiwer.wer(reference, sound_alike(reference, heard)))


def round_trip(name: str, path: Path, heading: str, folder: Path, args: argparse.Namespace,
               noise_scale: float) -> list[str]:
    """Narrate (`args.repeat` times), transcribe and score one book's chapter; one table row, the median narration's
    figures (by heard WER)."""
    chapter = first_chapter(path, heading, args.chapter)
    reference = canonical_words(chapter)
    slug = re.sub(r"\W+", "_", name.lower()) + f"_chapter{args.chapter}_noise{noise_scale:g}"
    runs = []
    for draw in range(args.repeat):
        audio = folder / f"{slug}_{draw}.wav"
        narrate_s = 0.0
        if not audio.is_file():
            started = time.perf_counter()
            narrate(chapter, audio, engine=PiperSynthesizer(noise_scale=noise_scale), kind="text", cache=False,
                    progress=False)
            narrate_s = time.perf_counter() - started
        started = time.perf_counter()
        transcript = transcribe(audio, engine="local", language="en", cache=False, progress=False)
        transcribe_s = time.perf_counter() - started
        (folder / f"{slug}_{draw}.json").write_text(transcript.model_dump_json(), encoding="utf-8")
        runs.append((heard_wers(reference, transcript), audio, transcript, narrate_s, transcribe_s))
    runs.sort(key=lambda run: run[0][2])
    (wer, blind, by_ear), audio, transcript, narrate_s, transcribe_s = runs[len(runs) // 2]
    heard = sound_alike(reference, canonical_words(transcript.text))
    errors = len([c for c in jiwer.process_words(reference, heard).alignments[0] if c.type != "equal"])
    at_cuts, at_joins = error_places(reference, heard, transcript, window_cuts(audio), chunk_joins(chapter))
    every = ", ".join(f"{run[0][2]:.2f}" for run in runs)
    return [f"{name} ({args.chapter})", f"{noise_scale:g}", f"{len(reference.split()):,}",
            f"{transcript.duration or 0:.0f}", f"{narrate_s:.0f}", f"{transcribe_s:.0f}", f"{wer:.2f}",
            f"{blind:.2f}", f"{by_ear:.2f}" + (f" ({every})" if len(runs) > 1 else ""),
            "ok" if by_ear <= TARGET else "FAIL", f"{errors}", f"{at_cuts}", f"{at_joins}",
            "; ".join(top_errors(reference, heard))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Pride and Prejudice only")
    parser.add_argument("--keep", type=Path, help="keep the narrated WAVs here (reused when present)")
    parser.add_argument("--chapter", type=int, default=1, help="which chapter of each book (1: the first)")
    parser.add_argument("--repeat", type=int, default=5, help="narrations of each chapter; the median is shown")
    parser.add_argument("--noise-scale", type=float, nargs="+", default=[NOISE_SCALE],
                        help=f"Piper's variation settings to compare (default {NOISE_SCALE}; the voice's own: 0.667)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"books not found at {DATA}")
        return
    books = list(BOOKS.items())[:1] if args.quick else list(BOOKS.items())
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [round_trip(name, path, heading, folder, args, noise)
                for name, (path, heading) in books for noise in args.noise_scale]
    print_table("Round trip: Piper (joe) narration, faster-whisper tiny.en transcription",
                ["book (chapter)", "noise scale", "words", "audio (s)", "narrate (s)", "transcribe (s)", "WER %",
                 "spelling-blind WER %", "heard WER %", f"<= {TARGET:.0f} %", "errors", "at cuts", "at joins",
                 "most frequent errors (reference -> heard)"],
                rows,
                ["both sides normalized by voicekit.normalize_text, then lower case without punctuation",
                 f"the median of {args.repeat} narration(s) by heard WER (every one's in brackets); narrate (s) is 0 "
                 "when a kept WAV was reused"])


if __name__ == "__main__":
    main()
