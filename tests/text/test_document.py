"""Documents to blocks: plain text and Project Gutenberg, Markdown, HTML, and loading files."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_data import shared_data

from voicekit.errors import InputError
from voicekit.text.document import Block, detect_kind, load_document, parse_document
from voicekit.text.frontend import FrontendOptions, prepare_chunks


def kinds(blocks: list[Block]) -> list[tuple[str, str, int]]:
    return [(block.kind, block.text, block.level) for block in blocks]


def test_plain_text_joins_wrapped_lines_and_splits_on_blank_lines() -> None:
    source = "\ufeffFirst line\r\nwraps here.\r\n\r\n  Second   paragraph.\r\n\r\n\r\n*   *   *\r\n"
    assert kinds(parse_document(source, "text")) == [
        ("paragraph", "First line wraps here.", 0),
        ("paragraph", "Second paragraph.", 0),
    ]


def test_gutenberg_boilerplate_is_dropped_and_chapters_are_headings() -> None:
    source = (
        "The Project Gutenberg EBook of X\n\nLicense blah.\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\nProduced by Someone\n\n"
        "THE TALE OF X\n\nCHAPTER I. The Start\n\nIt was _very_ dark.\n\n[Illustration]\n\n"
        "Chapter 2\n\nThe end.\n\nEnd of the Project Gutenberg EBook of X\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n\nMore license.\n"
    )
    assert kinds(parse_document(source)) == [
        ("heading", "THE TALE OF X", 1),
        ("heading", "CHAPTER I. The Start", 2),
        ("paragraph", "It was very dark.", 0),
        ("heading", "Chapter 2", 2),
        ("paragraph", "The end.", 0),
    ]


MARKDOWN = """---
title: Front matter is skipped
---
# A *title* here

Read [the link](https://example.com) but not ![an image](a.png) or `code`, [cheerful] please.

- first item
  - nested **item**
1. numbered

```python
print("skipped")
```

    indented code, skipped

| Name | Age |
|------|-----|
| Ann  | 30  |

Setext heading
--------------

> quoted text
"""


def test_markdown_blocks() -> None:
    assert detect_kind(MARKDOWN) == "markdown"
    assert kinds(parse_document(MARKDOWN)) == [
        ("heading", "A title here", 1),
        ("paragraph", "Read the link but not or , [cheerful] please.", 0),
        ("list_item", "first item", 1),
        ("list_item", "nested item", 2),
        ("list_item", "numbered", 1),
        ("paragraph", "Name, Age", 0),
        ("paragraph", "Ann, 30", 0),
        ("heading", "Setext heading", 2),
        ("paragraph", "quoted text", 0),
    ]


def test_a_leading_thematic_break_is_not_front_matter() -> None:
    blocks = parse_document("---\n\n# Title\n\ntext\n\n---\n\nMore.", "markdown")
    assert [block.text for block in blocks] == ["Title", "text", "More."]
    assert [block.text for block in parse_document("+++\ntitle = 1\n+++\nBody.", "markdown")] == ["Body."]


CITED = """# Results

As shown before [1], in [the survey][2] and in [3](https://example.com/3), results hold.[^note]

[1]: https://example.com/paper "Paper"
[2]: https://example.com/survey

[^note]: A footnote nobody hears in the text.
"""


def test_reference_style_citations_and_their_definitions_are_not_read() -> None:
    blocks = parse_document(CITED, "markdown")
    assert kinds(blocks) == [
        ("heading", "Results", 1),
        ("paragraph", "As shown before [1], in the survey and in [3], results hold.[^note]", 0),
    ]
    spoken = [chunk.text for chunk in prepare_chunks(blocks, FrontendOptions())]
    assert spoken == ["Results", "As shown before, in the survey and in, results hold."]
    kept = prepare_chunks(blocks, FrontendOptions(keep_citations=True))
    assert kept[1].text == "As shown before (one), in the survey and in (three), results hold.(^note)"


def test_markdown_code_on_request() -> None:
    blocks = parse_document("Use `run()` now.\n\n```\nx = 1\n```\n", "markdown", include_code=True)
    assert kinds(blocks) == [("paragraph", "Use run() now.", 0), ("paragraph", "x = 1", 0)]


HTML = """<!DOCTYPE html><html><head><title>Not read</title><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a></nav>
<h1>Big &amp; bold</h1>
<p>First line<br>second line &mdash; with <em>emphasis</em> and &eacute;.</p>
<script>var x = "<p>no</p>";</script>
<ul><li>one<ul><li>two</li></ul></li><li>three</li></ul>
<pre><code>skipped()</code></pre>
<p>[whisper] Quietly.</p></body></html>"""


def test_html_blocks() -> None:
    assert detect_kind(HTML) == "html"
    assert kinds(parse_document(HTML)) == [
        ("heading", "Big & bold", 1),
        ("paragraph", "First line", 0),
        ("paragraph", "second line — with emphasis and é.", 0),
        ("list_item", "one", 1),
        ("list_item", "two", 2),
        ("list_item", "three", 1),
        ("paragraph", "[whisper] Quietly.", 0),
    ]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("Just some text.\n\nAnd more.", "text"),
        ("# Title\n\nText.", "markdown"),
        ("<p>Para</p><p>Two</p>", "html"),
        ("- a\n- b\n", "markdown"),
    ],
)
def test_detect_kind(source: str, kind: str) -> None:
    assert detect_kind(source) == kind


def test_load_document_by_extension(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes("\ufeff# Hi\n\nThere.".encode())
    (tmp_path / "a.txt").write_text("# Not a heading\n\nText.", encoding="utf-8")
    (tmp_path / "a.htm").write_text("<h2>Hi</h2>", encoding="utf-8")
    assert kinds(load_document(tmp_path / "a.md")) == [("heading", "Hi", 1), ("paragraph", "There.", 0)]
    assert kinds(load_document(tmp_path / "a.txt"))[0] == ("paragraph", "# Not a heading", 0)
    assert kinds(load_document(tmp_path / "a.htm")) == [("heading", "Hi", 2)]


def test_load_document_rejects_binary_undecodable_and_empty(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"RIFF\x00\x00\x00\x00WAVE")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.md").write_text("   \n", encoding="utf-8")
    with pytest.raises(InputError, match="binary"):
        load_document(tmp_path / "bin.txt")
    with pytest.raises(InputError, match="byte 3"):
        load_document(tmp_path / "latin1.txt")
    with pytest.raises(InputError, match="no text"):
        load_document(tmp_path / "empty.md")
    with pytest.raises(InputError, match="cannot read"):
        load_document(tmp_path / "missing.txt")


def test_unknown_kind_is_an_input_error() -> None:
    with pytest.raises(InputError):
        parse_document("x", "pdf")  # type: ignore[arg-type]


def test_pride_and_prejudice_blocks() -> None:
    path = shared_data("text", "gutenberg_1342_pride_and_prejudice.txt")
    blocks = load_document(path)
    headings = [block.text for block in blocks if block.kind == "heading"]
    assert headings[0] == "PRIDE AND PREJUDICE"
    assert [h for h in headings if h.startswith("Chapter")] == [f"Chapter {n}" for n in range(1, 62)]
    assert blocks[3].text.startswith("It is a truth universally acknowledged, that a single man")
    assert blocks[-1].text.endswith("had been the means of uniting them.")
    assert not any("Gutenberg" in block.text for block in blocks)
    assert all("\n" not in block.text and "  " not in block.text for block in blocks)
