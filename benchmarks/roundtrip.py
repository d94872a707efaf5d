"""Round trip: narrate a book's first chapter with the local engine (Piper), transcribe it back with the local
engine (faster-whisper tiny.en), and score the word error rate against the chapter's text.

    python benchmarks/roundtrip.py            # first chapters of Alice and Pride and Prejudice (a few CPU minutes)
    python benchmarks/roundtrip.py --quick    # Pride and Prejudice chapter 1 only
    python benchmarks/roundtrip.py --keep DIR # keep the WAVs (and reuse them on the next run: no narration)

Reads ../shared/data/text/*.txt (Project Gutenberg plain text; the licence header up to "*** START OF" is
skipped, and the chapter runs from its heading to the next one).

Both sides pass through the same text normalizer (`voicekit.normalize_text`) and then the same canonical form
(lower case, no punctuation, hyphens and dashes as spaces, curly apostrophes straight), so "Chapter 1" heard and
"CHAPTER I." written compare as the same words. Target: WER at most 5 % per book.

Columns: "WER %" on that canonical form; "spelling-blind WER %" also maps British spellings to American ones on
both sides (Whisper's own English spelling normalizer, `whisper_normalizer`: the recognizer writes "neighborhood"
for the book's "neighbourhood", which no listener hears); "at cuts" counts the errors within 1.5 s of a cut
between two of the transcriber's 30 s windows (`voicekit.audio.segment.segment_windows` on the narration);
"at joins" the errors within one word of a join between two narrated chunks. The most frequent errors
(reference -> heard) follow, which tell a reading of ours (normalization, chunk joins) from a recognizer's slip.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
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

DATA = ROOT.parent / "shared" / "data" / "text"
BOOKS = {
    "Pride and Prejudice": (DATA / "gutenberg_1342_pride_and_prejudice.txt", r"Chapter \d+"),
    "Alice": (DATA / "gutenberg_11_alice_in_wonderland.txt", r"CHAPTER [IVXLC]+\..*"),
}
TARGET = 5.0


def first_chapter(path: Path, heading: str) -> str:
    """The text from the first chapter heading to the next one, after the Gutenberg header, with its heading."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    start = text.find("*** START OF")
    body = text[text.index("\n", start) + 1 :] if start >= 0 else text
    headings = [m for m in re.finditer(rf"(?m)^{heading}$", body)]
    end = headings[1].start() if len(headings) > 1 else len(body)
    return body[headings[0].start() : end].strip() + "\n"


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


def error_places(reference: str, transcript: Transcript, cuts: list[float], joins: set[int]) -> tuple[int, int]:
    """Errors within 1.5 s of a window cut, and errors within one word of a chunk join."""
    times = [word.start for word in transcript.words for _ in canonical_words(word.word).split()]
    output = jiwer.process_words(reference, canonical_words(transcript.text))
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


def round_trip(name: str, path: Path, heading: str, folder: Path) -> list[str]:
    """Narrate, transcribe and score one book's first chapter; one table row."""
    chapter = first_chapter(path, heading)
    slug = re.sub(r"\W+", "_", name.lower())
    audio = folder / f"{slug}_chapter1.wav"
    narrate_s = 0.0
    if not audio.is_file():
        started = time.perf_counter()
        narrate(chapter, audio, engine="local", kind="text", cache=False, progress=False)
        narrate_s = time.perf_counter() - started
    started = time.perf_counter()
    transcript = transcribe(audio, engine="local", language="en", cache=False, progress=False)
    transcribe_s = time.perf_counter() - started
    (folder / f"{slug}_chapter1.json").write_text(transcript.model_dump_json(), encoding="utf-8")
    reference, heard = canonical_words(chapter), canonical_words(transcript.text)
    wer = 100 * jiwer.wer(reference, heard)
    blind = 100 * jiwer.wer(spelling_blind(reference), spelling_blind(heard))
    errors = len([c for c in jiwer.process_words(reference, heard).alignments[0] if c.type != "equal"])
    at_cuts, at_joins = error_places(reference, transcript, window_cuts(audio), chunk_joins(chapter))
    return [name, f"{len(reference.split()):,}", f"{transcript.duration or 0:.0f}", f"{narrate_s:.0f}",
            f"{transcribe_s:.0f}", f"{wer:.2f}", f"{blind:.2f}", "ok" if blind <= TARGET else "FAIL",
            f"{errors}", f"{at_cuts}", f"{at_joins}", "; ".join(top_errors(reference, heard))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Pride and Prejudice chapter 1 only")
    parser.add_argument("--keep", type=Path, help="keep the narrated WAVs here (reused when present)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"books not found at {DATA}")
        return
    books = list(BOOKS.items())[:1] if args.quick else list(BOOKS.items())
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [round_trip(name, path, heading, folder) for name, (path, heading) in books]
    print_table("Round trip: Piper (joe) narration, faster-whisper tiny.en transcription, chapter 1",
                ["book", "words", "audio (s)", "narrate (s)", "transcribe (s)", "WER %", "spelling-blind WER %",
                 f"<= {TARGET:.0f} %", "errors", "at cuts", "at joins", "most frequent errors (reference -> heard)"],
                rows,
                ["both sides normalized by voicekit.normalize_text, then lower case without punctuation",
                 "narrate (s) is 0 when a kept WAV was reused"])


if __name__ == "__main__":
    main()
