"""Documents to blocks: plain text (Project Gutenberg included), Markdown and HTML, read as a listener hears them.

`parse_document(source, kind)` gives a flat list of `Block`s (heading, paragraph, list item), each one line of
single-spaced text. What a listener should not hear is left out:

- **plain text**: a byte-order mark, CRLF, hard wraps (lines of a paragraph are joined; blank lines separate
  paragraphs), the Project Gutenberg header and footer around `*** START OF ... ***` / `*** END OF ... ***` and the
  `Produced by` line after it, `[Illustration]` paragraphs, `_underscore_` emphasis marks and paragraphs with no
  letter or digit (`*  *  *`). A `CHAPTER I`-style line becomes a heading of level 2, a short all-capitals title
  line a heading of level 1.
- **Markdown** (markdown-it-py, CommonMark plus tables): front matter, code blocks and inline code (unless
  `include_code`), images and raw HTML tags are skipped; emphasis marks are dropped and links read as their text,
  except numeric citations (`[1]` with its `[1]: https://...` definition), which become bracketed citations that
  are not read; reference definitions and footnote definitions (`[^1]: ...`) are not read.
  A table is read row by row, each row one paragraph with its cells joined by commas (the header row first).
- **HTML** (stdlib `html.parser`): h1-h6, p, li (level = list depth), blockquote, td/th, div and friends; `<br>`
  ends a block; script, style, nav, head, template, noscript, svg and (unless `include_code`) pre/code are skipped;
  entities are decoded.

`load_document(path)` reads a file's bytes, decodes UTF-8 (with or without BOM) and picks the parser from the
extension, raising `InputError` for binary or undecodable data.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from voicekit.errors import InputError

BlockKind = Literal["heading", "paragraph", "list_item"]
DocumentKind = Literal["auto", "text", "markdown", "html"]


class Block(BaseModel):
    """One block of a document: its kind, its text on one line, and its level (heading level 1-6, list depth from
    1, 0 for a paragraph)."""

    model_config = ConfigDict(frozen=True)

    kind: BlockKind
    text: str
    level: int = 0


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SPACES = re.compile(r"\s+")
_HAS_WORD = re.compile(r"[^\W_]")


def clean_text(text: str) -> str:
    """One line of single-spaced text: control characters, zero-width spaces and BOMs become spaces, runs of
    whitespace become one space, the ends are stripped."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _block(kind: BlockKind, text: str, level: int = 0) -> Block | None:
    """A block of cleaned `text`, or None when it has no letter or digit to speak."""
    cleaned = clean_text(text)
    return Block(kind=kind, text=cleaned, level=level) if _HAS_WORD.search(cleaned) else None


# ---------------------------------------------------------------------------------------------- plain text

_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE | re.IGNORECASE)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE | re.IGNORECASE)
_CHAPTER = re.compile(
    r"(?:CHAPTER|Chapter|BOOK|Book|PART|Part|VOLUME|Volume|STAVE|Stave|LETTER|Letter)\s+"
    r"(?:[IVXLCDM]+|\d+|[A-Z][a-z]+|[A-Z]+)\b.{0,70}"
)
_TITLE = re.compile(r"[A-Z0-9][A-Z0-9 ,'’:;&-]*[A-Z0-9]")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
_ILLUSTRATION = re.compile(r"\[Illustration[^\]]*\]", re.IGNORECASE)


def strip_gutenberg(text: str) -> str:
    """The text between the Project Gutenberg `*** START OF ...` and `*** END OF ...` lines when present (each
    marker is used on its own), without a `Produced by ...` paragraph right after the start."""
    start = _GUTENBERG_START.search(text)
    if start:
        text = text[start.end() :]
        text = re.sub(r"\A\s*Produced by[^\n]*(?:\n[^\n]+)*", "", text)
    end = _GUTENBERG_END.search(text)
    if end:
        text = text[: end.start()]
        text = re.sub(r"\n\s*End of (?:the )?Project Gutenberg[^\n]*(?:\n[^\n]+)*\s*\Z", "\n", text, flags=re.I)
    return text


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, their hard-wrapped lines joined (as single spaces later)."""
    return [part for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _text_block(paragraph: str) -> Block | None:
    """A plain-text paragraph as a block: a chapter line or a short capitalised title is a heading."""
    one_line = clean_text(paragraph)
    if "\n" not in paragraph.strip() and len(one_line) <= 80:
        if _CHAPTER.fullmatch(one_line):
            return _block("heading", one_line, 2)
        if _TITLE.fullmatch(one_line) and " " in one_line and not one_line.isdigit():
            return _block("heading", one_line, 1)
    return _block("paragraph", one_line)


def parse_text(source: str) -> list[Block]:
    """Blocks of a plain-text document (see the module docstring for what is dropped)."""
    text = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = strip_gutenberg(text)
    text = _ILLUSTRATION.sub("", text)
    text = _UNDERSCORE_EMPHASIS.sub(r"\1", text)
    blocks = (_text_block(paragraph) for paragraph in _paragraphs(text))
    return [block for block in blocks if block is not None]


# ---------------------------------------------------------------------------------------------- Markdown

_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n(?=[\w-]+[ \t]*[:=])(?:.*?\n)??(?:---|\.\.\.|\+\+\+)[ \t]*(?:\n|\Z)", re.DOTALL
)
"""YAML (`---`) or TOML (`+++`) front matter: the block at the very start whose first line is `key: value`."""


_CITATION_LABEL = re.compile(r"\s*\d{1,3}[a-z]?(?:\s*[-–,;]\s*\d{1,3}[a-z]?)*\s*")
"""Link text that is a numeric citation (`[1]`, `[12a]`, `[3, 4]`), not words to read."""
_FOOTNOTE_DEFINITION = re.compile(r"\s*\[\^[^\]\s]+\]:")
"""A footnote definition (`[^3]: The note.`): the note itself, which a listener does not hear in the text."""


def _inline_text(token: Any, include_code: bool) -> str:
    """The spoken text of an inline token: text and link text kept, images and HTML tags dropped, inline code kept
    only with `include_code`, line breaks read as spaces. A link whose text is a numeric citation (`[1]` with a
    `[1]: https://...` definition, or `[1](https://...)`) is written back as `[1]`, a citation, which the
    directions step drops (or keeps, with `keep_citations`) like any other; the definition lines are never text."""
    parts: list[str] = []
    link: list[str] | None = None
    for child in token.children or []:
        target = parts if link is None else link
        if child.type == "link_open":
            link = []
        elif child.type == "link_close" and link is not None:
            text = "".join(link)
            parts.append(f"[{text.strip()}]" if _CITATION_LABEL.fullmatch(text) else text)
            link = None
        elif child.type == "text":
            target.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            target.append(" ")
        elif child.type == "code_inline" and include_code:
            target.append(child.content)
    return "".join(parts if link is None else parts + link)


class _MarkdownWalker:
    """Walks markdown-it block tokens, keeping the list depth and whether a table row is open."""

    def __init__(self, include_code: bool) -> None:
        self.include_code = include_code
        self.blocks: list[Block] = []
        self.list_depth = 0
        self.heading_level = 0
        self.row: list[str] | None = None

    def add(self, kind: BlockKind, text: str, level: int = 0) -> None:
        block = _block(kind, text, level)
        if block is not None:
            self.blocks.append(block)

    def visit(self, token: Any) -> None:
        """Handle one block-level token."""
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.list_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.list_depth -= 1
        elif kind == "heading_open":
            self.heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            self.heading_level = 0
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close" and self.row is not None:
            self.add("paragraph", ", ".join(cell for cell in self.row if cell.strip()))
            self.row = None
        elif kind in ("fence", "code_block") and self.include_code:
            self.add("paragraph", token.content)
        elif kind == "html_block":
            self.blocks.extend(parse_html(token.content, include_code=self.include_code))
        elif kind == "inline":
            self.inline(token)

    def inline(self, token: Any) -> None:
        """An inline run: a heading, a table cell, a list item's text or a paragraph."""
        text = _inline_text(token, self.include_code)
        if _FOOTNOTE_DEFINITION.match(text):
            return
        if self.row is not None:
            self.row.append(clean_text(text))
        elif self.heading_level:
            self.add("heading", text, self.heading_level)
        elif self.list_depth:
            self.add("list_item", text, self.list_depth)
        else:
            self.add("paragraph", text)


def parse_markdown(source: str, *, include_code: bool = False) -> list[Block]:
    """Blocks of a Markdown document (see the module docstring for what is read and what is skipped)."""
    from markdown_it import MarkdownIt

    text = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _FRONT_MATTER.sub("", text, count=1)
    walker = _MarkdownWalker(include_code)
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        walker.visit(token)
    return walker.blocks


# ---------------------------------------------------------------------------------------------- HTML

_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCK_TAGS = frozenset(
    "p div section article main aside header footer blockquote figure figcaption dd dt td th tr table "
    "address center body html ul ol dl hr form fieldset details summary caption".split()
)
_SKIPPED_TAGS = frozenset("script style nav head template noscript svg math iframe object select button".split())
_CODE_TAGS = frozenset({"pre", "code"})
_VOID_TAGS = frozenset("br hr img input meta link area base col embed source track wbr param".split())


class _BlockCollector(HTMLParser):
    """Collects text into blocks as HTML tags open and close; skipped elements are counted by depth."""

    def __init__(self, include_code: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.include_code = include_code
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.kind: BlockKind = "paragraph"
        self.level = 0
        self.list_depth = 0
        self.skip_depth = 0
        self.skip_stack: list[str] = []

    def flush(self) -> None:
        """End the block being collected, if it has any text."""
        block = _block(self.kind, "".join(self.buffer), self.level)
        if block is not None:
            self.blocks.append(block)
        self.buffer = []

    def _skipped(self, tag: str) -> bool:
        return tag in _SKIPPED_TAGS or (tag in _CODE_TAGS and not self.include_code)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_stack:
            if tag == self.skip_stack[-1] and tag not in _VOID_TAGS:
                self.skip_stack.append(tag)
            return
        if self._skipped(tag):
            self.skip_stack.append(tag)
            return
        self._open(tag)

    def _open(self, tag: str) -> None:
        """Start a new block for a block-level tag and set its kind and level."""
        if tag in ("ul", "ol"):
            self.flush()
            self.list_depth += 1
        elif tag == "li":
            self.flush()
            self.kind, self.level = "list_item", max(self.list_depth, 1)
        elif tag in _HEADINGS:
            self.flush()
            self.kind, self.level = "heading", _HEADINGS[tag]
        elif tag == "br" or tag in _BLOCK_TAGS:
            self.flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip_stack and tag in ("br", "hr"):
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if self.skip_stack:
            if tag == self.skip_stack[-1]:
                self.skip_stack.pop()
            return
        if tag in ("ul", "ol"):
            self.flush()
            self.list_depth = max(0, self.list_depth - 1)
            self._reset_kind()
        elif tag in _HEADINGS or tag == "li" or tag in _BLOCK_TAGS:
            self.flush()
            self._reset_kind()

    def _reset_kind(self) -> None:
        """After a block closes, loose text is a list item inside a list, else a paragraph."""
        if self.list_depth:
            self.kind, self.level = "list_item", self.list_depth
        else:
            self.kind, self.level = "paragraph", 0

    def handle_data(self, data: str) -> None:
        if not self.skip_stack:
            self.buffer.append(data)


def parse_html(source: str, *, include_code: bool = False) -> list[Block]:
    """Blocks of an HTML document (see the module docstring for what is read and what is skipped)."""
    collector = _BlockCollector(include_code)
    collector.feed(source.lstrip("\ufeff"))
    collector.close()
    collector.flush()
    return collector.blocks


# ---------------------------------------------------------------------------------------------- choosing

_HTML_START = re.compile(r"\A\s*(?:<!doctype html|<html|<\?xml)", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:p|div|h[1-6]|body|br|li|ul|ol|span|a|em|strong|table)[\s>/]", re.IGNORECASE)
_MARKDOWN_STRONG = re.compile(r"^(?:#{1,6}\s+\S|```|~~~|---\n)|\]\([^)\s]+\)|^\s*\|.*\|\s*$", re.MULTILINE)
_MARKDOWN_WEAK = re.compile(r"^(?:\s*[-*+]\s+\S|\s*\d+\.\s+\S|>\s)|\*\*\S|`[^`\n]+`", re.MULTILINE)


def detect_kind(source: str) -> Literal["text", "markdown", "html"]:
    """Guess the kind of a document from its content: an HTML document start, then Markdown syntax (a heading, a
    fence, a link, a table row), then HTML tags (two or more), then weaker Markdown signs (two or more), else plain
    text. Project Gutenberg files are always plain text."""
    head = source[:20000]
    if _GUTENBERG_START.search(head):
        return "text"
    if _HTML_START.search(head):
        return "html"
    if _MARKDOWN_STRONG.search(head):
        return "markdown"
    if len(_HTML_TAG.findall(head)) >= 2:
        return "html"
    if len(_MARKDOWN_WEAK.findall(head)) >= 2:
        return "markdown"
    return "text"


def parse_document(source: str, kind: DocumentKind = "auto", *, include_code: bool = False) -> list[Block]:
    """The blocks of a document given as text; `kind="auto"` guesses it with `detect_kind`."""
    chosen = detect_kind(source) if kind == "auto" else kind
    if chosen == "text":
        return parse_text(source)
    if chosen == "markdown":
        return parse_markdown(source, include_code=include_code)
    if chosen == "html":
        return parse_html(source, include_code=include_code)
    raise InputError(f"unknown document kind {kind!r}: use 'auto', 'text', 'markdown' or 'html'")


_SUFFIX_KINDS: dict[str, DocumentKind] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


def decode_document(data: bytes, name: str = "document") -> str:
    """UTF-8 text (a BOM is dropped) from a file's bytes; `InputError` for binary data or bytes that are not UTF-8,
    naming the byte offset."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks like binary data (it holds NUL bytes): give a text, Markdown or HTML file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be decoded): convert it to UTF-8 first"
        ) from None


def load_document(path: str | Path, kind: DocumentKind = "auto", *, include_code: bool = False) -> list[Block]:
    """The blocks of a document file; the kind comes from the extension (.txt, .md, .markdown, .html, .htm), else
    from its content. Raises `InputError` for a missing, binary, undecodable or empty file."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    text = decode_document(data, str(file))
    chosen = _SUFFIX_KINDS.get(file.suffix.lower(), "auto") if kind == "auto" else kind
    blocks = parse_document(text, chosen, include_code=include_code)
    if not blocks:
        raise InputError(f"{file} has no text to read aloud")
    return blocks
