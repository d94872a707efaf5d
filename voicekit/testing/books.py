"""Tiny EPUB books, built with ebooklib, for tests of the audiobook path without any shared data.

`tiny_book(path)` writes an EPUB 3 (with an NCX too, as ebooklib writes it) holding everything the reader must
handle: a cover page showing only the cover image, a title page of headings only, a table of contents page, three
chapters (the second split over two spine documents, the third sharing a document with the second's end through an
anchor), footnote markers and a footnote, an outside link, and a copyright page.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

TITLE = "The Tiny Book"
AUTHOR = "Ada Example"
CHAPTER_TITLES = ("The First Chapter", "The Second Chapter", "The Third Chapter")
FOOTNOTE = "This footnote is never read."


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A valid RGB PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xc0\x30\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _page(title: str, body: str) -> str:
    return (f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
            f"<head><title>{title}</title></head><body>{body}</body></html>")


_ONE = """<h1>The First Chapter</h1>
<p>Anna walked to the harbour on a bright morning.<a epub:type="noteref" href="#fn1">1</a> The boats were out.</p>
<p>She read about it on <a href="https://example.org/harbour">the harbour website</a> before she left.<sup>
<a href="#fn2">2</a></sup></p>
<aside epub:type="footnote" id="fn1"><p>This footnote is never read.</p></aside>"""

_TWO_A = """<h1>The Second Chapter</h1><p>The wind turned in the afternoon and the sea grew grey.</p>"""
_TWO_B = """<p>By evening every boat had come home safely.</p>
<h1 id="three">The Third Chapter</h1><p>Night fell over the quiet town, and the lamps were lit one by one.</p>"""


def tiny_book(path: str | Path, *, cover: bool = True) -> Path:
    """Write the tiny book to `path` and return it."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("tiny-book-1")
    book.set_title(TITLE)
    book.set_language("en")
    book.add_author(AUTHOR)
    if cover:
        book.set_cover("cover.png", tiny_png(), create_page=True)
    pages = {
        "title": epub.EpubHtml(title="Title Page", file_name="title.xhtml", lang="en"),
        "contents": epub.EpubHtml(title="Contents", file_name="contents.xhtml", lang="en"),
        "one": epub.EpubHtml(title=CHAPTER_TITLES[0], file_name="one.xhtml", lang="en"),
        "two_a": epub.EpubHtml(title=CHAPTER_TITLES[1], file_name="two-a.xhtml", lang="en"),
        "two_b": epub.EpubHtml(title="", file_name="two-b.xhtml", lang="en"),
        "rights": epub.EpubHtml(title="Copyright", file_name="rights.xhtml", lang="en"),
    }
    bodies = {
        "title": f"<h1>{TITLE}</h1><h2>by {AUTHOR}</h2>",
        "contents": "<h1>Contents</h1><ol>" + "".join(
            f'<li><a href="{target}">{name}</a></li>'
            for name, target in zip(CHAPTER_TITLES, ("one.xhtml", "two-a.xhtml", "two-b.xhtml#three"), strict=True)
        ) + "</ol>",
        "one": _ONE, "two_a": _TWO_A, "two_b": _TWO_B,
        "rights": "<h1>Copyright</h1><p>Copyright 2026 Ada Example. All rights reserved. No part of this book "
                  "may be reproduced without permission.</p>",
    }
    for key, page in pages.items():
        page.content = _page(page.title or "page", bodies[key])
        book.add_item(page)
    book.toc = [
        epub.Link("title.xhtml", "Title Page", "title"),
        epub.Link("contents.xhtml", "Contents", "contents"),
        epub.Link("one.xhtml", CHAPTER_TITLES[0], "one"),
        epub.Link("two-a.xhtml", CHAPTER_TITLES[1], "two"),
        epub.Link("two-b.xhtml#three", CHAPTER_TITLES[2], "three"),
        epub.Link("rights.xhtml", "Copyright", "rights"),
    ]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = (["cover"] if cover else []) + ["nav", *pages.values()]
    target = Path(path)
    epub.write_epub(str(target), book)
    return target
