"""Subtitle cues on real transcripts, before and after the broadcast rules (`voicekit.transcript.cues`).

The shared recordings (`../shared/data/audio/*.wav|flac|ogg`) are transcribed once with the local engine (the packaged
tiny.en) and cached as JSON in a temp folder (`--cache`); the cues are then built by main's cue builder ("before",
`git show main:voicekit/transcript/formats.py`, or `--before-ref`) and by this checkout's ("after"), from the same
transcripts. For each, the table gives:

- cues, and the share of cues over 42 characters a line or 2 lines, under 1 s on screen, over 20 characters a
  second (all characters of the cue's lines, spaces included, over its time on screen);
- split numbers (a cue or line boundary between a digit and `.5`, `,234`, or between two digits), split names (a
  boundary between two capitalised words, no punctuation between them), one-word cues;
- whether the `srt` and `webvtt-py` packages parse every SRT and VTT file into the same number of cues.

A second table does the same for narration captions, on real sentences holding numbers, money and dates (the first
`--sentences` sentences with a digit in `../shared/data/tn/GoogleTN.json`, five to a paragraph), cut into chunks by
the real front end. Each chunk is given the time the loopback voice takes for it (0.06 s a letter or digit, a 0.5 s
pause after it). Before: main's captions, the chunk's normalized words in main's cues. After: the chunk's written
text, each word timed by the spoken characters it stands for, in this checkout's cues. "Written numbers shown" counts
the sentences' numbers (tokens with a digit) that the captions show as written.

Run: `python benchmarks/captions.py` (`--cache DIR` to keep the transcripts elsewhere).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import _common
import srt
import webvtt

import voicekit
from voicekit.transcript.model import Transcript

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".wav", ".flac", ".ogg")


def transcripts(cache: Path) -> dict[str, Transcript]:
    """Each shared recording's local transcript, from the cache or transcribed once into it."""
    cache.mkdir(parents=True, exist_ok=True)
    found: dict[str, Transcript] = {}
    for path in sorted((_common.DATA / "audio").glob("*")):
        if path.suffix not in SUFFIXES:
            continue
        target = cache / (path.stem + ".json")
        if not target.exists():
            transcript = voicekit.transcribe(path, engine="local", cache=False, progress=False)
            target.write_text(transcript.to_json(), encoding="utf-8")
        found[path.stem] = Transcript.from_json(target.read_bytes())
    return found


def module_at(ref: str) -> ModuleType:
    """The formats module as it is at a git ref, loaded under its own name."""
    source = subprocess.run(["git", "show", f"{ref}:voicekit/transcript/formats.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="formats-before-"))
    path = folder / "formats_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("formats_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["formats_before"] = module
    spec.loader.exec_module(module)
    return module


def _capitalised(word: str) -> bool:
    return bool(word) and word.lstrip("\"'“(")[:1].isupper()


def _split_number(left: str, right: str) -> bool:
    return bool(left) and left[-1].isdigit() and (right[:1].isdigit() or (right[:1] in ".,:" and right[1:2].isdigit()))


def _split_name(left: str, right: str) -> bool:
    return _capitalised(left) and left[-1].isalnum() and _capitalised(right)


def boundaries(cues: Sequence[Any]) -> list[tuple[str, str]]:
    """Every (last word, next word) pair across a cue or line boundary."""
    pairs: list[tuple[str, str]] = []
    lines = [line for cue in cues for line in cue.lines]
    for top, bottom in zip(lines, lines[1:], strict=False):
        if top.split() and bottom.split():
            pairs.append((top.split()[-1], bottom.split()[0]))
    return pairs


def measure(cues: Sequence[Any]) -> dict[str, float]:
    """The figures of one set of cues (counts; shares are taken over all files later)."""
    pairs = boundaries(cues)
    return {
        "cues": len(cues),
        "long": sum(len(c.lines) > 2 or any(len(line) > 42 for line in c.lines) for c in cues),
        "short": sum(c.end - c.start < 0.999 for c in cues),
        "fast": sum(c.end > c.start and len(" ".join(c.lines)) / (c.end - c.start) > 20.0 + 1e-9
                    or c.end <= c.start for c in cues),
        "numbers": sum(_split_number(a, b) for a, b in pairs),
        "names": sum(_split_name(a, b) for a, b in pairs),
        "one_word": sum(len(" ".join(c.lines).split()) == 1 for c in cues),
    }


def parses(text_srt: str, text_vtt: str, count: int) -> bool:
    """Whether both packages read the files, each into `count` cues."""
    try:
        srt_cues = list(srt.parse(text_srt))
        vtt_cues = webvtt.from_buffer(io.StringIO(text_vtt)).captions
    except Exception as exc:  # noqa: BLE001 - any failure to parse is what is counted
        print(f"  parse failed: {exc}", file=sys.stderr)
        return False
    return len(srt_cues) == count and len(vtt_cues) == count


def run(name: str, cues_of: Callable[[Transcript], list[Any]], srt_of: Callable[[Transcript], str],
        vtt_of: Callable[[Transcript], str], found: dict[str, Transcript]) -> tuple[str, dict[str, float], int]:
    totals: dict[str, float] = {}
    parsed = 0
    for transcript in found.values():
        cues = cues_of(transcript)
        for key, value in measure(cues).items():
            totals[key] = totals.get(key, 0) + value
        parsed += parses(srt_of(transcript), vtt_of(transcript), len(cues))
    return name, totals, parsed


def row(name: str, totals: dict[str, float], parsed: int, files: int) -> list[str]:
    cues = max(totals["cues"], 1)
    share = lambda key: f"{100 * totals[key] / cues:.1f} %"  # noqa: E731
    return [name, f"{totals['cues']:.0f}", share("long"), share("short"), share("fast"), f"{totals['numbers']:.0f}",
            f"{totals['names']:.0f}", f"{totals['one_word']:.0f}", f"{parsed}/{files}"]


def sentences(count: int) -> list[str]:
    """The first `count` sentences with a digit in the Google TN set, its tokenized text written as prose."""
    found: list[str] = []
    with (_common.DATA / "tn" / "GoogleTN.json").open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            if re.search(r"\d", text):
                text = re.sub(r"\s*(``|'')\s*", " ", text)
                text = re.sub(r" ('s|n't)\b", r"\1", " ".join(text.split()))
                found.append(re.sub(r" ([.,;:!?%)])", r"\1", re.sub(r"\( ", "(", text)))
            if len(found) == count:
                break
    return found


def narration_rows(before: ModuleType, count: int) -> list[list[str]]:
    """Before and after rows for the captions of a narration of real sentences with numbers (module docstring)."""
    from dataclasses import replace

    from voicekit.text.document import Block
    from voicekit.text.frontend import prepare
    from voicekit.text.written import spoken_text, spoken_weights
    from voicekit.transcript.cues import Token, cues_of_tokens, text_tokens
    from voicekit.transcript.model import Segment

    said = sentences(count)
    blocks = [Block(kind="paragraph", text=" ".join(said[k:k + 5])) for k in range(0, len(said), 5)]
    chunks = prepare(blocks).chunks
    spans, at = [], 0.0
    for chunk in chunks:
        seconds = 0.06 * sum(char.isalnum() for char in chunk.text)
        spans.append((at, at + seconds))
        at += seconds + 0.5
    old = Transcript(text="", duration=at, segments=[
        Segment(id=i, start=start, end=end, text=" " + spoken_text(chunk.text))
        for i, (chunk, (start, end)) in enumerate(zip(chunks, spans, strict=True))])
    tokens: list[Token] = []
    for chunk, (start, end) in zip(chunks, spans, strict=True):
        written = chunk.written or ""
        words = text_tokens(written, start, end, weights=spoken_weights(written, spoken_text(chunk.text)))
        tokens += [replace(words[0], first=True), *words[1:]] if words else []
    numbers = [word for sentence in said for word in sentence.split() if re.search(r"\d", word)]
    rows = []
    for name, cues in (("before (main)", before.subtitle_cues(old)), ("after (this checkout)",
                                                                       cues_of_tokens(tokens, limit=at))):
        totals = measure(cues)
        shown = " ".join(line for cue in cues for line in cue.lines).split()
        kept = sum(1 for word in numbers if word in shown)
        rows.append(row(name, totals, -1, 0)[:-1] + [f"{kept}/{len(numbers)}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "voicekit-captions-bench")
    parser.add_argument("--before-ref", default="main")
    parser.add_argument("--sentences", type=int, default=200)
    args = parser.parse_args()
    found = transcripts(args.cache)
    before = module_at(args.before_ref)
    from voicekit.transcript import formats

    results = [
        run(f"before ({args.before_ref})", before.subtitle_cues, before.to_srt, before.to_vtt, found),
        run("after (this checkout)", formats.subtitle_cues, formats.to_srt, formats.to_vtt, found),
    ]
    seconds = sum(t.duration or 0.0 for t in found.values())
    words = sum(len(t.words) for t in found.values())
    _common.print_table(
        f"Subtitle cues of {len(found)} real recordings ({seconds:.0f} s, {words} words, local tiny.en)",
        ["cue builder", "cues", "> 42 chars/line or > 2 lines", "< 1 s", "> 20 cps", "split numbers", "split names",
         "one-word cues", "srt + webvtt-py parse"],
        [row(name, totals, parsed, len(found)) for name, totals, parsed in results],
        ["A cue under 1 s or over 20 cps can be unavoidable (a short utterance between long pauses, or fast speech "
         "with no pause to extend into). Split names: a boundary between two capitalised words."],
    )
    _common.print_table(
        f"Narration captions of {args.sentences} real sentences with numbers (Google TN set, real front end)",
        ["captions", "cues", "> 42 chars/line or > 2 lines", "< 1 s", "> 20 cps", "split numbers", "split names",
         "one-word cues", "written numbers shown"],
        narration_rows(before, args.sentences),
        ["Chunk times: 0.06 s a letter or digit (the loopback voice), 0.5 s between chunks."],
    )


if __name__ == "__main__":
    main()
