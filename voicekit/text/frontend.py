"""The whole text front end as one pure function: blocks in, the exact request strings out.

For each block: split directions (`split_directions`) -> drop them if the model takes none (`strip_directions`,
with a warning) -> normalize each text piece (`voicekit.text.normalize.normalize_text`; directions never reach
it) -> sentences and chunks (`chunk_blocks`, one block at a time, or runs of paragraphs with
`ChunkOptions.join_blocks`) -> each chunk's written text, for captions (`voicekit.text.written`). Chunks are
counted after normalization, on exactly the string that is sent.
Nothing here talks to a model, reads a file or keeps state.

`prepare(blocks, options)` returns the chunks with the warnings and the removed directions; `prepare_chunks` returns
the chunks only and logs the warnings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from voicekit.errors import InputError
from voicekit.text.chunk import Chunk, ChunkOptions, chunk_blocks
from voicekit.text.directions import Direction, Piece, directions_in, split_directions, strip_directions
from voicekit.text.document import Block
from voicekit.text.written import written_texts

logger = logging.getLogger(__name__)

Normalizer = Callable[[str, str], str]


class FrontendOptions(BaseModel):
    """Options of the text front end."""

    model_config = ConfigDict(frozen=True)

    chunk: ChunkOptions = Field(default_factory=ChunkOptions)
    """How text is cut into requests."""
    language: str = "en"
    """The language the text is normalized for ("en", "ar")."""
    keep_citations: bool = False
    """Keep numeric citations and editorial marks (`[12]`, `[sic]`) as text in parentheses instead of dropping them."""
    directions: bool = True
    """Send vocal directions; False removes them (the Arabic model takes none) with a warning."""
    normalize: bool = True
    """Write numbers, symbols and abbreviations out as words before chunking."""


class FrontendResult(BaseModel):
    """The chunks of a document, and what the front end removed or could not use."""

    chunks: list[Chunk]
    warnings: list[str] = []
    removed_directions: list[str] = []
    """Directions removed because the model takes none, in order."""


def load_normalizer() -> Normalizer:
    """`voicekit.text.normalize.normalize_text`, imported when first needed."""
    from voicekit.text.normalize import normalize_text

    return normalize_text


def normalize_piece(text: str, language: str, normalizer: Normalizer) -> str:
    """One text piece normalized, its leading and trailing whitespace kept as it was (it separates the piece from
    the directions around it), and any square bracket turned into a parenthesis so that only directions carry
    brackets to the model."""
    core = text.strip()
    if not core:
        return text
    head = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    spoken = normalizer(core, language).strip()
    if "[" in spoken or "]" in spoken:
        spoken = spoken.replace("[", "(").replace("]", ")")
    return head + spoken + tail


def _block_pieces(block: Block, index: int, options: FrontendOptions) -> list[Piece]:
    """A block's pieces, its parse errors naming the block."""
    try:
        return split_directions(block.text, keep_citations=options.keep_citations)
    except InputError as exc:
        raise InputError(f"block {index} ({block.kind} {block.text[:40]!r}...): {exc}") from None


def _groups(blocks: Sequence[Block], join: bool, directed: Sequence[bool]) -> list[list[int]]:
    """Indexes of the blocks chunked together: each block alone, or with `join`, runs of paragraphs or of list
    items. A heading always stands alone, and so does a block with a vocal direction in it: a direction lasts to the
    end of its request, so joining would carry it into the next paragraph."""
    groups: list[list[int]] = []
    for index, block in enumerate(blocks):
        previous = blocks[index - 1] if index else None
        joinable = previous is not None and block.kind != "heading" and block.kind == previous.kind
        if join and groups and joinable and not directed[index] and not directed[index - 1]:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def prepare(blocks: Sequence[Block], options: FrontendOptions | None = None) -> FrontendResult:
    """Chunks of all blocks, in order, with warnings (directions removed, blocks with nothing to say)."""
    options = options or FrontendOptions()
    normalizer = load_normalizer() if options.normalize else None
    warnings: list[str] = []
    removed: list[Direction] = []
    block_pieces: list[list[Piece]] = []
    written: list[list[str]] = []
    for index, block in enumerate(blocks):
        pieces = _block_pieces(block, index, options)
        if not options.directions:
            pieces, dropped = strip_directions(pieces)
            removed.extend(dropped)
        written.append(_texts(pieces))
        if normalizer is not None:
            pieces = [
                piece if isinstance(piece, Direction) else normalize_piece(piece, options.language, normalizer)
                for piece in pieces
            ]
        if directions_in(pieces) and not any(isinstance(piece, str) and piece.strip() for piece in pieces):
            warnings.append(f"block {index} holds only directions and no text; it is skipped")
        block_pieces.append(pieces)
    chunks: list[Chunk] = []
    directed = [bool(directions_in(pieces)) for pieces in block_pieces]
    for group in _groups(blocks, options.chunk.join_blocks, directed):
        cut = chunk_blocks([(index, block_pieces[index]) for index in group], options.chunk)
        chunks.extend(with_written(cut, [text for index in group for text in written[index]],
                                   [text for index in group for text in _texts(block_pieces[index])]))
    if removed:
        names = ", ".join(direction.text for direction in removed[:10]) + (" ..." if len(removed) > 10 else "")
        warnings.append(f"removed {len(removed)} vocal directions, which this model does not take: {names}")
    return FrontendResult(chunks=chunks, warnings=warnings, removed_directions=[d.text for d in removed])


def _texts(pieces: Sequence[Piece]) -> list[str]:
    return [piece for piece in pieces if isinstance(piece, str)]


def with_written(chunks: list[Chunk], written: Sequence[str], spoken: Sequence[str]) -> list[Chunk]:
    """The chunks with the written text each one speaks (`voicekit.text.written`), given the text pieces they were
    cut from before and after normalization."""
    texts = written_texts(written, spoken, [chunk.text for chunk in chunks])
    if texts is None:
        logger.warning("could not tell which written text each chunk speaks; captions will show the spoken words")
        return chunks
    return [chunk.model_copy(update={"written": text}) for chunk, text in zip(chunks, texts, strict=True)]


def prepare_chunks(blocks: Sequence[Block], options: FrontendOptions | None = None) -> list[Chunk]:
    """Chunks of all blocks, in order; the warnings of `prepare` are logged."""
    result = prepare(blocks, options)
    for warning in result.warnings:
        logger.warning(warning)
    return result.chunks
