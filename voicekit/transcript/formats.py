"""Write a `Transcript` as plain text, SubRip (.srt), WebVTT (.vtt), JSON, TSV or RTTM, and read JSON back.

When speakers are known (`Segment.speaker`), text is a script (`Name: ...` paragraphs), VTT cues carry voice tags
(`<v Name>`), SRT cues name the speaker where it changes, TSV has a speaker column and RTTM lists the turns.
Without speakers every format is exactly what it was before speakers existed.

Subtitle cues keep these rules: at most `max_line_length` (42) characters a line and `max_lines` (2) lines a cue;
cues never overlap; each lasts at least `min_duration` (0.5 s) unless the next cue starts sooner, in which case it
lasts until then. Long segments are split at word times when the words are known, else in proportion to the
characters of their text. A single word longer than a line is cut into line-sized pieces.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicekit.errors import InputError
from voicekit.outputs import write_text
from voicekit.transcript.words import join_words, no_space_script, normalize_words

if TYPE_CHECKING:
    from voicekit.transcript.model import Segment, Transcript, Word

__all__ = [
    "FORMATS", "Cue", "format_timestamp", "has_speakers", "join_segment_texts", "render",
    "save", "script_text", "speaker_turns", "subtitle_cues",
    "to_json", "to_rttm", "to_srt", "to_text", "to_tsv", "to_vtt",
]

FORMATS = ("txt", "srt", "vtt", "json", "tsv", "rttm")
"""The formats `save` writes, by file extension."""

CUE_PAUSE = 2.0
"""A pause at least this long (seconds) between two words of a segment ends the cue, so no text stays on screen
through a long silence."""

_TOKEN = re.compile(r"\s*\S+")


# ---------------------------------------------------------------------------------------------------------------
# Plain text


def _join_two(left: str, right: str) -> str:
    """Join two pieces of text with one space, unless one already has it or the script uses none."""
    if not left or not right:
        return left + right
    if left[-1].isspace() or right[0].isspace() or no_space_script(left[-1]) or no_space_script(right[0]):
        return left + right
    return left + " " + right


def join_segment_texts(segments: Sequence[Segment], paragraph_gap: float | None = 2.0) -> str:
    """The segments' text as paragraphs: a pause of at least `paragraph_gap` seconds between one segment's end and
    the next one's start begins a new paragraph (separated by a blank line); None keeps one paragraph."""
    paragraphs: list[str] = []
    current = ""
    previous_end: float | None = None
    for segment in segments:
        text = segment.text
        if not text.strip():
            continue
        pause = segment.start - previous_end if previous_end is not None else 0.0
        if current and paragraph_gap is not None and pause >= paragraph_gap:
            paragraphs.append(current.strip())
            current = ""
        current = _join_two(current, text)
        previous_end = segment.end
    if current.strip():
        paragraphs.append(current.strip())
    return "\n\n".join(paragraphs)


def has_speakers(transcript: Transcript) -> bool:
    """Whether any segment says who spoke it."""
    return any(segment.speaker for segment in transcript.segments)


def script_text(segments: Sequence[Segment], paragraph_gap: float | None = 2.0) -> str:
    """The segments as a script: a paragraph `Name: what they said` for each turn; a change of speaker, or a pause
    of at least `paragraph_gap` seconds, starts the next paragraph."""
    paragraphs: list[tuple[str | None, str]] = []
    previous_end: float | None = None
    for segment in segments:
        if not segment.text.strip():
            continue
        pause = segment.start - previous_end if previous_end is not None else 0.0
        same = bool(paragraphs) and paragraphs[-1][0] == segment.speaker
        if same and not (paragraph_gap is not None and pause >= paragraph_gap):
            paragraphs[-1] = (segment.speaker, _join_two(paragraphs[-1][1], segment.text))
        else:
            paragraphs.append((segment.speaker, segment.text))
        previous_end = segment.end
    return "\n\n".join(f"{speaker or 'Unknown'}: {text.strip()}" for speaker, text in paragraphs)


def to_text(transcript: Transcript, paragraph_gap: float | None = 2.0) -> str:
    """Plain text, one paragraph per stretch of speech (a pause of at least `paragraph_gap` s breaks it), ending
    with a newline; the transcript's `text` when it has no segments; "" when there is nothing. When speakers are
    known, a script (`script_text`)."""
    if has_speakers(transcript):
        text = script_text(transcript.segments, paragraph_gap)
    elif transcript.segments:
        text = join_segment_texts(transcript.segments, paragraph_gap)
    else:
        text = transcript.text.strip()
    return text + "\n" if text else ""


# ---------------------------------------------------------------------------------------------------------------
# Subtitle cues


@dataclass(frozen=True)
class Cue:
    """One subtitle: its time span in seconds and its lines."""

    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None = None
    """Who speaks in this cue, when speakers are known (a cue never holds two speakers)."""


@dataclass(frozen=True)
class _Token:
    text: str
    start: float
    end: float


def _split_long(token: _Token, limit: int) -> list[_Token]:
    """A word longer than a line becomes line-sized pieces sharing its time in proportion to their length."""
    if len(token.text) <= limit:
        return [token]
    size = len(token.text)
    pieces: list[_Token] = []
    for begin in range(0, size, limit):
        stop = min(begin + limit, size)
        span = token.end - token.start
        pieces.append(_Token(token.text[begin:stop], token.start + span * begin / size,
                             token.start + span * stop / size))
    return pieces


def _segment_tokens(segment: Segment) -> list[_Token]:
    """The segment's words with times: the text's own tokens (keeping its punctuation) timed by the words when
    they pair one to one, else the words as written, else the text's tokens timed in proportion to characters."""
    texts = [token.strip() for token in _TOKEN.findall(segment.text)]
    words = [word for word in segment.words if word.word.strip()]
    if words and len(words) == len(texts):
        return [_Token(text, word.start, word.end) for text, word in zip(texts, words, strict=True)]
    if words:
        return _word_tokens(words)
    total = sum(len(text) for text in texts)
    tokens: list[_Token] = []
    done = 0
    span = max(segment.end - segment.start, 0.0)
    for text in texts:
        start = segment.start + span * done / total
        done += len(text)
        tokens.append(_Token(text, start, segment.start + span * done / total))
    return tokens


def _word_tokens(words: Sequence[Word]) -> list[_Token]:
    """Words as tokens, in the one normal form (`voicekit.transcript.words`): a piece without its leading space
    (",500" after " 1") or a lone punctuation mark belongs to the word before it."""
    return [_Token(word.word, word.start, word.end) for word in normalize_words(words)]


def _wrap(texts: Sequence[str], limit: int) -> list[str]:
    """Greedy line filling: words joined by spaces while the line stays within `limit` characters."""
    lines: list[str] = []
    for text in texts:
        if lines and len(lines[-1]) + 1 + len(text) <= limit:
            lines[-1] = join_words((lines[-1], text))
        else:
            lines.append(text)
    return lines


def _balanced(texts: Sequence[str], limit: int) -> list[str]:
    """Two lines as even as possible (the shorter longest line), each within `limit`; one line if it fits."""
    joined = join_words(texts)
    if len(joined) <= limit or len(texts) < 2:
        return [joined]
    best: list[str] | None = None
    for k in range(1, len(texts)):
        top, bottom = join_words(texts[:k]), join_words(texts[k:])
        if len(top) <= limit and len(bottom) <= limit and (
                best is None or max(len(top), len(bottom)) < max(len(line) for line in best)):
            best = [top, bottom]
    return best if best is not None else _wrap(texts, limit)


def _group_tokens(tokens: Sequence[_Token], max_line_length: int, max_lines: int) -> list[list[_Token]]:
    """Consecutive tokens grouped into cues that fit `max_lines` lines of `max_line_length`, breaking also at
    pauses of `CUE_PAUSE` seconds or more."""
    groups: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        candidate = [*current, token]
        too_long = len(_wrap([t.text for t in candidate], max_line_length)) > max_lines
        pause = bool(current) and token.start - current[-1].end >= CUE_PAUSE
        if current and (too_long or pause):
            groups.append(current)
            candidate = [token]
        current = candidate
    if current:
        groups.append(current)
    return groups


def _lines(texts: Sequence[str], max_line_length: int, max_lines: int) -> tuple[str, ...]:
    if max_lines == 2:
        return tuple(_balanced(texts, max_line_length))
    return tuple(_wrap(texts, max_line_length))


def _timed(raw: Sequence[tuple[float, float, tuple[str, ...], str | None]], min_duration: float,
           limit: float | None) -> list[Cue]:
    """Cue times that never overlap: a cue starts no earlier than the previous one ends, and lasts at least
    `min_duration` unless the next cue's own start (or the recording's end, `limit`) comes first. A cue left with
    no length at all (an instantaneous word) takes the pause before it, or else the second half of the cue before
    it, so no cue has end <= start unless all of them are instantaneous."""
    cues: list[Cue] = []
    previous_end = 0.0
    for index, (raw_start, raw_end, lines, speaker) in enumerate(raw):
        start = max(raw_start, previous_end)
        end = max(raw_end, start)
        stop = raw[index + 1][0] if index + 1 < len(raw) else float("inf")
        if limit is not None and limit >= end:
            stop = min(stop, limit)
        end = max(end, min(start + min_duration, stop))
        if end <= start and start > previous_end:  # no room after it: it takes the pause before it
            start = max(previous_end, end - min_duration)
        elif end <= start and cues and cues[-1].end > cues[-1].start:
            # No room at all (an instantaneous word): it shares the time of the cue before it, from its middle.
            last = cues[-1]
            start = (last.start + last.end) / 2
            cues[-1] = Cue(last.start, start, last.lines, last.speaker)
        cues.append(Cue(start, end, lines, speaker))
        previous_end = end
    return cues


def subtitle_cues(transcript: Transcript, *, max_line_length: int = 42, max_lines: int = 2,
                  min_duration: float = 0.5, name_speakers: bool = False) -> list[Cue]:
    """The transcript's segments as subtitle cues, by the rules in the module docstring. A cue never spans two
    segments, so a change of speaker always starts a new cue. With `name_speakers`, the first cue of each change
    of speaker begins with `Name:`, counted in its line length."""
    if max_line_length < 1 or max_lines < 1:
        raise InputError("subtitles need max_line_length >= 1 and max_lines >= 1")
    raw: list[tuple[float, float, tuple[str, ...], str | None]] = []
    previous: str | None = None
    for segment in transcript.segments:
        tokens = [piece for token in _segment_tokens(segment) for piece in _split_long(token, max_line_length)]
        if name_speakers and segment.speaker and segment.speaker != previous and tokens:
            tokens.insert(0, _Token(f"{segment.speaker}:", tokens[0].start, tokens[0].start))
        previous = segment.speaker if tokens else previous
        for group in _group_tokens(tokens, max_line_length, max_lines):
            lines = _lines([t.text for t in group], max_line_length, max_lines)
            raw.append((group[0].start, group[-1].end, lines, segment.speaker))
    return _timed(raw, min_duration, transcript.duration)


# ---------------------------------------------------------------------------------------------------------------
# SRT, VTT, TSV, JSON


def format_timestamp(seconds: float, decimal_marker: str = ",") -> str:
    """`HH:MM:SS,mmm` (hours grow past two digits when needed: 100 h is `100:00:00,000`); negative is 0."""
    total_ms = max(0, round(seconds * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"


def to_srt(transcript: Transcript, *, max_line_length: int = 42, max_lines: int = 2,
           name_speakers: bool = True) -> str:
    """SubRip subtitles: numbered cues from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each. When
    speakers are known (and `name_speakers`), a cue where the speaker changes begins with `Name:`."""
    blocks = []
    cues = subtitle_cues(transcript, max_line_length=max_line_length, max_lines=max_lines,
                         name_speakers=name_speakers)
    for number, cue in enumerate(cues, start=1):
        times = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        blocks.append(f"{number}\n{times}\n" + "\n".join(cue.lines) + "\n\n")
    return "".join(blocks)


def to_vtt(transcript: Transcript, *, max_line_length: int = 42, max_lines: int = 2) -> str:
    """WebVTT subtitles: the `WEBVTT` header, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm` with their text escaped
    (`&`, `<`, `>`) as WebVTT requires; a cue whose speaker is known starts with its voice tag `<v Name>`."""
    blocks = ["WEBVTT\n\n"]
    for cue in subtitle_cues(transcript, max_line_length=max_line_length, max_lines=max_lines):
        times = f"{format_timestamp(cue.start, '.')} --> {format_timestamp(cue.end, '.')}"
        text = "\n".join(html.escape(line, quote=False) for line in cue.lines)
        if cue.speaker:
            text = f"<v {_vtt_voice(cue.speaker)}>{text}"
        blocks.append(f"{times}\n{text}\n\n")
    return "".join(blocks)


def _vtt_voice(name: str) -> str:
    """A name as a WebVTT voice annotation allows it (no `>`, no line break; `&` and `<` escaped)."""
    return html.escape(" ".join(name.replace(">", " ").split()), quote=False)


def _tsv_text(text: str) -> str:
    return " ".join(text.split())


def to_tsv(transcript: Transcript) -> str:
    """Tab-separated `start`, `end` (integer milliseconds) and `text`, one segment a row, under a header row, as
    Whisper writes it; tabs and line breaks inside text become spaces. When speakers are known, a fourth column
    `speaker`."""
    speakers = has_speakers(transcript)
    rows = ["start\tend\ttext\tspeaker\n" if speakers else "start\tend\ttext\n"]
    for segment in transcript.segments:
        text = _tsv_text(segment.text)
        if text:
            tail = f"\t{_tsv_text(segment.speaker or '')}" if speakers else ""
            rows.append(f"{round(segment.start * 1000)}\t{round(segment.end * 1000)}\t{text}{tail}\n")
    if not transcript.segments and transcript.text.strip():
        rows.append(f"0\t{round((transcript.duration or 0.0) * 1000)}\t{_tsv_text(transcript.text)}\n")
    return "".join(rows)


def to_json(transcript: Transcript) -> str:
    """Every field as JSON; `Transcript.model_validate_json` (or `Transcript.from_json`) gives back an equal transcript.
    Without speakers, the `speaker` fields are left out (the JSON is as it was before speakers existed)."""
    if has_speakers(transcript) or any(word.speaker for word in transcript.words):
        return transcript.model_dump_json(indent=2) + "\n"
    quiet = {"speaker": True}
    exclude: dict[str, Any] = {"words": {"__all__": quiet},
                               "segments": {"__all__": {"speaker": True, "words": {"__all__": quiet}}}}
    return transcript.model_dump_json(indent=2, exclude=exclude) + "\n"


def to_rttm(transcript: Transcript, file_id: str | None = None) -> str:
    """RTTM, the format diarization is scored in: `SPEAKER <file> 1 <start> <duration> <NA> <NA> <speaker> <NA>
    <NA>`, one line for each run of one speaker's words (each segment when it has no words), times in seconds
    with 3 decimals. Names and the file id have their spaces turned into `_` (RTTM fields are split at spaces).
    A transcript without speakers raises `InputError`."""
    if not has_speakers(transcript):
        raise InputError("RTTM lists who spoke when, and this transcript has no speakers: transcribe with "
                         "speakers='auto' (--speakers auto) or 'channels'")
    name = _rttm_field(file_id or (Path(transcript.source).stem if transcript.source else "audio"))
    lines = []
    for start, end, speaker in speaker_turns(transcript):
        lines.append(f"SPEAKER {name} 1 {start:.3f} {max(end - start, 0.0):.3f} <NA> <NA> {_rttm_field(speaker)} "
                     f"<NA> <NA>\n")
    return "".join(lines)


def speaker_turns(transcript: Transcript) -> list[tuple[float, float, str]]:
    """(start, end, speaker) for each run of one speaker's words in each segment (the segment's span when it has
    no words), in time order."""
    turns: list[tuple[float, float, str]] = []
    for segment in transcript.segments:
        if not segment.speaker:
            continue
        words = [word for word in segment.words if word.word.strip()]
        if not words:
            turns.append((segment.start, segment.end, segment.speaker))
            continue
        run: list[Word] = []
        for word in words:
            if run and (word.speaker or segment.speaker) != (run[-1].speaker or segment.speaker):
                turns.append((run[0].start, run[-1].end, run[-1].speaker or segment.speaker))
                run = []
            run.append(word)
        turns.append((run[0].start, run[-1].end, run[-1].speaker or segment.speaker))
    return sorted(turns)


def _rttm_field(text: str) -> str:
    return "_".join(text.split()) or "unknown"


# ---------------------------------------------------------------------------------------------------------------
# Files


def _format_of(path: Path, format: str | None) -> str:
    """The format named, or else the one the file's extension names."""
    name = (format if format is not None else path.suffix).lower().lstrip(".")
    if name not in FORMATS:
        given = f"format {format!r}" if format is not None else f"extension {path.suffix!r} of {path.name}"
        raise InputError(f"cannot tell how to write a transcript with {given}: use one of "
                         + ", ".join("." + f for f in FORMATS))
    return name


def render(transcript: Transcript, format: str) -> str:
    """The transcript in the named format (one of `FORMATS`)."""
    name = _format_of(Path("transcript"), format)
    writers: dict[str, Callable[[Transcript], str]] = {
        "txt": to_text, "srt": to_srt, "vtt": to_vtt, "json": to_json, "tsv": to_tsv, "rttm": to_rttm,
    }
    return writers[name](transcript)


def save(transcript: Transcript, path: str | Path, format: str | None = None) -> Path:
    """Write the transcript as UTF-8 in the format `format` names, or by the extension (.txt .srt .vtt .json
    .tsv .rttm). An unknown format raises `InputError` before anything is written. The file appears whole or not at all
    (`voicekit.outputs.write_text`): a full disk leaves an earlier transcript untouched. Returns the path."""
    target = Path(path)
    content = render(transcript, _format_of(target, format))
    return write_text(target, content)
