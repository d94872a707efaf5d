"""The text front end on Pride and Prejudice: requests, cut quality, short chunks and throughput.

Run: `python benchmarks/chunker.py` (from the repository root; reads ../shared/data/text). Prints one table:

- chunks: requests to send; lower bound: ceil(characters sent / 200), and the bound when no chunk may span two
  blocks (the sum over blocks), since the chunker never joins blocks;
- punct.: share of chunks ending at sentence or clause punctuation (`. ! ? … ; : , — –`, closing quotes aside);
- sentence: share of chunks ending at a sentence end (or a block's end);
- short: chunks under `min_chars`, and how many of those are not the last of their block (must be 0);
- MB/s: source bytes per CPU second through parse + directions + normalization + sentences + chunks, best of 5
  runs, with the real normalizer when `voicekit.text.normalize` is importable; "unnormalized" leaves it out.

Targets: requests <= 1.3x the lower bound, >= 95 % punctuated ends, 0 short chunks inside a block, >= 1 MB/s.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from voicekit.text.chunk import Chunk, ChunkOptions
from voicekit.text.document import Block, parse_document
from voicekit.text.frontend import FrontendOptions, prepare

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BOOK = DATA / "text" / "gutenberg_1342_pride_and_prejudice.txt"
PUNCTUATED = re.compile(r"[.!?…;:,—–-][\"'”’)\]»]*$")
SLICE_BYTES = 100_000


def best_time(run: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of `repeat` runs, in CPU seconds of this process (wall time swings on a shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def row(name: str, source: str, options: FrontendOptions) -> list[str]:
    """One table row for `source` chunked with `options`."""
    blocks: list[Block] = parse_document(source, "text")
    chunks: list[Chunk] = prepare(blocks, options).chunks
    limit, minimum = options.chunk.max_chars, options.chunk.min_chars
    characters = sum(chunk.chars for chunk in chunks)
    bound = math.ceil(characters / limit)
    by_block: dict[int, int] = {}
    unjoined = options.model_copy(update={"chunk": options.chunk.model_copy(update={"join_blocks": False})})
    for chunk in prepare(blocks, unjoined).chunks if options.chunk.join_blocks else chunks:
        by_block[chunk.block] = by_block.get(chunk.block, 0) + chunk.chars + 1
    block_bound = sum(math.ceil((chars - 1) / limit) for chars in by_block.values())
    short = [chunk for chunk in chunks if chunk.chars < minimum]
    punctuated = sum(1 for chunk in chunks if PUNCTUATED.search(chunk.text))
    seconds = best_time(lambda: prepare(parse_document(source, "text"), options))
    plain = options.model_copy(update={"normalize": False})
    seconds_plain = best_time(lambda: prepare(parse_document(source, "text"), plain))
    size = len(source.encode("utf-8"))
    return [
        name,
        f"{size / 1e6:.2f}",
        str(len(chunks)),
        f"{bound} / {block_bound}",
        f"{len(chunks) / bound:.2f}x / {len(chunks) / block_bound:.2f}x",
        f"{100 * punctuated / len(chunks):.1f} %",
        f"{100 * sum(chunk.ends_sentence for chunk in chunks) / len(chunks):.1f} %",
        f"{len(short)} / {sum(not chunk.ends_block for chunk in short)}",
        f"{characters / len(chunks):.0f}",
        str(max(chunk.chars for chunk in chunks)),
        f"{size / seconds / 1e6:.2f}",
        f"{size / seconds_plain / 1e6:.2f}",
    ]


def main() -> int:
    if not BOOK.exists():
        print(f"skipped: {BOOK} not found")
        return 0
    source = BOOK.read_bytes().decode("utf-8-sig")
    try:
        import voicekit.text.normalize  # noqa: F401

        normalize, note = True, "real normalizer (voicekit.text.normalize)"
    except ImportError:
        normalize, note = False, "no normalizer (voicekit.text.normalize is missing)"
    options = FrontendOptions(chunk=ChunkOptions(), normalize=normalize)
    joined = FrontendOptions(chunk=ChunkOptions(join_blocks=True), normalize=normalize)
    text = source.replace("\r\n", "\n")
    piece = text[text.index("Chapter 1") :].encode("utf-8")[:SLICE_BYTES].decode("utf-8", errors="ignore")
    piece = piece[: piece.rindex("\n\n")]
    rows = [
        row("whole book", source, options),
        row("100 KB slice", piece, options),
        row("whole book, join_blocks", source, joined),
        row("100 KB slice, join_blocks", piece, joined),
    ]
    header = ["input", "MB", "chunks", "lower bound (all / per block)", "ratio", "punct.", "sentence",
              "short (all / inside)",
              "mean chars", "max", "MB/s", "MB/s unnormalized"]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    print(f"Pride and Prejudice, max_chars={options.chunk.max_chars}, min_chars={options.chunk.min_chars}, {note}")
    for line in [header, ["-" * width for width in widths], *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
