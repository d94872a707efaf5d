"""The `voicekit narrate BOOK.epub` command's book options, plan table and summary (the rest is in `cli.py`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from voicekit import errors
from voicekit.cli_io import count, plan_footer, status
from voicekit.jobs.audiobook import MP4_FORMATS, SPLITS, Audiobook, BookOptions, BookPlan, narrate_book, plan_book

BOOK_ONLY_FORMATS = MP4_FORMATS
"""The `--format` choices that only a book can be written in (with chapters, tags and cover)."""


def add_book_options(parser: argparse.ArgumentParser) -> None:
    """The options that apply when the input is an EPUB book."""
    book = parser.add_argument_group("books (EPUB input)")
    book.add_argument("--chapters", help="narrate only these chapters, e.g. 3-5 or 1,4,7- (numbers from --plan)")
    book.add_argument("--split", choices=SPLITS, help="one file per chapter, in a folder named after -o")
    book.add_argument("--keep-all", action="store_true",
                      help="also narrate what is skipped by default (table of contents, licence pages...)")


def _book_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The book options given on the command line (by their `BookOptions` names)."""
    given = {"chapters": args.chapters, "split": args.split, "keep_all": args.keep_all or None}
    return {name: value for name, value in given.items() if value is not None}


def refuse_book_options(args: argparse.Namespace, source: str | Path) -> None:
    """`OptionError` when book options are given for a document that is not an EPUB book."""
    given = [f"--{name.replace('_', '-')}" for name in _book_flags(args)]
    if given:
        where = "standard input" if isinstance(source, str) else source
        raise errors.OptionError(f"{', '.join(given)} apply to EPUB books only; {where} is not one")


def run_book(args: argparse.Namespace, source: Path, given: dict[str, Any]) -> int:
    """Plan or narrate an EPUB book (`given` are the narration options from the command line) and print the plan
    or what was written. Options, output and chapters are checked before any work."""
    if args.captions is not None:
        raise errors.UnsupportedError("captions are not written for a book: leave --captions out")
    options = BookOptions(**given, **_book_flags(args))
    if args.plan:
        plan = plan_book(source, options=options)
        print(plan.model_dump_json(indent=2) if args.json else plan_text(plan))
        return 0
    book = narrate_book(source, args.output, options=options)
    if args.json:
        print(book.model_dump_json(indent=2))
    else:
        status(summary_text(book))
    return 0


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def plan_text(plan: BookPlan) -> str:
    """The plan as a table: a line per chapter, the skipped matter, then the totals."""
    lines = [f"{plan.title}" + (f" by {plan.author}" if plan.author else ""), "",
             "   #  requests  characters   cost $   audio    title"]
    lines += [f"{c.number:>4}  {c.requests:>8}  {c.characters:>10}  {c.cost_usd:>7.4f}  {_clock(c.audio_seconds):>7}"
              f"    {c.title}" for c in plan.chapters]
    if plan.skipped:
        lines += ["", "skipped (--keep-all narrates what has text):"]
        lines += [f"   - {s.title} ({s.reason}, {s.characters} characters)" for s in plan.skipped]
    lines += plan_footer(plan, f"about {_clock(plan.audio_seconds)} of audio, made in about "
                               f"{_clock(plan.estimated_seconds)}")
    return "\n".join(lines)


def summary_text(book: Audiobook) -> str:
    """What was written: the file (or folder), its chapters and what the run sent."""
    lines = [f"wrote {book.path} ({_clock(book.duration)}, {count(len(book.chapters), 'chapter')}: "
             f"{count(book.requests, 'chunk')} synthesized, {book.cached} from the cache, ${book.cost_usd:.4f})"]
    lines += [f"  {_clock(c.start / book.sample_rate)}  {c.title}" + ("  (resumed)" if c.resumed else "")
              for c in book.chapters]
    return "\n".join(lines)
