"""The audiobook job: the plan per chapter, an M4B whose chapters are the book's, a part of the book, split files,
and resume per chapter. Against the loopback server (fast, countable), and once for real with Piper."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import soundfile
from narration import Loopback, run_cli

import voicekit
from voicekit import errors
from voicekit.audio.m4b import read_chapters
from voicekit.cli import main
from voicekit.engines.groq_engines import GroqSpeechEngine
from voicekit.jobs.audiobook import CHAPTER_PAUSE_S, Audiobook, BookPlan, book_output, parse_chapters
from voicekit.testing import Fault
from voicekit.testing.books import AUTHOR, CHAPTER_TITLES, FOOTNOTE, TITLE, tiny_book


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return tiny_book(tmp_path / "tiny.epub")


def book(loop: Loopback, source: Path, out: Path, **options: object) -> Audiobook:
    result = voicekit.narrate(source, out, client=loop.client(), progress=False, **options)  # type: ignore[arg-type]
    assert isinstance(result, Audiobook)
    return result


def groq_plan(source: Path, **options: object) -> BookPlan:
    """The plan for the Groq engine (a plan sends nothing: any key will do)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GROQ_API_KEY", "gsk_plan_only")
        plan = voicekit.plan_narration(source, engine="groq", **options)  # type: ignore[arg-type]
    assert isinstance(plan, BookPlan)
    return plan


def test_the_plan_shows_each_chapter_and_the_skipped_matter(tiny: Path) -> None:
    plan = groq_plan(tiny)
    assert [c.title for c in plan.chapters] == list(CHAPTER_TITLES)
    assert all(c.requests >= 1 and c.cost_usd > 0 and c.audio_seconds > 0 for c in plan.chapters)
    assert plan.requests == sum(c.requests for c in plan.chapters)
    assert {s.reason for s in plan.skipped} == {"cover", "table of contents", "licence"}
    part = groq_plan(tiny, chapters="2-3")
    assert [c.number for c in part.chapters] == [2, 3]


def test_chapter_numbers_outside_the_book_are_refused_before_any_work(loop: Loopback, tiny: Path,
                                                                      tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="chapters 1 to 3"):
        book(loop, tiny, tmp_path / "book.m4b", chapters="2-4")
    assert loop.server.log.count() == 0
    assert parse_chapters("1,3-", 5) == [1, 3, 4, 5] and parse_chapters(None, 2) == [1, 2]
    with pytest.raises(errors.InputError, match="cannot read the chapters"):
        parse_chapters("three", 5)


def test_the_m4b_has_the_books_chapters_tags_and_cover(loop: Loopback, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.m4b"
    result = book(loop, tiny, out)
    marks, tags, rate = read_chapters(out)
    assert [m.title for m in marks] == list(CHAPTER_TITLES)
    assert [(m.start, m.end) for m in marks] == [(c.start, c.end) for c in result.chapters]
    assert marks[0].start == 0 and rate == result.sample_rate
    assert marks[-1].end == round(result.duration * rate)
    assert (tags["title"], tags["artist"]) == (TITLE, AUTHOR)
    with av.open(str(out)) as container:
        assert any(s.disposition & av.stream.Disposition.attached_pic for s in container.streams)
    sent = " ".join(loop.speech.texts)
    assert FOOTNOTE not in sent and "All rights reserved" not in sent and "harbour website" in sent
    assert result.requests == loop.server.log.count() == groq_plan(tiny).requests
    assert not out.with_name("book.m4b.parts").exists(), "the parts folder is removed once the book is written"


def test_each_chapter_starts_where_its_audio_starts_after_the_chapter_pause(loop: Loopback, tiny: Path,
                                                                          tmp_path: Path) -> None:
    """FLAC output keeps the samples as stitched: the pause before each chapter mark is silence, and the chapter's
    own audio starts on the mark (its first chunk's audio)."""
    out = tmp_path / "book.flac"
    result = book(loop, tiny, out)
    samples, rate = soundfile.read(str(out), dtype="float32")
    gap = round(CHAPTER_PAUSE_S * rate)
    for chapter in result.chapters[1:]:
        assert not np.any(samples[chapter.start - gap : chapter.start]), "the chapter pause is not silent"
        assert np.any(samples[chapter.start : chapter.start + rate]), "no audio after the mark"
    assert samples.size == result.chapters[-1].end
    cue = out.with_suffix(".cue").read_text(encoding="utf-8")
    assert 'FILE "book.flac" WAVE' in cue and cue.count("INDEX 01") == 3 and f'TITLE "{CHAPTER_TITLES[2]}"' in cue


def test_a_part_of_the_book_narrates_only_those_chapters(loop: Loopback, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.m4b"
    result = book(loop, tiny, out, chapters="2")
    assert [c.title for c in result.chapters] == [CHAPTER_TITLES[1]]
    assert result.requests == groq_plan(tiny, chapters="2").requests == loop.server.log.count()
    assert [m.title for m in read_chapters(out)[0]] == [CHAPTER_TITLES[1]]


def test_split_writes_one_tagged_file_per_chapter(loop: Loopback, tiny: Path, tmp_path: Path) -> None:
    result = book(loop, tiny, tmp_path / "book.m4b", split="chapters")
    assert result.path == tmp_path / "book" and len(result.files) == 3
    for track, (file, title) in enumerate(zip(result.files, CHAPTER_TITLES, strict=True), start=1):
        assert file.parent == tmp_path / "book" and file.suffix == ".m4b"
        marks, tags, _ = read_chapters(file)
        assert (tags["title"], tags["album"], tags["track"]) == (title, TITLE, f"{track}/3")
        assert [m.title for m in marks] == [title]


def test_a_run_that_fails_in_chapter_three_redoes_nothing_of_chapters_one_and_two(loop: Loopback, tiny: Path,
                                                                                 tmp_path: Path) -> None:
    plan = groq_plan(tiny)
    first_two = plan.chapters[0].requests + plan.chapters[1].requests
    loop.speech.hooks[first_two + 1] = lambda: loop.server.inject(Fault.status(400), endpoint="speech")
    out = tmp_path / "book.m4b"
    with pytest.raises(errors.BadRequestError):
        book(loop, tiny, out, concurrency=1)
    assert not out.exists()
    assert len(list(out.with_name("book.m4b.parts").glob("*.flac"))) == 2, "finished chapters are kept"
    loop.server.log.reset()
    loop.speech.texts.clear()
    resumed = book(loop, tiny, out, concurrency=1)
    assert [c.resumed for c in resumed.chapters] == [True, True, False]
    assert resumed.cached == 1, "only chapter three's one finished chunk comes from the chunk cache"
    assert loop.server.log.count() == resumed.requests == plan.chapters[2].requests - 1
    assert not any("harbour" in text or "afternoon" in text for text in loop.speech.texts)
    assert [m.title for m in read_chapters(out)[0]] == list(CHAPTER_TITLES)


def test_document_options_refuse_book_keywords(loop: Loopback, tmp_path: Path) -> None:
    with pytest.raises(errors.OptionError, match="EPUB books only"):
        voicekit.narrate("A short text to read.", tmp_path / "a.wav", chapters="1", engine="local")  # type: ignore[arg-type]
    with pytest.raises(errors.OptionError, match="split apply to EPUB books only"):
        voicekit.plan_narration("A short text to read.", options=voicekit.BookOptions(split="chapters"))
    assert not (tmp_path / "a.wav").exists()


def test_a_misspelled_or_bad_book_option_is_refused_naming_it_before_any_work(loop: Loopback, tiny: Path,
                                                                            tmp_path: Path) -> None:
    out = tmp_path / "book.m4b"
    with pytest.raises(errors.OptionError, match="unknown option 'chapter' \\(did you mean 'chapters'\\?\\)"):
        book(loop, tiny, out, chapter="2")
    with pytest.raises(errors.OptionError, match="option 'split'"):
        book(loop, tiny, out, split="pages")
    with pytest.raises(errors.OptionError, match="option 'chapters': cannot read the chapters"):
        book(loop, tiny, out, chapters="two")
    with pytest.raises(errors.OptionError, match="option 'format'"):
        book(loop, tiny, out, format="aiff")
    assert loop.server.log.count() == 0 and not out.exists()


def test_the_output_is_checked_before_any_work(loop: Loopback, tiny: Path, tmp_path: Path) -> None:
    for out, words in ((tmp_path / "book.txt", "extension .txt: use one of .m4b"), (tmp_path / "no" / "book.m4b",
                                                                          "does not exist"),
                       (tmp_path, "is a folder")):
        with pytest.raises(errors.InputError, match=words):
            book(loop, tiny, out)
    assert loop.server.log.count() == 0
    assert not list(tmp_path.glob("*.parts")), "no parts folder is made for a refused output"
    assert book_output(tiny, None) == (tiny.with_suffix(".m4b"), "m4b")
    assert book_output(tiny, None, "flac") == (tiny.with_suffix(".flac"), "flac")
    assert book_output(tiny, tmp_path / "book.wave") == (tmp_path / "book.wave", "wav")


def test_an_engine_object_narrates_the_book_and_stays_open_for_its_owner(loop: Loopback, tiny: Path,
                                                                        tmp_path: Path) -> None:
    engine = GroqSpeechEngine(loop.client(), voice="diana")
    first = voicekit.narrate(tiny, tmp_path / "one.m4b", engine=engine, chapters="1", progress=False)
    assert isinstance(first, Audiobook) and first.requests == loop.server.log.count() > 0
    options = voicekit.NarrateOptions(engine=engine, cache=False, progress=False)
    again = voicekit.narrate(tiny, tmp_path / "two.m4b", options=options, chapters="1")
    assert isinstance(again, Audiobook) and again.requests == first.requests, "the engine was left open"
    assert loop.server.log.count() == 2 * first.requests


BOOK_CLI_BAD = [
    # (arguments, status, words the one line holds)
    (("narrate", "tiny.epub", "--chapters", "9"), 1, "chapters 1 to 3"),
    (("narrate", "tiny.epub", "--chapters", "three"), 2, "option 'chapters'"),
    (("narrate", "tiny.epub", "--split", "pages"), 2, "pages"),
    (("narrate", "tiny.epub", "--format", "aiff"), 2, "aiff"),
    (("narrate", "tiny.epub", "-o", "book.txt"), 1, ".txt"),
    (("narrate", "tiny.epub", "-o", "nodir/book.m4b"), 1, "does not exist"),
    (("narrate", "tiny.epub", "--captions", "book.srt"), 1, "captions"),
    (("narrate", "tiny.epub", "--engine", "groq"), 1, "GROQ_API_KEY"),
    (("narrate", "doc.md", "--chapters", "2", "--keep-all"), 2, "--chapters, --keep-all apply to EPUB books only"),
    (("narrate", "doc.md", "--format", "m4b"), 2, "option 'format'"),
]


@pytest.mark.parametrize(("args", "status", "words"), BOOK_CLI_BAD, ids=[" ".join(a) for a, *_ in BOOK_CLI_BAD])
def test_a_bad_book_invocation_is_one_line_and_a_status(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                                        status: int, words: str) -> None:
    monkeypatch.chdir(tiny.parent)
    (tiny.parent / "doc.md").write_text("# A chapter\n\nThe keeper lit the lamp.\n", encoding="utf-8")
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert code == status and len(captured.err.splitlines()) == 1, captured.err
    assert ": error: " in captured.err and words in captured.err and captured.out == ""
    assert {p.name for p in tiny.parent.iterdir()} - {"cache"} == {"doc.md", "tiny.epub"}, "no output, no parts"


def test_the_command_line_plans_a_book(loop: Loopback, tiny: Path) -> None:
    process = run_cli("narrate", str(tiny), "--plan", "--chapters", "1-2", env=loop.env())
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert CHAPTER_TITLES[0] in stdout and CHAPTER_TITLES[2] not in stdout
    assert "Copyright (licence" in stdout and "Contents (table of contents" in stdout


@pytest.mark.slow
def test_piper_narrates_the_tiny_book_into_an_m4b(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.m4b"
    result = voicekit.narrate(tiny, out, engine="local", progress=False)
    assert isinstance(result, Audiobook) and result.sample_rate == 22050
    marks, _, _ = read_chapters(out)
    assert [m.title for m in marks] == list(CHAPTER_TITLES)
    assert [m.start for m in marks] == [c.start for c in result.chapters]
    again = voicekit.narrate(tiny, tmp_path / "again.m4b", engine="local", progress=False)
    assert isinstance(again, Audiobook) and again.requests == 0 and again.cached == result.requests
