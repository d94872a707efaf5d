"""Subtitle cues people can read: the broadcast rules (BBC, Netflix) applied to a transcript's timed words.

**Hard rules** (always kept): at most `max_line_length` (42) characters a line and `max_lines` (2) lines a cue; cues
never overlap and keep every word once, in order; a change of speaker, or a pause of `CUE_PAUSE` (2 s) or more,
always starts a new cue; a word is never cut, unless it is longer than a line on its own (then it is cut into
line-sized pieces).

**Preferences** (weighed against each other, `_cue_cost`): the cues of a stretch of speech are chosen together
(dynamic programming over the places a cue may end) to cost least, where a cue costs
- a constant (`CUE_COST`), so cues are as full as the other rules allow;
- where it ends (`_break_cost`): a sentence end is free, then clause punctuation (`, ; : —`), then a pause between
  words; between two plain words is dearer, and inside a number (`3 .50`) or a run of capitalised words (a name,
  "Laurel Clark") dearer still;
- being on screen less than `MIN_DURATION` (1 s) even after taking the pause after it, or reading faster than
  `MAX_CPS` (20 characters a second) even after that;
- holding one word only (dearer when it is short on screen), pauses inside it (past 0.5 s), or lasting more than
  `MAX_DURATION` (7 s).

**Lines**: a cue that fits on one line is one line; else two lines, split where the longer line is shortest, with a
bonus for splitting after punctuation and a penalty for splitting a name or a number.

**Times**: a cue starts with its first word and ends with its last, then is held on screen into the pause after it
until it lasts `MIN_DURATION` and reads at most `MAX_CPS`, never past the next cue's start (nor the recording's end).

Words come in the normal form (`voicekit.transcript.words`); pieces of one number a provider hands over as separate
bare words ("$3", ".50"; "1", ",234") are glued back (`glue_numbers`) before cues are built.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from voicekit.errors import InputError
from voicekit.transcript.words import join_words, needs_space, normalize_words

if TYPE_CHECKING:
    from voicekit.transcript.model import Segment, Transcript

__all__ = ["CUE_PAUSE", "MAX_CPS", "MIN_DURATION", "Cue", "CueRules", "Token", "cues_of_tokens", "glue_numbers",
           "segment_tokens", "subtitle_cues", "text_tokens"]

CUE_PAUSE = 2.0
"""A pause at least this long (seconds) between two words always ends the cue: no text stays on screen through a
long silence."""
MIN_DURATION = 1.0
"""Seconds a cue should stay on screen at least, unless the speech is shorter."""
MAX_CPS = 20.0
"""Characters a second a viewer can read (BBC: 160-180 words a minute)."""
MAX_DURATION = 7.0
"""Seconds past which a cue is long on screen."""
CUE_COST = 3.0
"""The cost of one more cue: makes cues full, against the other preferences."""

_TOKEN = re.compile(r"\s*\S+")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:—–،؛][\"'”’)\]]*$|^(-|--|—)$")
_NUMBER_TAIL = re.compile(r"^[.,:/][0-9]")
_CLINGING = frozenset("a an the of to in on at by for from with and or but as my our your his her their its".split())
"""English words that lean on the word after them: a cue or line should not end on one."""
_LEADING = frozenset("and but or because which who that when where while if so".split())
"""English words that begin a clause: a cue or line may start with one."""


@dataclass(frozen=True)
class Cue:
    """One subtitle: its time span in seconds and its lines."""

    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None = None
    """Who speaks in this cue, when speakers are known (a cue never holds two speakers)."""


@dataclass(frozen=True)
class CueRules:
    """The limits cues keep (see the module docstring)."""

    max_line_length: int = 42
    max_lines: int = 2
    min_duration: float = MIN_DURATION
    max_cps: float = MAX_CPS


@dataclass(frozen=True)
class Token:
    """One word of a cue, with its time and speaker; `label` marks a `Name:` prefix, which never ends a cue."""

    text: str
    start: float
    end: float
    speaker: str | None = None
    label: bool = False
    first: bool = False
    """A cue starts with this token whatever the rules prefer (narration captions: each chunk's first word)."""


# ---------------------------------------------------------------------------------------------------------------
# Tokens


def glue_numbers(tokens: Sequence[Token]) -> list[Token]:
    """A token that continues a number (`.50`, `,234`, `:30` after a token ending in a digit) joins the token before
    it, so no cue or line ever splits a number."""
    out: list[Token] = []
    for token in tokens:
        if out and out[-1].text[-1:].isdigit() and _NUMBER_TAIL.match(token.text) and not out[-1].label:
            last = out[-1]
            out[-1] = Token(last.text + token.text, last.start, max(last.end, token.end), last.speaker)
        else:
            out.append(token)
    return out


def _split_long(token: Token, limit: int) -> list[Token]:
    """A word longer than a line becomes line-sized pieces sharing its time in proportion to their length."""
    if len(token.text) <= limit:
        return [token]
    size, span = len(token.text), token.end - token.start
    return [Token(token.text[begin:begin + limit], token.start + span * begin / size,
                  token.start + span * min(begin + limit, size) / size, token.speaker)
            for begin in range(0, size, limit)]


def text_tokens(text: str, start: float, end: float, speaker: str | None = None,
                weights: Sequence[float] | None = None) -> list[Token]:
    """The words of `text` timed over [start, end] in proportion to their characters, or to `weights` (one for each
    word, as `text.split()` gives them) when given and not all zero."""
    texts = [token.strip() for token in _TOKEN.findall(text)]
    sizes = list(weights) if weights is not None and len(weights) == len(texts) and sum(weights) > 0 else \
        [float(len(word)) for word in texts]
    total = sum(sizes)
    span = max(end - start, 0.0)
    tokens: list[Token] = []
    done = 0.0
    for word, size in zip(texts, sizes, strict=True):
        begin = start + span * done / total
        done += size
        tokens.append(Token(word, begin, start + span * done / total, speaker))
    return tokens


def segment_tokens(segment: Segment) -> list[Token]:
    """The segment's words with times: the text's own tokens (keeping its punctuation) timed by the words when
    they pair one to one, else the words in the normal form, else the text's tokens timed in proportion to their
    characters over the segment's span."""
    texts = [token.strip() for token in _TOKEN.findall(segment.text)]
    words = [word for word in segment.words if word.word.strip()]
    speaker = segment.speaker
    if words and len(words) == len(texts):
        return [Token(text, word.start, word.end, speaker) for text, word in zip(texts, words, strict=True)]
    if words:
        return [Token(word.word, word.start, word.end, speaker) for word in normalize_words(words)]
    return text_tokens(segment.text, segment.start, segment.end, speaker)


def _runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Stretches no cue crosses: a change of speaker, a pause of `CUE_PAUSE` or more, or a token marked `first`
    ends one."""
    runs: list[list[Token]] = []
    for token in tokens:
        if (runs and not token.first and token.speaker == runs[-1][-1].speaker
                and token.start - runs[-1][-1].end < CUE_PAUSE):
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


# ---------------------------------------------------------------------------------------------------------------
# Where cues and lines end


def _capitalised(text: str) -> bool:
    letters = text.lstrip("\"'“‘([¿¡")
    return bool(letters) and letters[0].isupper()


def _break_cost(left: Token, right: Token) -> float:
    """The cost of a cue (or a line) ending after `left` with `right` next: 0 at a sentence end, then clause
    punctuation, then a pause; dear between plain words, dearer inside a number or a capitalised name; never after a
    speaker's `Name:` label. In English, dearer after a word that leans on the next ("of", "the"), cheaper before one
    that starts a clause ("and", "which")."""
    if left.label:
        return float("inf")
    if _SENTENCE_END.search(left.text):
        return 0.0
    pause = right.start - left.end
    if _CLAUSE_END.search(left.text):
        return 1.0 if pause < 0.3 else 0.5
    cost = 4.0 if pause < 0.3 else 2.0 if pause < 1.0 else 1.0
    if left.text.lower() in _CLINGING:
        cost += 2.0
    elif right.text.lower() in _LEADING:
        cost -= 1.0
    if left.text[-1:].isdigit() and right.text[:1].isdigit():
        cost += 6.0
    if _capitalised(left.text) and _capitalised(right.text):
        cost += 6.0
    return cost


def _pause_cost(pause: float) -> float:
    """A pause inside a cue shows words before (or after) they are said: free up to 0.5 s, then 4 a second."""
    return 4.0 * max(0.0, pause - 0.5)


class _Run:
    """One run's tokens with prefix sums of their lengths, to measure any stretch of them joined in O(1)."""

    def __init__(self, tokens: Sequence[Token], next_start: float) -> None:
        self.tokens = list(tokens)
        spaces = [0] + [int(needs_space(a.text, b.text)) for a, b in zip(tokens, tokens[1:], strict=False)]
        self.spaces = spaces
        self.sums = list(accumulate((len(t.text) + s for t, s in zip(tokens, spaces, strict=True)), initial=0))
        self.next_start = next_start
        gaps = [0.0] + [_pause_cost(b.start - a.end) for a, b in zip(tokens, tokens[1:], strict=False)]
        self.pauses = list(accumulate(gaps))
        self.splits: dict[tuple[int, int], int | None] = {}

    def pause_cost(self, i: int, j: int) -> float:
        """The cost of the pauses between tokens [i, j), which a cue holding them shows text through."""
        return self.pauses[j - 1] - self.pauses[i]

    def width(self, i: int, j: int) -> int:
        """Characters of tokens [i, j) joined on one line."""
        return self.sums[j] - self.sums[i] - self.spaces[i]

    def following(self, j: int) -> float:
        """When whatever follows token j-1 starts: the next token, or the next run."""
        return self.tokens[j].start if j < len(self.tokens) else self.next_start


def _line_split(run: _Run, i: int, j: int, rules: CueRules) -> int | None:
    """Where tokens [i, j) go to a second line (the index of its first token); j when one line holds them; None when
    two lines cannot hold them. The split makes the longer line shortest, after punctuation if it can, never inside a
    name or a number when there is any other way."""
    if (i, j) not in run.splits:
        run.splits[(i, j)] = _find_line_split(run, i, j, rules)
    return run.splits[(i, j)]


def _find_line_split(run: _Run, i: int, j: int, rules: CueRules) -> int | None:
    if run.width(i, j) <= rules.max_line_length:
        return j
    if rules.max_lines < 2:
        return None
    best, best_score = None, float("inf")
    for k in range(i + 1, j):
        top, bottom = run.width(i, k), run.width(k, j)
        if top > rules.max_line_length or bottom > rules.max_line_length:
            continue
        cost = _break_cost(run.tokens[k - 1], run.tokens[k])
        score = max(top, bottom) + 4.0 * cost + (1.0 if top > bottom else 0.0)
        if score < best_score:
            best, best_score = k, score
    return best


def _fits(run: _Run, i: int, j: int, rules: CueRules) -> bool:
    """Whether tokens [i, j) fit in `max_lines` lines (greedy filling past two lines)."""
    if rules.max_lines <= 2:
        return _line_split(run, i, j, rules) is not None
    lines, width = 1, 0
    for k in range(i, j):
        size = len(run.tokens[k].text)
        if width and width + 1 + size > rules.max_line_length:
            lines, width = lines + 1, size
        else:
            width = width + 1 + size if width else size
    return lines <= rules.max_lines


def _cue_cost(run: _Run, i: int, j: int, rules: CueRules) -> float:
    """What a cue of tokens [i, j) costs, by the preferences in the module docstring."""
    tokens = run.tokens
    start, end = tokens[i].start, max(tokens[j - 1].end, tokens[i].start)
    room = max(run.following(j) - start, end - start, 0.0)  # how long it can stay up, at most
    chars = run.width(i, j)
    cost = CUE_COST
    split = _line_split(run, i, j, rules) if rules.max_lines == 2 else j
    if split is not None and i < split < j:
        cost += 0.5 * _break_cost(tokens[split - 1], tokens[split])
    if j < len(tokens):
        cost += _break_cost(tokens[j - 1], tokens[j])
    if room < rules.min_duration:
        cost += 4.0 * (rules.min_duration - room) / rules.min_duration
    shown = min(room, max(end - start, chars / rules.max_cps, rules.min_duration))
    if shown > 0 and chars / shown > rules.max_cps:
        cost += 0.5 * (chars / shown - rules.max_cps)
    elif shown <= 0:
        cost += 4.0
    if j - i == 1 and len(tokens) > 1:
        cost += 3.0 if room < 1.5 * rules.min_duration else 1.0
    cost += run.pause_cost(i, j)
    if end - start > MAX_DURATION:
        cost += end - start - MAX_DURATION
    return cost


def _choose_cues(run: _Run, rules: CueRules) -> list[tuple[int, int]]:
    """The cues of one run as token ranges, the cheapest way (dynamic programming over cue ends)."""
    count = len(run.tokens)
    best = [0.0] + [float("inf")] * count
    back = [0] * (count + 1)
    most = rules.max_line_length * rules.max_lines
    for j in range(1, count + 1):
        for i in range(j - 1, -1, -1):
            if run.width(i, j) > most:
                break
            if best[i] == float("inf") or not _fits(run, i, j, rules):
                continue
            cost = best[i] + _cue_cost(run, i, j, rules)
            if cost < best[j]:
                best[j], back[j] = cost, i
        if best[j] == float("inf"):  # only a label longer than a line gets here: it stands alone
            best[j], back[j] = best[j - 1] + 100.0, j - 1
    ranges: list[tuple[int, int]] = []
    j = count
    while j > 0:
        ranges.append((back[j], j))
        j = back[j]
    return ranges[::-1]


def _lines(run: _Run, i: int, j: int, rules: CueRules) -> tuple[str, ...]:
    """The lines of the cue of tokens [i, j)."""
    texts = [token.text for token in run.tokens[i:j]]
    if rules.max_lines <= 2:
        k = _line_split(run, i, j, rules)
        k = j if k is None else k
        return tuple(line for line in (join_words(texts[: k - i]), join_words(texts[k - i:])) if line)
    lines: list[str] = []
    for text in texts:
        if lines and len(lines[-1]) + 1 + len(text) <= rules.max_line_length:
            lines[-1] = join_words((lines[-1], text))
        else:
            lines.append(text)
    return tuple(lines)


# ---------------------------------------------------------------------------------------------------------------
# Times


@dataclass(frozen=True)
class _Raw:
    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None
    wanted: float
    """How long the cue should last: at least the minimum and long enough to read at `max_cps`."""


def _timed(raw: Sequence[_Raw], limit: float | None) -> list[Cue]:
    """Cue times that never overlap: a cue starts no earlier than the previous one ends, and is held until it lasts
    `wanted` unless the next cue's own start (or the recording's end, `limit`) comes first. A cue left with no length
    at all (an instantaneous word) takes the pause before it, or else the second half of the cue before it, so no cue
    has end <= start unless all of them are instantaneous."""
    cues: list[Cue] = []
    previous_end = 0.0
    for index, cue in enumerate(raw):
        start = max(cue.start, previous_end)
        end = max(cue.end, start)
        stop = raw[index + 1].start if index + 1 < len(raw) else float("inf")
        if limit is not None and limit >= end:
            stop = min(stop, limit)
        end = max(end, min(start + cue.wanted, stop))
        if end <= start and start > previous_end:  # no room after it: it takes the pause before it
            start = max(previous_end, end - cue.wanted)
        elif end <= start and cues and cues[-1].end > cues[-1].start:
            last = cues[-1]
            start = (last.start + last.end) / 2
            cues[-1] = Cue(last.start, start, last.lines, last.speaker)
        cues.append(Cue(start, end, cue.lines, cue.speaker))
        previous_end = end
    return cues


def _tokens(transcript: Transcript, rules: CueRules, name_speakers: bool) -> list[Token]:
    """Every segment's tokens in order, numbers glued, over-long words cut, and with `name_speakers` a `Name:` label
    before the first word of each change of speaker."""
    tokens: list[Token] = []
    previous: str | None = None
    for segment in transcript.segments:
        words = [piece for token in glue_numbers(segment_tokens(segment))
                 for piece in _split_long(token, rules.max_line_length)]
        if not words:
            continue
        if name_speakers and segment.speaker and segment.speaker != previous:
            tokens.append(Token(f"{segment.speaker}:", words[0].start, words[0].start, segment.speaker, label=True))
        previous = segment.speaker
        tokens.extend(words)
    return tokens


def cues_of_tokens(tokens: Sequence[Token], rules: CueRules | None = None,
                   limit: float | None = None) -> list[Cue]:
    """Cues of timed tokens in order, by the rules in the module docstring; `limit` is the recording's end."""
    rules = rules or CueRules()
    raw: list[_Raw] = []
    runs = _runs(tokens)
    for number, tokens_of_run in enumerate(runs):
        next_start = runs[number + 1][0].start if number + 1 < len(runs) else float("inf")
        run = _Run(tokens_of_run, next_start)
        for i, j in _choose_cues(run, rules):
            wanted = max(rules.min_duration, run.width(i, j) / rules.max_cps)
            raw.append(_Raw(run.tokens[i].start, run.tokens[j - 1].end, _lines(run, i, j, rules),
                            run.tokens[i].speaker, wanted))
    return _timed(raw, limit)


def subtitle_cues(transcript: Transcript, *, max_line_length: int = 42, max_lines: int = 2,
                  min_duration: float = MIN_DURATION, max_cps: float = MAX_CPS,
                  name_speakers: bool = False) -> list[Cue]:
    """The transcript's words as subtitle cues, by the rules in the module docstring. A change of speaker always
    starts a new cue; with `name_speakers`, the first cue of each change of speaker begins with `Name:`, counted in
    its line length."""
    if max_line_length < 1 or max_lines < 1 or max_cps <= 0 or min_duration < 0:
        raise InputError("subtitles need max_line_length >= 1, max_lines >= 1, max_cps > 0 and min_duration >= 0")
    rules = CueRules(max_line_length, max_lines, min_duration, max_cps)
    return cues_of_tokens(_tokens(transcript, rules, name_speakers), rules, transcript.duration)
