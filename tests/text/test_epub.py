"""EPUB books to chapters: the tiny book built here with ebooklib, and the shared books (Alice, Row Your Boat as
EPUB 2 and EPUB 3) when present."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicekit import errors
from voicekit.testing.books import AUTHOR, CHAPTER_TITLES, FOOTNOTE, TITLE, tiny_book, tiny_png
from voicekit.text.document import parse_html
from voicekit.text.epub import is_epub, read_epub, split_xhtml

EPUBS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "epub").resolve()


def shared_book(name: str) -> Path:
    """A shared EPUB; the test is skipped, saying why, when the shared data is absent (the project's wording)."""
    path = EPUBS / name
    if not path.is_file():
        pytest.skip(f"shared test data not found: {path} (the recordings live in ../shared/data beside the checkout)")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return tiny_book(tmp_path / "tiny.epub")


def test_chapters_follow_the_navigation_in_spine_order_with_its_titles(tiny: Path) -> None:
    book = read_epub(tiny)
    assert [c.title for c in book.chapters] == list(CHAPTER_TITLES)
    assert [c.number for c in book.chapters] == [1, 2, 3]
    assert (book.title, book.author, book.language) == (TITLE, AUTHOR, "en")


def test_a_document_no_entry_points_into_continues_the_chapter_and_an_anchor_starts_one(tiny: Path) -> None:
    two, three = read_epub(tiny).chapters[1:]
    assert [b.text for b in two.blocks][-1] == "By evening every boat had come home safely."
    assert three.blocks[0].text == "The Third Chapter" and len(three.blocks) == 2


def test_front_and_back_matter_is_skipped_and_listed_with_the_reason(tiny: Path) -> None:
    book = read_epub(tiny)
    reasons = {s.title: s.reason for s in book.skipped}
    assert reasons["Cover"] == "cover"
    assert reasons["Contents"] == "table of contents"
    assert reasons["Copyright"] == "licence"
    spoken = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "All rights reserved" not in spoken


def test_keep_all_narrates_the_skipped_matter_that_has_text(tiny: Path) -> None:
    titles = [c.title for c in read_epub(tiny, keep_all=True).chapters]
    assert "Copyright" in titles and "Contents" in titles and "Cover" not in titles


def test_a_title_page_of_headings_opens_the_first_chapter_with_heading_blocks(tiny: Path) -> None:
    first = read_epub(tiny).chapters[0]
    assert [(b.kind, b.text) for b in first.blocks[:3]] == [
        ("heading", TITLE), ("heading", f"by {AUTHOR}"), ("heading", CHAPTER_TITLES[0])]


def test_footnote_markers_and_notes_are_not_read_but_link_text_is(tiny: Path) -> None:
    first = read_epub(tiny).chapters[0]
    texts = [b.text for b in first.blocks]
    assert "Anna walked to the harbour on a bright morning. The boats were out." in texts
    assert "She read about it on the harbour website before she left." in texts
    assert not any(FOOTNOTE in t for t in texts)


def test_the_cover_image_comes_with_its_media_type(tiny: Path) -> None:
    book = read_epub(tiny)
    assert book.cover == tiny_png() and book.cover_type == "image/png"


def test_a_book_without_cover_has_none(tmp_path: Path) -> None:
    book = read_epub(tiny_book(tmp_path / "plain.epub", cover=False))
    assert book.cover is None and "Cover" not in {s.title for s in book.skipped}


def test_note_markers_in_markup() -> None:
    markup = ('<p>One<a href="#n1">[1]</a> two<a role="doc-noteref" href="notes.xhtml#n2">see note</a> three '
              '<a href="chapter2.xhtml">the next chapter</a>.</p><section role="doc-endnotes"><p>Note.</p></section>')
    (segment,) = split_xhtml(markup, set())
    assert [b.text for b in parse_html(segment.markup)] == ["One two three the next chapter."]


def test_square_brackets_are_never_directions(tmp_path: Path) -> None:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("brackets")
    book.set_title("Brackets")
    page = epub.EpubHtml(title="One", file_name="one.xhtml")
    page.content = ("<html><body><h1>One</h1><p>[Illustration: a cat]</p><p>[later editions read:<br/>a verse]</p>"
                    "<p>As shown [12], the cat sat.</p></body></html>")
    book.add_item(page)
    book.toc = [epub.Link("one.xhtml", "One", "one")]
    book.add_item(epub.EpubNcx())
    book.spine = [page]
    epub.write_epub(str(tmp_path / "b.epub"), book)
    texts = [b.text for b in read_epub(tmp_path / "b.epub").chapters[0].blocks]
    assert texts == ["One", "(later editions read:", "a verse)", "As shown [12], the cat sat."]


def test_what_is_not_a_book_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="no such file"):
        read_epub(tmp_path / "missing.epub")
    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"this is not a zip file")
    with pytest.raises(errors.InputError, match="not a readable EPUB"):
        read_epub(broken)


def test_is_epub_goes_by_the_extension() -> None:
    assert is_epub("book.EPUB") and is_epub(Path("a/b.epub"))
    assert not is_epub("book.txt") and not is_epub("some text\nthat ends in .epub") and not is_epub(3)


def test_alice_has_its_twelve_chapters_without_the_gutenberg_licence_or_contents() -> None:
    book = read_epub(shared_book("pg11-images.epub"))
    assert len(book.chapters) == 12
    assert book.chapters[0].title == "CHAPTER I. Down the Rabbit-Hole"
    assert book.chapters[-1].title == "CHAPTER XII. Alice’s Evidence"
    assert book.chapters[-1].blocks[-1].text == "THE END"
    assert (book.title, book.author, book.language) == ("Alice's Adventures in Wonderland", "Lewis Carroll", "en")
    skipped = {s.title: s.reason for s in book.skipped}
    assert skipped == {"Project Gutenberg header": "licence", "Contents": "table of contents",
                       "Project Gutenberg licence": "licence"}
    spoken = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "Project Gutenberg" not in spoken
    opening = [(b.kind, b.text) for b in book.chapters[0].blocks[:5]]
    assert opening == [("heading", "ALICE’S ADVENTURES"), ("heading", "IN WONDERLAND"), ("heading", "By Lewis Carroll"),
                       ("heading", "THE MILLENNIUM FULCRUM EDITION 3.0"),
                       ("heading", "CHAPTER I. Down the Rabbit-Hole")], "the title page opens chapter I"
    assert all(c.blocks[0].kind == "heading" for c in book.chapters)


@pytest.mark.parametrize("name", ["Row-Your-Boat-2.0.epub", "Row-Your-Boat-3.0.epub"])
def test_row_your_boat_as_epub_2_and_3(name: str) -> None:
    book = read_epub(shared_book(name))
    assert [c.title for c in book.chapters] == ["Row, Row, Row Your Boat"]
    assert book.author == "Unknown Person" and book.language == "en-US"
    assert book.cover is not None and book.cover[:3] == b"\xff\xd8\xff" and book.cover_type == "image/jpeg"
    texts = [b.text for b in book.chapters[0].blocks]
    assert texts[0] == "Row, Row, Row Your Boat" and texts[-1] == "And listen to her scream."
