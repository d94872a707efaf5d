"""One transcript from one transcript per channel: each channel's words and segments carry its speaker's name, and
everything is merged in time order.

Speech that overlaps stays with its own channel's speaker, because each channel was transcribed on its own: two
segments that overlap in time are both kept, ordered by start (then by channel). Only what a channel says is
transcribed: the windowing skips a channel's long silences, so a channel that listens while the other talks sends
(and on Groq is billed for) only its own speech.
"""

from __future__ import annotations

from collections.abc import Sequence

from voicekit.errors import InputError
from voicekit.transcript.formats import join_segment_texts
from voicekit.transcript.model import Segment, Transcript, Word

__all__ = ["channel_names", "merge_channels"]


def channel_names(channels: int, names: Sequence[str] | None = None) -> list[str]:
    """Names for the channels: the names given, one per channel, else `Channel 1`, `Channel 2`, ... More names
    than channels is an `InputError` (a likely mistake, said before anything is transcribed)."""
    given = [name.strip() for name in names or []]
    if len(given) > channels:
        raise InputError(f"{len(given)} speaker names for a recording of {channels} channel(s): give at most one "
                         f"name per channel")
    if any(not name for name in given):
        raise InputError("a speaker name is empty: give names separated by commas, such as Alice,Bob")
    return [given[i] if i < len(given) else f"Channel {i + 1}" for i in range(channels)]


def merge_channels(transcripts: Sequence[Transcript], names: Sequence[str],
                   paragraph_gap: float | None = 2.0) -> Transcript:
    """The channels' transcripts as one, in time order, each word and segment labelled by its channel's name."""
    labelled: list[tuple[float, int, Segment]] = []
    loose_words: list[tuple[float, int, Word]] = []
    for channel, (transcript, name) in enumerate(zip(transcripts, names, strict=True)):
        for segment in transcript.segments:
            words = [word.model_copy(update={"speaker": name}) for word in segment.words]
            labelled.append((segment.start, channel, segment.model_copy(update={"speaker": name, "words": words})))
        if not any(segment.words for segment in transcript.segments):
            loose_words.extend((word.start, channel, word.model_copy(update={"speaker": name}))
                               for word in transcript.words)
    labelled.sort(key=lambda item: (item[0], item[1]))
    segments = [segment.model_copy(update={"id": index}) for index, (_, _, segment) in enumerate(labelled)]
    words = [word for segment in segments for word in segment.words]
    if loose_words:
        words = sorted([*words, *(word for _, _, word in loose_words)], key=lambda word: word.start)
    durations = [t.duration for t in transcripts if t.duration is not None]
    languages = [t.language for t in transcripts if t.language and t.segments]
    return Transcript(text=join_segment_texts(segments, paragraph_gap), language=languages[0] if languages else None,
                      duration=max(durations) if durations else None, segments=segments, words=words)
