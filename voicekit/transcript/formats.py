"""Write a `Transcript` as plain text, SubRip (.srt), WebVTT (.vtt), JSON, TSV or RTTM, and read JSON back.

When speakers are known (`Segment.speaker`), text is a script (`Name: ...` paragraphs), VTT cues carry voice tags
(`<v Name>`), SRT cues name the speaker where it changes, TSV has a speaker column and RTTM lists the turns.
Without speakers every format is exactly what it was before speakers existed.

Subtitle cues (`voicekit.transcript.cues`) keep the broadcast rules: at most 42 characters a line and 2 lines, at
least about 1 s on screen and at most about 20 characters a second where the speech allows, breaks at sentence ends,
then clauses, then pauses, never inside a word, a number or a capitalised name. Segments without words are timed
in proportion to the characters of their text.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicekit.errors import InputError
from voicekit.outputs import write_text
from voicekit.transcript.cues import CUE_PAUSE, Cue, subtitle_cues
from voicekit.transcript.words import no_space_script

if TYPE_CHECKING:
    from voicekit.transcript.model import Segment, Transcript, Word

__all__ = [
    "CUE_PAUSE", "FORMATS", "Cue", "cues_to_srt", "cues_to_vtt", "format_timestamp", "has_speakers",
    "join_segment_texts", "render", "save", "script_text", "speaker_turns", "subtitle_cues",
    "to_json", "to_rttm", "to_srt", "to_text", "to_tsv", "to_vtt",
]

FORMATS = ("txt", "srt", "vtt", "json", "tsv", "rttm")
"""The formats `save` writes, by file extension."""


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
# SRT, VTT, TSV, JSON


def format_timestamp(seconds: float, decimal_marker: str = ",") -> str:
    """`HH:MM:SS,mmm` (hours grow past two digits when needed: 100 h is `100:00:00,000`); negative is 0."""
    total_ms = max(0, round(seconds * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"


def cues_to_srt(cues: Sequence[Cue]) -> str:
    """SubRip text of cues: numbered from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        times = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        blocks.append(f"{number}\n{times}\n" + "\n".join(cue.lines) + "\n\n")
    return "".join(blocks)


def cues_to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT text of cues: the `WEBVTT` header, then `HH:MM:SS.mmm --> HH:MM:SS.mmm` and the text escaped (`&`, `<`,
    `>`) as WebVTT requires; a cue whose speaker is known starts with its voice tag `<v Name>`."""
    blocks = ["WEBVTT\n\n"]
    for cue in cues:
        times = f"{format_timestamp(cue.start, '.')} --> {format_timestamp(cue.end, '.')}"
        text = "\n".join(html.escape(line, quote=False) for line in cue.lines)
        if cue.speaker:
            text = f"<v {_vtt_voice(cue.speaker)}>{text}"
        blocks.append(f"{times}\n{text}\n\n")
    return "".join(blocks)


def to_srt(transcript: Transcript, *, max_line_length: int = 42, max_lines: int = 2,
           name_speakers: bool = True) -> str:
    """SubRip subtitles (`cues_to_srt` of `subtitle_cues`). When speakers are known (and `name_speakers`), a cue
    where the speaker changes begins with `Name:`."""
    return cues_to_srt(subtitle_cues(transcript, max_line_length=max_line_length, max_lines=max_lines,
                                     name_speakers=name_speakers))


def to_vtt(transcript: Transcript, *, max_line_length: int = 42, max_lines: int = 2) -> str:
    """WebVTT subtitles (`cues_to_vtt` of `subtitle_cues`), speakers in voice tags."""
    return cues_to_vtt(subtitle_cues(transcript, max_line_length=max_line_length, max_lines=max_lines))


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
