"""Chunks: the exact strings sent to the model, each at most `max_chars` long, cut where a listener won't hear it.

One block (a paragraph, a heading, a list item) is chunked at a time (`chunk_pieces`), or a run of blocks with
chunks running on across their ends (`chunk_blocks`, used with `ChunkOptions.join_blocks`). The block's text
pieces are read as tokens (whitespace-separated words, see `voicekit.text.sentences.token_spans`) and
directions; each direction is glued to the word it introduces, and the directions that end a block to the word
before them, so nothing ever separates a direction from its text. Such a group is an *atom*; chunks are runs of
whole atoms. For each chunk, among the ends that keep it within the limit, the packer takes (`_choose_end`):

1. the farthest sentence end (or the block's end): greedy sentence packing, as long as it fills
   `sentence_fill` (60 %) of the chunk;
2. else the farthest clause end (`, ; : — – …`, Arabic `، ؛`), when a sentence is too long or the chunk would
   be too empty;
3. else the farthest word end;

always leaving at least `min_chars` in the chunk unless it is the block's last one (a short tail is merged back
when it fits). One token longer than the limit on its own (a URL) is the only thing ever cut inside: after the last
safe character (`/ . - _ ? &`) within the room, or hard at the limit, and the chunks holding its parts are flagged
`oversize_split`. With `reapply_direction`, a chunk after the first in a block starts with the direction in force
(the last one seen in the block), when it fits. Lengths are `len()` of the final string, directions and spaces
included.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from voicekit.errors import InputError, TextTooLongError
from voicekit.text.directions import Direction, Piece, split_directions
from voicekit.text.sentences import sentence_ends, token_spans

CLAUSE_ENDINGS = frozenset(",;:—–…!?،؛")
"""A token ending in one of these (before closing quotes or brackets) ends a clause: a good place to cut."""
SAFE_CUT_AFTER = frozenset("/.-_?&")
"""Inside an over-long token (a URL), a cut goes after one of these when it can."""
_CLOSERS = "\"'”’)]}»›"


class ChunkOptions(BaseModel):
    """How text is cut into requests."""

    model_config = ConfigDict(frozen=True)

    max_chars: int = Field(default=200, ge=10)
    """The most characters one request may carry (Orpheus on Groq: 200), directions included."""
    min_chars: int = Field(default=20, ge=0)
    """No chunk is shorter, except the last of a block."""
    reapply_direction: bool = False
    """Start each later chunk of a block with the direction still in force, when it fits."""
    sentence_fill: float = Field(default=0.6, ge=0.0, le=1.0)
    """A chunk ends at its farthest sentence end when that fills this share of `max_chars`; otherwise at the
    farthest clause end past it (a cut at a comma is hardly heard, and fuller requests are fewer). 0 packs whole
    sentences only, cutting a sentence only when it is longer than a chunk."""
    join_blocks: bool = False
    """Let a chunk run on into the next paragraph or list item when it has room (headings always stand alone):
    fewer requests, but no paragraph pause inside a chunk. Used by `voicekit.text.frontend`."""

    @model_validator(mode="after")
    def _min_below_max(self) -> ChunkOptions:
        if self.min_chars * 2 > self.max_chars:
            raise ValueError(f"min_chars ({self.min_chars}) must be at most half of max_chars ({self.max_chars})")
        return self


class Chunk(BaseModel):
    """One request's text and where it sits in the document."""

    model_config = ConfigDict(frozen=True)

    text: str
    """Exactly the string that will be sent, directions included."""
    chars: int
    """`len(text)`."""
    block: int
    """Index of the block this chunk belongs to (where it starts, when blocks are joined)."""
    ends_block: bool
    """It ends where its block (the last block it holds) ends: a longer pause may follow."""
    ends_sentence: bool
    """It ends at a sentence end (or at its block's end)."""
    oversize_split: bool = False
    """It holds part of one token longer than the limit, which had to be cut inside."""
    direction: str | None = None
    """The vocal direction in force over all of the chunk's words (`[whisper]`), set at its start or earlier in its
    block and not changed inside it; None when there is none or it changes inside the chunk. The stitcher levels a
    soft one (a whisper) lower than plain speech."""
    written: str | None = None
    """The document's own text that this chunk speaks, directions removed ("$3.50" where `text` says "three dollars
    and fifty cents"), for captions; set by the front end (`voicekit.text.written`), None when not known."""

    @model_validator(mode="before")
    @classmethod
    def _count_chars(cls, data: Any) -> Any:
        if isinstance(data, dict) and "chars" not in data and isinstance(data.get("text"), str):
            return {**data, "chars": len(data["text"])}
        return data

    @model_validator(mode="after")
    def _chars_match(self) -> Chunk:
        if self.chars != len(self.text):
            raise ValueError(f"chars ({self.chars}) must be len(text) ({len(self.text)})")
        return self


class _Atoms:
    """A block's atoms as parallel lists (one entry per atom): words that are never cut apart, i.e. optional
    leading directions (`lead`), one token (`word`), optional trailing directions (`trail`). `text` is what is
    sent for the atom, `space` whether whitespace came before it, `sentence`/`clause` whether it ends one,
    `direction` the last direction in it (the one in force after it), `fragment` whether it is part of a token
    that was cut."""

    __slots__ = ("text", "word", "lead", "trail", "space", "sentence", "clause", "direction", "fragment", "block")

    def __init__(self, words: list[str], sentence: list[bool]) -> None:
        count = len(words)
        self.text = words
        self.word = list(words)
        self.lead = [""] * count
        self.trail = [""] * count
        self.space = [True] * count
        self.sentence = sentence
        self.clause = [
            word[-1] in CLAUSE_ENDINGS or (word[-1] in _CLOSERS and _ends_clause(word)) or word in ("-", "--")
            for word in words
        ]
        self.direction: list[str | None] = [None] * count
        self.fragment = [False] * count
        self.block = [0] * count

    def extend(self, other: _Atoms, block: int) -> None:
        """Append the atoms of another block, numbered `block`."""
        for mine, theirs in ((self.text, other.text), (self.word, other.word), (self.lead, other.lead),
                             (self.trail, other.trail)):
            mine.extend(theirs)
        for my_flags, their_flags in ((self.space, other.space), (self.sentence, other.sentence),
                                      (self.clause, other.clause), (self.fragment, other.fragment)):
            my_flags.extend(their_flags)
        self.direction.extend(other.direction)
        self.block.extend([block] * len(other))

    def __len__(self) -> int:
        return len(self.text)

    def set_parts(self, index: int, lead: str, word: str, trail: str) -> None:
        """Set an atom's directions and token; its text follows."""
        self.lead[index], self.word[index], self.trail[index] = lead, word, trail
        self.text[index] = " ".join(part for part in (lead, word, trail) if part)
        last = trail or lead
        self.direction[index] = "[" + last.rsplit("[", 1)[-1] if last else None

    def split(self, index: int, head: str, rest: str) -> None:
        """Cut atom `index` inside its token: the head keeps the leading directions, the rest keeps the trailing
        ones and the atom's sentence and clause ends; both are fragments."""
        for strings in (self.text, self.word, self.lead, self.trail):
            strings.insert(index + 1, strings[index])
        for flags in (self.space, self.sentence, self.clause, self.fragment):
            flags.insert(index + 1, flags[index])
        self.direction.insert(index + 1, self.direction[index])
        self.block.insert(index + 1, self.block[index])
        lead, trail = self.lead[index], self.trail[index]
        self.set_parts(index, lead, head, "")
        self.set_parts(index + 1, "", rest, trail)
        self.space[index + 1] = False
        self.sentence[index] = self.clause[index] = False
        self.fragment[index] = self.fragment[index + 1] = True

    def split_rest(self, index: int, heads: list[str], rest: str) -> None:
        """Cut the fragment at `index` (the rest of a cut token) into `heads` and a last `rest`, as many calls of
        `split` would, in one insertion: every head is a fragment with no direction and no space before it."""
        count = len(heads)
        self.text[index:index] = heads
        self.word[index:index] = heads
        self.lead[index:index] = [""] * count
        self.trail[index:index] = [""] * count
        self.space[index:index] = [False] * count
        self.sentence[index:index] = [False] * count
        self.clause[index:index] = [False] * count
        self.fragment[index:index] = [True] * count
        self.direction[index:index] = [None] * count
        self.block[index:index] = [self.block[index]] * count
        self.set_parts(index + count, "", rest, self.trail[index + count])


def _ends_clause(token: str) -> bool:
    """A token whose last character (closing quotes and brackets aside) is clause punctuation, or a lone dash."""
    core = token.rstrip(_CLOSERS)
    return bool(core) and core[-1] in CLAUSE_ENDINGS or core in ("-", "--")


def _pieces_tokens(pieces: Sequence[Piece]) -> tuple[list[str], list[bool], list[bool]]:
    """Tokens of the text pieces and the directions, in order, with whether each is a direction and whether
    whitespace came before it."""
    tokens: list[str] = []
    is_direction: list[bool] = []
    spaces: list[bool] = []
    space_pending = False
    for piece in pieces:
        if isinstance(piece, Direction):
            tokens.append(piece.text)
            is_direction.append(True)
            spaces.append(space_pending or len(tokens) == 1)
            space_pending = False
            continue
        for start, end in token_spans(piece):
            tokens.append(piece[start:end])
            is_direction.append(False)
            spaces.append(start > 0 or space_pending)
            space_pending = False
        space_pending = bool(piece) and piece[-1].isspace() or (space_pending and not piece.strip())
    return tokens, is_direction, spaces


def _plain_words(text: str) -> list[str]:
    """The tokens of text with no direction, as `token_spans` reads them (`str.split` when no spaced ellipsis)."""
    if ". ." not in text:
        return text.split()
    return [text[start:end] for start, end in token_spans(text)]


def _atoms(pieces: Sequence[Piece], max_chars: int) -> _Atoms:
    """Atoms of a block: each run of directions glued to the next token (or, at the block's end, to the last one).
    A run of directions that leaves no room for a word raises `InputError`."""
    if len(pieces) == 1 and isinstance(pieces[0], str):
        words = _plain_words(pieces[0])
        return _Atoms(words, sentence_ends(words))
    tokens, is_direction, spaces = _pieces_tokens(pieces)
    words = [token for token, direction in zip(tokens, is_direction, strict=True) if not direction]
    atoms = _Atoms(words, sentence_ends(words))
    lead: list[str] = []
    lead_space = False
    index = 0
    for token, direction, space in zip(tokens, is_direction, spaces, strict=True):
        if direction:
            lead_space = lead_space if lead else space
            lead.append(token)
            continue
        atoms.space[index] = lead_space if lead else space
        if lead:
            _check_directions_fit(" ".join(lead), max_chars)
            atoms.set_parts(index, " ".join(lead), token, "")
        index, lead = index + 1, []
    if lead and len(atoms):
        _check_directions_fit(" ".join(lead), max_chars)
        atoms.set_parts(len(atoms) - 1, atoms.lead[-1], atoms.word[-1], " ".join(lead))
    return atoms


def _check_directions_fit(directions: str, max_chars: int) -> None:
    """Directions glued to one word must leave room for a space and a few characters of it."""
    if len(directions) + 5 > max_chars:
        raise InputError(
            f"the directions {directions!r} stand together and leave no room for text within {max_chars} "
            f"characters: use fewer directions in a row"
        )


class _Packer:
    """Greedy packing of one block's atoms into chunk texts, under the rules in the module docstring."""

    def __init__(self, atoms: _Atoms, options: ChunkOptions) -> None:
        self.atoms = atoms
        self.options = options
        self.chunks: list[_Span] = []
        self.in_force: str | None = None
        self.has_directions = any(atoms.lead) or any(atoms.trail)
        self.cut_until = 0
        """Atoms before this index that are pieces of a long token (`cut_rest`) are each a chunk alone."""
        self._index()

    def _index(self) -> None:
        """Prefix sums of atom lengths, each with its leading space."""
        atoms = self.atoms
        self.sums = list(accumulate(map(len, atoms.text), initial=0))
        if not all(atoms.space):
            self.sums = list(accumulate((len(t) + s for t, s in zip(atoms.text, atoms.space, strict=True)),
                                        initial=0))
        else:
            self.sums = [total + index for index, total in enumerate(self.sums)]

    def length(self, start: int, end: int) -> int:
        """Characters of the atoms [start, end) joined, without the first one's leading space."""
        return self.sums[end] - self.sums[start] - self.atoms.space[start]

    def farthest_end(self, start: int, budget: int) -> int:
        """The largest end whose atoms fit in `budget` (equal to `start` when even one atom does not)."""
        limit = budget + self.sums[start] + self.atoms.space[start]
        return max(start, min(len(self.atoms), bisect_right(self.sums, limit) - 1))

    def prefix_for(self, start: int) -> str:
        """The direction to re-apply at a later chunk's start, if any (not when the chunk starts with its own)."""
        atoms = self.atoms
        if not self.options.reapply_direction or start == 0 or atoms.lead[start]:
            return ""
        return self.in_force or "" if atoms.block[start] == atoms.block[start - 1] else ""

    def run(self) -> list[_Span]:
        """All chunks of the block."""
        start = 0
        while start < len(self.atoms):
            start = self.next_chunk(start)
        return self.chunks

    def next_chunk(self, start: int) -> int:
        """Emit the chunk starting at atom `start`; return where the next one starts."""
        if start < self.cut_until:  # a piece of a long token, already cut as it would be here
            self.emit("", start, start + 1)
            return start + 1
        prefix = self.prefix_for(start)
        budget = self.options.max_chars - (len(prefix) + 1 if prefix else 0)
        farthest = self.farthest_end(start, budget)
        if farthest == start and prefix:
            prefix, budget = "", self.options.max_chars
            farthest = self.farthest_end(start, budget)
        end = _choose_end(self, start, farthest, len(prefix) + 1 if prefix else 0)
        if end is None:
            end = self.cut_oversize(start, farthest, budget)
        self.emit(prefix, start, end)
        return end

    def cut_oversize(self, start: int, farthest: int, budget: int) -> int:
        """Atom `farthest` is too long for any chunk: the chunk takes atoms [start, farthest) and the head of that
        atom's token (cut by `split_oversize`); the rest of the token becomes the next atom."""
        atoms = self.atoms
        used = self.length(start, farthest) + 1 if farthest > start else 0
        lead = atoms.lead[farthest]
        room = budget - used - (len(lead) + 1 if lead else 0)
        if farthest > start and room < max(self.options.min_chars, budget // 4):
            return farthest
        word = atoms.word[farthest]
        head, rest = split_oversize(word, min(room, len(word) - 1))
        atoms.split(farthest, head, rest)
        # The parts are exactly as long as the atom was (a rest takes no space before it), so every later prefix
        # sum stands; only the heads' ends are new. Re-indexing the whole block here instead made a token of
        # megabytes (one line of "1,1,1,...") cost time quadratic in its length.
        self.sums.insert(farthest + 1, self.sums[farthest] + atoms.space[farthest] + len(atoms.text[farthest]))
        self.cut_rest(farthest + 1)
        return farthest + 1

    def cut_rest(self, index: int) -> None:
        """Cut the rest of a token at `index` into every chunk-long piece it will give, at once.

        A rest longer than `max_chars` always becomes the next chunk's whole text, cut by `split_oversize` with
        the full length as room (no direction is re-applied before it: there is no room), so its pieces are known
        now; cutting them one chunk at a time copied the rest of the token at every cut, quadratic in a token of
        megabytes. The pieces are emitted alone (`cut_until`)."""
        atoms, limit = self.atoms, self.options.max_chars
        rest, extra = atoms.word[index], len(atoms.text[index]) - len(atoms.word[index])
        heads: list[str] = []
        position = 0
        while len(rest) - position + extra > limit:
            cut = oversize_cut(rest, position, min(limit, len(rest) - position - 1))
            heads.append(rest[position : position + cut])
            position += cut
        if not heads:
            return
        atoms.split_rest(index, heads, rest[position:])
        ends = list(accumulate(map(len, heads), initial=self.sums[index]))[1:]
        self.sums[index + 1 : index + 1] = ends
        self.cut_until = index + len(heads)

    def emit(self, prefix: str, start: int, end: int) -> None:
        """Record the chunk of atoms [start, end) and the direction in force after it."""
        atoms = self.atoms
        if all(atoms.space[start + 1 : end]):
            text = " ".join(atoms.text[start:end])
        else:
            text = atoms.text[start] + "".join(
                (" " + atoms.text[i]) if atoms.space[i] else atoms.text[i] for i in range(start + 1, end)
            )
        steady = self.direction_throughout(start, end) if self.has_directions else None
        if self.has_directions:
            self.in_force = self.direction_after(start, end)
        if prefix:
            text = prefix + " " + text
        last = end - 1
        ends_block = end == len(atoms) or atoms.block[end] != atoms.block[last]
        self.chunks.append(
            _Span(text, atoms.sentence[last] or ends_block, any(atoms.fragment[start:end]),
                  len(prefix) + 1 if prefix else 0, atoms.block[start], ends_block, steady)
        )

    def direction_throughout(self, start: int, end: int) -> str | None:
        """The direction in force over every word of atoms [start, end): the one carried from earlier in the block
        or set before the first word, when no later direction and no new block (which starts with none) comes
        inside; else None."""
        atoms = self.atoms
        current = self.in_force if start > 0 and atoms.block[start] == atoms.block[start - 1] else None
        for index in range(start, end):
            if index > start and atoms.block[index] != atoms.block[index - 1] and current is not None:
                return None
            if atoms.lead[index]:
                direction = "[" + atoms.lead[index].rsplit("[", 1)[-1]
                if index > start and direction != current:
                    return None
                current = direction
        return current

    def direction_after(self, start: int, end: int) -> str | None:
        """The direction in force after atoms [start, end): the last one in the block of the last atom, which
        only goes on from before the chunk when that block started earlier."""
        atoms = self.atoms
        block = atoms.block[end - 1]
        for index in range(end - 1, start - 1, -1):
            if atoms.block[index] != block:
                return None
            if atoms.direction[index]:
                return atoms.direction[index]
        return self.in_force


@dataclass
class _Span:
    """A chunk's text before it becomes a `Chunk`; `prefix` counts the re-applied direction and its space."""

    text: str
    ends_sentence: bool
    fragment: bool
    prefix: int
    block: int
    ends_block: bool
    direction: str | None = None


def _choose_end(packer: _Packer, start: int, farthest: int, extra: int) -> int | None:
    """Where the chunk starting at `start` ends, among ends up to `farthest`: the farthest sentence end when it
    fills at least `sentence_fill` of the chunk, else the farthest clause end past it, else word end, each leaving
    at least `min_chars` (the block's end may be shorter). None when the atom at `farthest` is too long for any
    chunk and must be cut inside."""
    atoms, last = packer.atoms, len(packer.atoms)
    sentence, clause_ends = atoms.sentence, atoms.clause
    minimum = packer.options.min_chars
    full = packer.options.sentence_fill * (packer.options.max_chars - extra)
    clause = word = None
    for end in range(farthest, start, -1):
        size = packer.length(start, end) + extra
        if end == last:
            return end
        if size < minimum:
            break
        if sentence[end - 1]:
            return end if size >= full or clause is None else clause
        if clause is None and clause_ends[end - 1]:
            clause = end
        if word is None:
            word = end
    if clause is not None:
        return clause
    if word is not None:
        return word
    if farthest < last and len(atoms.text[farthest]) > packer.options.max_chars:
        return None
    return farthest if farthest > start else None


def split_oversize(token: str, room: int) -> tuple[str, str]:
    """Cut a token longer than `room`: after the last safe character (`/ . - _ ? &`) in its first `room`
    characters when that keeps at least half the room, else hard at `room`; never before a combining mark."""
    cut = oversize_cut(token, 0, room)
    return token[:cut], token[cut:]


def oversize_cut(token: str, start: int, room: int) -> int:
    """How many characters of `token` from `start` the head takes when `split_oversize` cuts `token[start:]`
    (which is longer than `room`), without copying the rest."""
    room = max(1, room)
    cut = room
    for index in range(room - 1, room // 2 - 1, -1):
        if token[start + index] in SAFE_CUT_AFTER:
            cut = index + 1
            break
    while cut > 1 and unicodedata.combining(token[start + cut]):
        cut -= 1
    return cut


def _merge_short_tail(chunks: list[_Span], options: ChunkOptions) -> None:
    """A last chunk under `min_chars` joins the one before it when both fit in one (never across a cut inside a
    token, which has no space to rejoin at; a re-applied direction at its start is not repeated)."""
    if len(chunks) < 2:
        return
    last, previous = chunks[-1], chunks[-2]
    if len(last.text) < options.min_chars and not (last.fragment or previous.fragment):
        joined = previous.text + " " + last.text[last.prefix :]
        if len(joined) <= options.max_chars:
            direction = previous.direction if previous.direction == last.direction else None
            chunks[-2:] = [_Span(joined, True, False, previous.prefix, previous.block, True, direction)]


def chunk_pieces(pieces: Sequence[Piece], options: ChunkOptions | None = None, block: int = 0) -> list[Chunk]:
    """Chunks of one block given as text pieces and directions (text already normalized). A block with no text
    (only directions) gives no chunk."""
    return chunk_blocks([(block, pieces)], options)


def chunk_blocks(blocks: Sequence[tuple[int, Sequence[Piece]]], options: ChunkOptions | None = None) -> list[Chunk]:
    """Chunks of consecutive blocks, each given as (block index, pieces), packed across the blocks' ends: a chunk
    may end inside a block or run on into the next one. Blocks with no text (only directions) give nothing."""
    options = options or ChunkOptions()
    atoms: _Atoms | None = None
    for index, pieces in blocks:
        block_atoms = _atoms(pieces, options.max_chars)
        if not len(block_atoms):
            continue
        if atoms is None:
            atoms = block_atoms
            atoms.block = [index] * len(block_atoms)
        else:
            atoms.extend(block_atoms, index)
    if atoms is None:
        return []
    spans = _Packer(atoms, options).run()
    _merge_short_tail(spans, options)
    return [_chunk(span, options) for span in spans]


def _chunk(span: _Span, options: ChunkOptions) -> Chunk:
    """The public chunk of a span; a span over the limit would be a bug, and is never returned."""
    if len(span.text) > options.max_chars:
        raise TextTooLongError(f"a chunk of {len(span.text)} characters is over {options.max_chars} (a bug)")
    return Chunk(
        text=span.text,
        chars=len(span.text),
        block=span.block,
        ends_block=span.ends_block,
        ends_sentence=span.ends_sentence,
        oversize_split=span.fragment,
        direction=span.direction,
    )


def chunk_block(
    text: str, options: ChunkOptions | None = None, block: int = 0, *, keep_citations: bool = False
) -> list[Chunk]:
    """Chunks of one block of raw text: directions are parsed (`split_directions`), nothing is normalized."""
    return chunk_pieces(split_directions(text, keep_citations=keep_citations), options, block)
