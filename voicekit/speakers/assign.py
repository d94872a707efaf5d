"""Put speakers on a transcript: each word gets the speaker who talks most during it, segments split where the
speaker changes.

This works on times alone, so it is the same whichever engine transcribed. A word that no turn overlaps takes the
speaker of the nearest turn. A segment whose words change speaker becomes one segment per run of words of one
speaker; its text is cut between the text's own tokens when they pair one to one with the words (punctuation is
kept), else rebuilt from the words. A segment without words takes the speaker with the most time inside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from voicekit.errors import InputError
from voicekit.speakers.diarize import Turn
from voicekit.transcript.model import Segment, Transcript, Word

__all__ = ["label_transcript", "parse_speakers", "speaker_names", "speaker_of"]


def speaker_names(count: int, names: Sequence[str] | None = None) -> list[str]:
    """Display names for speakers 0..count-1: the names given, in order, then `Speaker N` (from 1)."""
    given = list(names or [])
    return [given[i] if i < len(given) else f"Speaker {i + 1}" for i in range(count)]


def speaker_of(start: float, end: float, turns: Sequence[Turn]) -> int | None:
    """The speaker with the most time in [start, end]; the nearest turn's when none overlaps; None without turns."""
    if not turns:
        return None
    shares: dict[int, float] = {}
    for turn in turns:
        overlap = min(end, turn.end) - max(start, turn.start)
        if overlap > 0:
            shares[turn.speaker] = shares.get(turn.speaker, 0.0) + overlap
    if shares:
        return max(shares, key=lambda speaker: shares[speaker])
    middle = (start + end) / 2
    return min(turns, key=lambda turn: max(turn.start - middle, middle - turn.end, 0.0)).speaker


def label_transcript(transcript: Transcript, turns: Sequence[Turn], names: Sequence[str] | None = None) -> Transcript:
    """A copy of `transcript` with `speaker` on every word and segment (see the module docstring)."""
    count = max((turn.speaker for turn in turns), default=-1) + 1
    labels = speaker_names(count, names)
    segments: list[Segment] = []
    for segment in transcript.segments:
        segments.extend(_split_segment(segment, turns, labels))
    segments = [segment.model_copy(update={"id": index}) for index, segment in enumerate(segments)]
    words = [_labelled(word, turns, labels) for word in transcript.words]
    return transcript.model_copy(update={"segments": segments, "words": words})


def _labelled(word: Word, turns: Sequence[Turn], labels: Sequence[str]) -> Word:
    speaker = speaker_of(word.start, word.end, turns)
    return word.model_copy(update={"speaker": labels[speaker] if speaker is not None else None})


def _split_segment(segment: Segment, turns: Sequence[Turn], labels: Sequence[str]) -> list[Segment]:
    if not segment.words:
        speaker = speaker_of(segment.start, segment.end, turns)
        return [segment.model_copy(update={"speaker": labels[speaker] if speaker is not None else None})]
    words = [_labelled(word, turns, labels) for word in segment.words]
    runs: list[list[int]] = []
    for index, word in enumerate(words):
        if runs and words[runs[-1][-1]].speaker == word.speaker:
            runs[-1].append(index)
        else:
            runs.append([index])
    if len(runs) == 1:
        return [segment.model_copy(update={"words": words, "speaker": words[0].speaker})]
    texts = _run_texts(segment.text, words, runs)
    return [segment.model_copy(update={
        "words": [words[i] for i in run], "speaker": words[run[0]].speaker, "text": text,
        "start": words[run[0]].start if k else segment.start,
        "end": words[run[-1]].end if k < len(runs) - 1 else segment.end})
        for k, (run, text) in enumerate(zip(runs, texts, strict=True))]


def _run_texts(text: str, words: Sequence[Word], runs: Sequence[Sequence[int]]) -> list[str]:
    """Each run's text: the segment's own tokens when they pair with the words, else the words joined."""
    tokens = text.split()
    spoken = [word for word in words if word.word.strip()]
    if len(tokens) == len(words) and len(spoken) == len(words):
        return [" " + " ".join(tokens[i] for i in run) for run in runs]
    spaced = any(word.word[:1].isspace() for word in words)
    if spaced:
        return ["".join(words[i].word for i in run) for run in runs]
    return [" " + " ".join(words[i].word.strip() for i in run) for run in runs]


def parse_speakers(value: str) -> tuple[int, int] | None:
    """`auto` -> (1, 8); `3` -> (3, 3); `2-4` -> (2, 4); `channels` -> None. Anything else is an `InputError`."""
    text = value.strip().lower()
    if text == "channels":
        return None
    if text == "auto":
        return (1, 8)
    usage = f"speakers {value!r}: use channels, auto, a number such as 2, or a range such as 2-4"
    low, dash, high = text.partition("-")
    try:
        bounds = (int(low), int(high if dash else low))
    except ValueError:
        raise InputError(usage) from None
    if not 1 <= bounds[0] <= bounds[1]:
        raise InputError(f"{usage} (at least 1, the smaller number first)")
    return bounds
