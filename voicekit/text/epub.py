"""EPUB 2 and 3 books to chapters of `Block`s, read as a listener hears an audiobook.

`read_epub(path)` opens the book with ebooklib and gives a `Book`: its title, author, language, cover image, the
chapters to narrate in spine order, and the matter that was skipped, each with the reason. The rules it keeps:

- **Chapters follow the table of contents.** Each entry of the EPUB 3 navigation document (or the EPUB 2 NCX),
  flattened in reading order, starts a chapter at its anchor, titled as the entry; a spine document no entry points
  into continues the chapter before it. A chapter that holds only headings (a title page, a part divider) opens the
  chapter after it instead of standing alone.
- **Matter nobody listens to is skipped and listed**: the cover, the table of contents (the navigation document,
  the guide's `toc`, a chapter titled Contents), licence and copyright pages, the Project Gutenberg header and
  licence (around its `*** START OF` / `*** END OF` lines), image-only pages, and documents outside the reading order
  (`linear="no"`). `keep_all=True` narrates everything that has text.
- **Footnote markers and links are not read, link text is**: a link to a note (`epub:type="noteref"`,
  `role="doc-noteref"`, or a short marker such as `1`, `*`, `[2]` pointing into the book) is dropped with its text;
  notes themselves (`footnote`, `endnote`, `rearnote` asides) are dropped; other links read as their text.
- **Square brackets are the author's or the editor's, never vocal directions**: `[Illustration]` is dropped, a
  numeric citation such as `[12]` is kept for the front end to drop, and any other bracket is read as a parenthesis
  (so an editor's note opened in one verse line and closed in another cannot break the narration).
- **Headings are announced with a pause**: each chapter's XHTML goes through `voicekit.text.document.parse_html`,
  so headings become heading blocks that the narration follows with the heading pause.
"""

from __future__ import annotations

import html
import posixpath
import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from voicekit.errors import InputError
from voicekit.text.document import Block, parse_html

__all__ = ["Book", "BookChapter", "SkippedMatter", "is_epub", "read_epub"]


class SkippedMatter(BaseModel):
    """A part of the book that is not narrated, and why."""

    model_config = ConfigDict(frozen=True)

    title: str
    reason: str
    characters: int = 0
    """Characters of text it held (0 for an image-only page)."""


class BookChapter(BaseModel):
    """One chapter to narrate: its number (from 1, in reading order), title, blocks and the document it came from."""

    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    blocks: list[Block]
    source: str

    @property
    def characters(self) -> int:
        return sum(len(block.text) for block in self.blocks)


class Book(BaseModel):
    """A book read from an EPUB: what to narrate, what was skipped, and the tags an audiobook carries."""

    model_config = ConfigDict(frozen=True)

    title: str
    author: str | None = None
    language: str | None = None
    cover: bytes | None = None
    """The cover image's bytes (JPEG or PNG as stored in the book), for the audiobook's picture."""
    cover_type: str | None = None
    """The cover's media type, e.g. image/jpeg."""
    chapters: list[BookChapter]
    skipped: list[SkippedMatter] = []


def is_epub(source: object) -> bool:
    """Whether `source` names an EPUB file (a path or a one-line string ending in .epub)."""
    if not isinstance(source, (str, Path)) or (isinstance(source, str) and ("\n" in source or len(source) > 1024)):
        return False
    return Path(source).suffix.lower() == ".epub"


# ---------------------------------------------------------------------------------------------- XHTML filtering

_NOTE_TYPES = re.compile(r"\b(?:doc-)?(?:footnote|endnote|rearnote|note|annotation|endnotes|footnotes)\b")
_NOTEREF_TYPES = re.compile(r"\b(?:doc-)?(?:noteref|annoref|biblioref)\b")
_MARKER = re.compile(r"\[?\(?(?:\d{1,3}|[*†‡§¶#]{1,3}|[a-z]|[ivxlc]{1,5})\)?\]?")
_IMAGE_TAGS = frozenset({"img", "image"})
_VOID = frozenset("br hr img input meta link area base col embed source track wbr param image".split())


def _attr(attrs: list[tuple[str, str | None]], *names: str) -> str:
    """The first of `names` present among a tag's attributes ('' when none is)."""
    found = dict(attrs)
    for name in names:
        value = found.get(name)
        if value:
            return value
    return ""


@dataclass
class _Segment:
    """A stretch of one spine document: from an anchor (or the document's start) to the next anchor."""

    anchor: str | None
    parts: list[str] = field(default_factory=list)
    images: int = 0
    link_chars: int = 0

    @property
    def markup(self) -> str:
        return "".join(self.parts)


class _XhtmlSplitter(HTMLParser):
    """Rewrites an XHTML document without note markers and notes, cut into segments at the given element ids.

    Links are buffered until they close: a link to a note, or a short marker pointing into the book, is dropped
    with its text; any other link is kept as its markup (the HTML reader reads its text).
    """

    def __init__(self, anchors: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors = anchors
        self.segments = [_Segment(anchor=None)]
        self.skip: list[str] = []
        self.link: list[str] | None = None
        self.link_drop = False
        self.link_internal = False
        self.link_depth = 0

    def _emit(self, text: str) -> None:
        if self.link is not None:
            self.link.append(text)
        else:
            self.segments[-1].parts.append(text)

    def _maybe_split(self, attrs: list[tuple[str, str | None]]) -> None:
        ident = _attr(attrs, "id", "name")
        if ident and ident in self.anchors and self.link is None:
            self.segments.append(_Segment(anchor=ident))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)
            return
        kind = _attr(attrs, "epub:type", "role")
        if _NOTE_TYPES.search(kind) and not _NOTEREF_TYPES.search(kind) and tag not in _VOID:
            self.skip.append(tag)
            return
        self._maybe_split(attrs)
        if tag in _IMAGE_TAGS:
            self.segments[-1].images += 1
        if tag == "a" and self.link is None and _attr(attrs, "href"):
            self.link, self.link_depth = [], 1
            self.link_drop = bool(_NOTEREF_TYPES.search(kind))
            self.link_internal = not re.match(r"[a-z][a-z0-9+.-]*:", _attr(attrs, "href"), re.IGNORECASE)
            return
        if tag == "a" and self.link is not None:
            self.link_depth += 1
        self._emit(self.get_starttag_text() or f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            return
        self._maybe_split(attrs)
        if tag in _IMAGE_TAGS:
            self.segments[-1].images += 1
        self._emit(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag == "a" and self.link is not None:
            self.link_depth -= 1
            if self.link_depth == 0:
                self._close_link()
                return
        self._emit(f"</{tag}>")

    def _close_link(self) -> None:
        """Keep a finished link's markup, unless it is a note reference or a bare marker into the book."""
        assert self.link is not None
        markup = "".join(self.link)
        text = re.sub(r"<[^>]*>", "", markup).strip()
        drop = self.link_drop or (self.link_internal and _MARKER.fullmatch(html.unescape(text)) is not None)
        self.link = None
        if not drop:
            self.segments[-1].parts.append(markup)
            self.segments[-1].link_chars += len(text)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._emit(html.escape(data, quote=False))

    def close(self) -> None:
        super().close()
        if self.link is not None:
            self.link_depth = 1
            self._close_link()


def split_xhtml(markup: str, anchors: set[str]) -> list[_Segment]:
    """The document cut at the elements whose id is in `anchors`, without notes and note markers."""
    splitter = _XhtmlSplitter(anchors)
    splitter.feed(markup)
    splitter.close()
    return splitter.segments


# ---------------------------------------------------------------------------------------------- the book

_CONTENTS = re.compile(r"(?:table of )?contents|toc|inhalt|table des mati[eè]res|[ií]ndice|sommaire", re.IGNORECASE)
_LICENCE = re.compile(
    r".*\b(?:licen[cs]e|copyright|colophon|imprint|legal notice|rights)\b.*", re.IGNORECASE
)
_COVER = re.compile(r"cover(?:[ -]?(?:page|image))?|title ?page image", re.IGNORECASE)
_GUTENBERG_START = re.compile(r"\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*", re.IGNORECASE)
_GUTENBERG_END = re.compile(r"\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*|End of (?:the )?Project Gutenberg.*",
                            re.IGNORECASE)


@dataclass
class _Draft:
    """A chapter being assembled: its title, source, blocks, and facts for deciding whether to skip it."""

    title: str
    source: str
    blocks: list[Block] = field(default_factory=list)
    images: int = 0
    link_chars: int = 0
    reason: str | None = None

    @property
    def characters(self) -> int:
        return sum(len(block.text) for block in self.blocks)


@dataclass
class _NavPoint:
    href: str
    anchor: str | None
    title: str


def _open(path: Path) -> Any:
    """The ebooklib book; a missing file, a file that is not an EPUB or a broken one raise `InputError`."""
    try:
        from ebooklib import epub
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise InputError('reading EPUB needs ebooklib: pip install "voicekit[epub]"') from exc
    if not path.is_file():
        raise InputError(f"cannot read {path}: no such file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return epub.read_epub(str(path), options={"ignore_ncx": True})
    except Exception as exc:  # ebooklib raises bare exceptions, zipfile and lxml errors alike
        raise InputError(f"{path} is not a readable EPUB ({type(exc).__name__}: {exc}): check the file") from None


def _flatten_toc(entries: Any, base: str = "") -> list[_NavPoint]:
    """The navigation entries (ebooklib `Link`s, `Section`s and nested tuples) in reading order, at every level."""
    points: list[_NavPoint] = []
    for entry in entries:
        if isinstance(entry, (tuple, list)):
            points += _flatten_toc(entry[:1], base)
            points += _flatten_toc(entry[1] if len(entry) > 1 else [], base)
            continue
        href = getattr(entry, "href", None)
        title = " ".join(str(getattr(entry, "title", "") or "").split())
        if href:
            path, _, anchor = unquote(href).partition("#")
            points.append(_NavPoint(href=posixpath.normpath(posixpath.join(base, path)), anchor=anchor or None,
                                    title=title))
    return points


def _nav_base(book: Any) -> str:
    """The folder of the navigation document or NCX inside the EPUB's content folder (hrefs are relative to it)."""
    from ebooklib import epub

    for item in book.get_items():
        if isinstance(item, (epub.EpubNav, epub.EpubNcx)):
            return str(posixpath.dirname(item.get_name()))
    return ""


def _metadata(book: Any, name: str) -> str | None:
    values = book.get_metadata("DC", name)
    texts = [" ".join(str(value).split()) for value, _ in values if value and str(value).strip()]
    return texts[0] if texts else None


def _authors(book: Any) -> str | None:
    names = [" ".join(str(value).split()) for value, _ in book.get_metadata("DC", "creator") if value]
    return ", ".join(dict.fromkeys(name for name in names if name)) or None


def _cover(book: Any, spine_items: list[Any]) -> tuple[bytes | None, str | None, str | None]:
    """The cover image (bytes, media type) and the id of the XHTML page showing it, by the EPUB 3 `cover-image`
    item, the EPUB 2 `<meta name="cover">`, the guide's cover page, or a spine page named cover."""
    from ebooklib import epub

    images = {item.get_id(): item for item in book.get_items() if item.media_type.startswith("image/")}
    by_name = {item.get_name(): item for item in book.get_items()}
    found = next((item for item in images.values() if isinstance(item, epub.EpubCover)), None)
    meta = book.get_metadata("OPF", "cover")
    if found is None and meta:
        found = images.get(meta[0][1].get("content", "")) if isinstance(meta[0][1], dict) else None
    page_id = None
    for item in spine_items:
        if _COVER.fullmatch(item.get_id()) or _COVER.fullmatch(Path(item.get_name()).stem):
            page_id = item.get_id()
            if found is None:
                src = re.search(rb"<(?:img|image)\b[^>]*?(?:src|href)=[\"']([^\"']+)", _raw(item))
                if src:
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(item.get_name()),
                                                               unquote(src.group(1).decode())))
                    found = by_name.get(target)
            break
    if found is None:
        return None, None, page_id
    return found.get_content(), found.media_type, page_id


def _raw(item: Any) -> bytes:
    """An item's bytes as stored in the book (ebooklib rewrites XHTML in `get_content`, dropping the head)."""
    content = getattr(item, "content", None)
    return content if isinstance(content, bytes) else bytes(item.get_content())


def _spine(book: Any) -> list[tuple[Any, bool]]:
    """The spine's XHTML items in reading order, each with whether it is linear."""
    items = []
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is not None and item.media_type in ("application/xhtml+xml", "text/html"):
            items.append((item, linear != "no"))
    return items


def _guide_toc(book: Any) -> set[tuple[str, str | None]]:
    """(document, anchor) pairs the guide names as the table of contents."""
    pairs = set()
    for reference in getattr(book, "guide", []) or []:
        if reference.get("type") == "toc" and reference.get("href"):
            path, _, anchor = unquote(reference["href"]).partition("#")
            pairs.add((posixpath.normpath(path), anchor or None))
    return pairs


def _drafts(book: Any, points: list[_NavPoint], cover_page: str | None) -> list[_Draft]:
    """Chapters as the table of contents cuts the spine, each marked with why it is skipped (or not)."""
    from ebooklib import epub

    by_doc: dict[str, list[_NavPoint]] = {}
    for point in points:
        by_doc.setdefault(point.href, []).append(point)
    toc_pages = _guide_toc(book)
    drafts: list[_Draft] = []
    for item, linear in _spine(book):
        name = posixpath.normpath(item.get_name())
        doc_points = by_doc.get(name, [])
        anchors = {point.anchor for point in doc_points if point.anchor}
        titles = {point.anchor: point.title for point in doc_points}
        markup = _raw(item).decode("utf-8", errors="replace")
        for segment in split_xhtml(markup, anchors):
            blocks = parse_html(segment.markup)
            if segment.anchor is None and None not in titles and drafts and linear and drafts[-1].reason is None:
                _extend(drafts[-1], blocks, segment)
                continue
            title = titles.get(segment.anchor) or _first_heading(blocks) or _page_title(markup) or Path(name).stem
            draft = _Draft(title=title, source=name)
            _extend(draft, blocks, segment)
            if isinstance(item, epub.EpubNav):
                draft.reason = "table of contents"
            elif item.get_id() == cover_page:
                draft.reason = "cover"
            elif (name, segment.anchor) in toc_pages:
                draft.reason = "table of contents"
            elif not linear:
                draft.reason = "outside the reading order (linear=no)"
            drafts.append(draft)
    return drafts


_ILLUSTRATION = re.compile(r"\[Illustration[^\]]*\]", re.IGNORECASE)
_CITATION = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")


def _book_brackets(block: Block) -> Block | None:
    """The block with `[Illustration...]` removed, numeric citations kept and other square brackets read as
    parentheses; None when nothing with a letter or digit is left."""
    text = _ILLUSTRATION.sub("", block.text)
    pieces = _CITATION.split(text)
    citations = _CITATION.findall(text)
    text = "".join(p.replace("[", "(").replace("]", ")") + (citations[i] if i < len(citations) else "")
                   for i, p in enumerate(pieces))
    text = " ".join(text.split())
    if not re.search(r"[^\W_]", text):
        return None
    return block if text == block.text else block.model_copy(update={"text": text})


def _extend(draft: _Draft, blocks: list[Block], segment: _Segment) -> None:
    draft.blocks.extend(kept for kept in (_book_brackets(block) for block in blocks) if kept is not None)
    draft.images += segment.images
    draft.link_chars += segment.link_chars


def _first_heading(blocks: list[Block]) -> str | None:
    return next((block.text for block in blocks if block.kind == "heading"), None)


def _page_title(markup: str) -> str | None:
    found = re.search(r"<title[^>]*>(.*?)</title>", markup, re.IGNORECASE | re.DOTALL)
    title = " ".join(html.unescape(found.group(1)).split()) if found else ""
    return title or None


def _judge(draft: _Draft) -> str | None:
    """Why a chapter is not narrated (None: it is), from its title and content."""
    if draft.reason:
        return draft.reason
    if not draft.blocks:
        return "image-only page" if draft.images else "no text"
    if _COVER.fullmatch(draft.title):
        return "cover"
    if _CONTENTS.fullmatch(draft.title.strip(" .:")):
        return "table of contents"
    if _LICENCE.fullmatch(draft.title):
        return "licence"
    if draft.link_chars >= 0.6 * draft.characters and draft.characters > 0:
        return "table of contents"
    return None


def _cut_gutenberg(draft: _Draft, skipped: list[SkippedMatter]) -> None:
    """Drop the Project Gutenberg header (up to its START line and a `Produced by` line after it) and licence (from
    its END line on) from a chapter's blocks, listing what was dropped."""
    blocks = draft.blocks
    start = next((i for i, b in enumerate(blocks) if _GUTENBERG_START.fullmatch(b.text)), None)
    if start is not None:
        end_of_header = start + 1
        if end_of_header < len(blocks) and blocks[end_of_header].text.lower().startswith("produced by"):
            end_of_header += 1
        skipped.append(SkippedMatter(title="Project Gutenberg header", reason="licence",
                                     characters=sum(len(b.text) for b in blocks[:end_of_header])))
        blocks = blocks[end_of_header:]
    end = next((i for i, b in enumerate(blocks) if _GUTENBERG_END.fullmatch(b.text)), None)
    if end is not None:
        skipped.append(SkippedMatter(title="Project Gutenberg licence", reason="licence",
                                     characters=sum(len(b.text) for b in blocks[end:])))
        blocks = blocks[:end]
    draft.blocks = blocks


def _chapters(drafts: list[_Draft], keep_all: bool) -> tuple[list[BookChapter], list[SkippedMatter]]:
    """The chapters to narrate, numbered from 1, and the skipped matter. A chapter of headings only opens the next
    chapter narrated."""
    chapters: list[BookChapter] = []
    skipped: list[SkippedMatter] = []
    opening: list[Block] = []
    for draft in drafts:
        _cut_gutenberg(draft, skipped)
        reason = _judge(draft)
        if reason == "no text":
            continue
        if reason is not None and not (keep_all and draft.blocks):
            skipped.append(SkippedMatter(title=draft.title, reason=reason, characters=draft.characters))
            continue
        if all(block.kind == "heading" for block in draft.blocks):
            opening += draft.blocks
            continue
        chapters.append(BookChapter(number=len(chapters) + 1, title=draft.title, blocks=opening + draft.blocks,
                                    source=draft.source))
        opening = []
    if opening and chapters:
        last = chapters[-1]
        chapters[-1] = last.model_copy(update={"blocks": last.blocks + opening})
    elif opening:
        chapters.append(BookChapter(number=1, title=drafts[0].title, blocks=opening, source=drafts[0].source))
    return chapters, skipped


def read_epub(path: str | Path, *, keep_all: bool = False) -> Book:
    """The book in `path` (EPUB 2 or 3): its chapters to narrate, the matter skipped, its tags and cover.

    Raises `InputError` for a missing file, a file that is not an EPUB, or a book with nothing to narrate.
    """
    file = Path(path)
    book = _open(file)
    spine_items = [item for item, _ in _spine(book)]
    cover, cover_type, cover_page = _cover(book, spine_items)
    points = _flatten_toc(book.toc, _nav_base(book))
    chapters, skipped = _chapters(_drafts(book, points, cover_page), keep_all)
    if not chapters:
        raise InputError(f"{file} has no chapter with text to read aloud (skipped: "
                         f"{', '.join(s.title for s in skipped) or 'nothing'})")
    return Book(title=_metadata(book, "title") or file.stem, author=_authors(book),
                language=_metadata(book, "language"), cover=cover, cover_type=cover_type, chapters=chapters,
                skipped=skipped)
