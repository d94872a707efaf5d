"""The written text each chunk speaks, for captions: "$3.50" where the chunk says "three dollars and fifty cents".

The chunker cuts normalized text; captions should show the document's own words. Normalization works one text piece
at a time (`voicekit.text.frontend.normalize_piece`), so each written piece has exactly one spoken piece, and a
chunk boundary is a position in the spoken text. The mapping rule (`written_texts`):

1. Positions are counted in non-space characters, which the chunker never adds or removes (directions aside, which
   are not text).
2. Inside a piece, the words of the written and the spoken text are aligned (`difflib.SequenceMatcher` on words
   compared without case and punctuation, a window of `WINDOW` words at a time, `align`): a stretch of words the
   normalizer left alone maps word for word, character for character.
3. A cut inside a stretch the normalizer changed ("$3.50" -> "three dollars and fifty cents") falls at the same share
   of that stretch's characters in the written text, moved to the nearest written word boundary: a written word is
   never split, it goes whole to the chunk that speaks most of it. (The one exception: a cut inside one spoken word,
   which only an over-long token such as a URL gets, cuts the written text at the same share too, never before an
   earlier cut: cuts only go forward.)
4. Piece ends map to piece ends, and the written text of a chunk is what lies between its two mapped cuts, with its
   whitespace collapsed.

Captions then time each written word within its chunk's span by the spoken characters it stands for
(`spoken_weights`): "$3.50" lasts as long as "three dollars and fifty cents" takes.

When the chunks' characters do not add up to the pieces' (which would be a bug), no written text is given (None) and
captions fall back to the spoken words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from difflib import SequenceMatcher
from itertools import accumulate

__all__ = ["align", "spoken_text", "spoken_weights", "written_texts"]

_DIRECTION = re.compile(r"\[[^\[\]]*\]")
"""A vocal direction in a chunk: after normalization only directions carry square brackets."""


def spoken_text(chunk_text: str) -> str:
    """A chunk's words without its directions, whitespace collapsed."""
    return " ".join(_DIRECTION.sub(" ", chunk_text).split())


_NOT_ALNUM = re.compile(r"[\W_]+")


def _key(word: str) -> str:
    """A word as compared in the alignment: case and punctuation left out."""
    return _NOT_ALNUM.sub("", word.casefold()) or word


Opcode = tuple[str, int, int, int, int]

WINDOW = 256
"""Words aligned at once: `SequenceMatcher` takes time quadratic in its input, so a long piece is aligned a window at
a time (time linear in the piece)."""


def align(spoken: Sequence[str], written: Sequence[str], window: int = WINDOW) -> list[Opcode]:
    """`SequenceMatcher` opcodes (tag, s1, s2, w1, w2) of two word lists, found a window at a time: each window's
    alignment is kept up to the last stretch of equal words that starts in its first three quarters (cut at three
    quarters at most), and the next window starts there. A window with no such stretch is kept whole as one changed
    stretch."""
    codes: list[Opcode] = []
    a = b = 0
    while a < len(spoken) and b < len(written) and spoken[a] == written[b]:  # the common start, at no cost
        a, b = a + 1, b + 1
    if a:
        codes.append(("equal", 0, a, 0, b))
    while a < len(spoken) or b < len(written):
        a_end, b_end = min(len(spoken), a + window), min(len(written), b + window)
        found = SequenceMatcher(None, spoken[a:a_end], written[b:b_end], autojunk=False).get_opcodes()
        if a_end == len(spoken) and b_end == len(written):
            codes += [(tag, a + a1, a + a2, b + b1, b + b2) for tag, a1, a2, b1, b2 in found]
            break
        stop = window * 3 // 4
        last = max((k for k, code in enumerate(found) if code[0] == "equal" and code[1] < stop), default=None)
        if last is None:
            codes.append(("replace", a, a_end, b, b_end))
            a, b = a_end, b_end
            continue
        _, a1, a2, b1, _ = found[last]
        cut = min(a2, stop)  # inside equal words, the two lists go word for word
        kept = [*found[:last], ("equal", a1, cut, b1, b1 + cut - a1)]
        codes += [(tag, a + s1, a + s2, b + w1, b + w2) for tag, s1, s2, w1, w2 in kept]
        a, b = a + cut, b + b1 + cut - a1
    return codes


class _PieceMap:
    """Non-space character offsets in one spoken piece mapped to offsets in its written piece (rules 2 and 3)."""

    def __init__(self, written: str, spoken: str) -> None:
        self.written, self.spoken = written.split(), spoken.split()
        self.w_bounds = list(accumulate(map(len, self.written), initial=0))
        self.s_bounds = list(accumulate(map(len, self.spoken), initial=0))
        opcodes = align([_key(w) for w in self.spoken], [_key(w) for w in self.written])
        self.regions = [op for op in opcodes if op[2] > op[1]]  # regions holding spoken words
        self.region_starts = [op[1] for op in self.regions]

    @property
    def spoken_chars(self) -> int:
        return self.s_bounds[-1]

    def __call__(self, offset: int) -> int:
        """The written offset of a cut `offset` non-space characters into the spoken piece."""
        if offset >= self.spoken_chars or not self.regions:
            return self.w_bounds[-1] if offset > 0 else 0
        word = bisect_right(self.s_bounds, offset) - 1  # the spoken word the cut is in (or starts)
        tag, a1, a2, b1, b2 = self.regions[bisect_right(self.region_starts, word) - 1]
        if offset == self.s_bounds[a1]:
            return self.w_bounds[b1]
        inside = offset > self.s_bounds[word]
        if tag == "equal":
            mine = b1 + word - a1
            return min(self.w_bounds[mine] + offset - self.s_bounds[word], self.w_bounds[mine + 1])
        share = (offset - self.s_bounds[a1]) / (self.s_bounds[a2] - self.s_bounds[a1])
        target = self.w_bounds[b1] + share * (self.w_bounds[b2] - self.w_bounds[b1])
        if inside:
            return round(target)
        return min(self.w_bounds[b1:b2 + 1], key=lambda bound: (abs(bound - target), bound))


def _nonspace_positions(text: str) -> list[int]:
    return [index for index, char in enumerate(text) if not char.isspace()]


def written_texts(written: Sequence[str], spoken: Sequence[str], chunks: Sequence[str]) -> list[str] | None:
    """The written text of each chunk (`chunks`: the chunks' texts as sent, directions included), given the text
    pieces of the blocks they were cut from before (`written`) and after (`spoken`) normalization, paired one to
    one; by the rules in the module docstring. None when the chunks do not hold exactly the spoken pieces'
    characters."""
    if len(written) != len(spoken):
        return None
    maps = [_PieceMap(w, s) for w, s in zip(written, spoken, strict=True)]
    piece_starts = list(accumulate((m.spoken_chars for m in maps), initial=0))
    sizes = [len("".join(spoken_text(chunk).split())) for chunk in chunks]
    if sum(sizes) != piece_starts[-1]:
        return None
    full = " ".join(written)
    positions = _nonspace_positions(full)
    written_starts = list(accumulate((len("".join(w.split())) for w in written), initial=0))

    def cut(offset: int) -> int:
        """A spoken stream offset as a position in `full`."""
        piece = max(0, bisect_right(piece_starts, offset) - 1)
        if piece >= len(maps):
            at = written_starts[-1]
        else:
            at = written_starts[piece] + maps[piece](offset - piece_starts[piece])
        return positions[at] if at < len(positions) else len(full)

    cuts = list(accumulate((cut(offset) for offset in accumulate(sizes, initial=0)), max))  # never going back
    return [" ".join(full[a:b].split()) for a, b in zip(cuts, cuts[1:], strict=False)]


def spoken_weights(written: str, spoken: str) -> list[float]:
    """How many spoken characters each written word takes (`written.split()`), to time captions by what was said: a
    word the normalizer left alone takes its own length; a changed stretch ("$3.50" -> "three dollars and fifty
    cents") shares its spoken characters among its written words in proportion to their length; spoken words with no
    written word go to the written word before them (or after, at the start); a written word never spoken takes 0."""
    words, said = written.split(), spoken.split()
    weights = [0.0] * len(words)
    lost = 0.0  # spoken characters waiting for a written word
    for tag, s1, s2, w1, w2 in align([_key(w) for w in said], [_key(w) for w in words]):
        chars = float(sum(len(word) for word in said[s1:s2]))
        if w2 == w1:
            if w1 > 0:
                weights[w1 - 1] += chars
            else:
                lost += chars
            continue
        if tag == "equal":
            for offset in range(w2 - w1):
                weights[w1 + offset] += len(said[s1 + offset])
        else:
            size = sum(len(word) for word in words[w1:w2])
            for index in range(w1, w2):
                weights[index] += chars * len(words[index]) / size
        if lost:
            weights[w1] += lost
            lost = 0.0
    return weights
