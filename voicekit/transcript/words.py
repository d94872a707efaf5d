"""The one normal form of a transcript's words, and the one way text is rebuilt from words.

Providers write words differently: Groq and OpenAI give each word bare (`"Galileo"`), faster-whisper gives it with
its leading space (`" Galileo"`) and splits a few words into pieces that carry no space (`" 1"`, `",465"`), and a
provider may hand punctuation over as a word of its own (`","`). Every engine's words are put in the normal form
where they enter a job (`normalize_transcript`), so the merge, the gap splice and the formats see one form only.

**The normal form.** `Word.word` is one spoken word as written text has it:
- bare: no whitespace before, after or inside it (`"Columbia"`, never `" Columbia"`);
- with its punctuation attached (`"Dr."`, `"Columbia,"`, `"(applause)"`, `"well-known"`, `"1,465"`);
- never empty and never punctuation alone: a piece that is only punctuation joins the word before it (or, for
  opening punctuation such as `"("` or `"¿"`, the word after it);
- where the provider marks word starts with a leading space, a piece without one continues the word before it
  (`" 1"` + `",465"` is one word `"1,465"`, spanning both pieces' times); with any provider, a piece that starts
  with a hyphen or an apostrophe and goes on with a letter or digit continues the word before it (`"Mi"` +
  `"-Kabitam"`, `"don"` + `"'t"`).

**Rebuilding text** (`join_words`): words joined by one space, except none before closing punctuation
(`. , ; : ! ? % ) ] } ”` ...), none after opening punctuation (`( [ { “ ¿ ¡`), and none between characters of
scripts written without spaces (CJK, Thai). Every place that rebuilds text from words calls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voicekit.transcript.model import Segment, Transcript, Word

__all__ = ["WORD_FORM", "join_words", "needs_space", "normalize_segment", "normalize_transcript", "normalize_words",
           "no_space_script"]

WORD_FORM = "bare-1"
"""The name of this normal form: cached window transcripts are keyed by it, so a change of form is never mixed
with transcripts cached in an older one."""
CLOSING = frozenset(".,;:!?%)]}\u201d\u2019\u00bb\u2026\u3002\u3001\uff0c\uff01\uff1f")
"""Characters that attach to the word before them: no space is written before them."""
JOINING = frozenset("-\u2010\u2011'\u2019")
"""A piece that starts with one of these and goes on with a letter or digit continues the word before it
("Mi" + "-Kabitam", "don" + "'t"), whatever the provider's spacing."""
OPENING = frozenset("([{\u201c\u2018\u00ab\u00bf\u00a1")
"""Characters that attach to the word after them: no space is written after them."""


def no_space_script(char: str) -> bool:
    """Scripts written without spaces between words (CJK, Thai, Hangul)."""
    code = ord(char)
    return 0x0E00 <= code <= 0x0EFF or 0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or code >= 0xF900


def _is_punctuation(text: str) -> bool:
    """True for text with no letter or digit in it (`","`, `"..."`, `"—"`)."""
    return bool(text) and not any(ch.isalnum() for ch in text)


def _opens(text: str) -> bool:
    return all(ch in OPENING for ch in text)


def needs_space(left: str, right: str) -> bool:
    """Whether `join_words` puts one space between two bare pieces of text."""
    if not left or not right:
        return False
    if right[0] in CLOSING or left[-1] in OPENING:
        return False
    return not (no_space_script(left[-1]) or no_space_script(right[0]))


def join_words(words: Iterable[str]) -> str:
    """Text rebuilt from words (bare or not): one space between words, none before closing punctuation, none after
    opening punctuation, none inside scripts written without spaces."""
    text = ""
    for word in words:
        bare = word.strip()
        if not bare:
            continue
        text = text + " " + bare if needs_space(text, bare) else text + bare
    return text


def _combine(first: Word, second: Word, text: str) -> Word:
    """One word from two pieces: the given text, the earlier start, the later end, the lower probability."""
    probabilities = [p for p in (first.probability, second.probability) if p is not None]
    return first.model_copy(update={"word": text, "start": min(first.start, second.start),
                                    "end": max(first.end, second.end),
                                    "probability": min(probabilities) if probabilities else None})


def normalize_words(words: Sequence[Word]) -> list[Word]:
    """The words in the normal form (see the module's rules); times and order are kept."""
    spaced = any(word.word[:1].isspace() for word in words)
    out: list[Word] = []
    opening: Word | None = None  # opening punctuation waiting for its word
    for word in words:
        bare = "".join(word.word.split())
        if not bare:
            continue
        if opening is not None:
            word, opening = _combine(opening, word, opening.word + bare), None
            out.append(word)
            continue
        continues = (spaced and not word.word[:1].isspace()) or (bare[0] in JOINING and bare[1:2].isalnum())
        if out and (bool(continues) or (_is_punctuation(bare) and not _opens(bare))):
            out[-1] = _combine(out[-1], word, out[-1].word + bare)
        elif _is_punctuation(bare) and _opens(bare):
            opening = word.model_copy(update={"word": bare})
        else:
            out.append(word if word.word == bare else word.model_copy(update={"word": bare}))
    if opening is not None:
        out.append(opening)
    return out


def normalize_segment(segment: Segment) -> Segment:
    """The segment with its words in the normal form (its text is left as the engine wrote it)."""
    if not segment.words:
        return segment
    return segment.model_copy(update={"words": normalize_words(segment.words)})


def normalize_transcript(transcript: Transcript) -> Transcript:
    """The transcript with every word, top-level and in segments, in the normal form. Top-level words are rebuilt
    from the segments' when the segments carry words, so that both lists agree."""
    segments = [normalize_segment(segment) for segment in transcript.segments]
    if any(segment.words for segment in segments):
        words = [word for segment in segments for word in segment.words]
    else:
        words = normalize_words(transcript.words)
    return transcript.model_copy(update={"segments": segments, "words": words})
