"""The models voicekit knows: their voices, limits and prices. The one place any of these numbers lives.

Engines read their limits from here (`SpeechEngine.limits`, `TranscriptionEngine.limits`); narration chunks by the
speech model's `max_chars`, the plan prices and paces from here, and the loopback server's contract refuses what
these limits refuse. Groq's figures come from Groq's documentation (`reference/groq-api.md`).
"""

from __future__ import annotations

from dataclasses import dataclass

ORPHEUS_ENGLISH = "canopylabs/orpheus-v1-english"
ORPHEUS_ARABIC = "canopylabs/orpheus-arabic-saudi"
WHISPER = "whisper-large-v3"
WHISPER_TURBO = "whisper-large-v3-turbo"
PIPER = "piper"
LOCAL_WHISPER = "tiny.en"

ORPHEUS_MAX_CHARS = 200
"""The longest `input` one Orpheus request may carry."""
MEGABYTE = 1024 * 1024

BILLING_MINIMUM_SECONDS = 10.0
"""Groq bills every transcription request as at least 10 s of audio."""
GROQ_MAX_UPLOAD_BYTES = 25 * MEGABYTE
"""The largest file a transcription request may attach on the free tier."""


@dataclass(frozen=True)
class RequestPace:
    """A plan's request limits: requests and tokens (characters) per minute and per day. None: no such limit."""

    rpm: int | None = None
    tpm: int | None = None
    rpd: int | None = None
    tpd: int | None = None
    on_this_machine: bool = False
    """An engine on this machine (no request limits): its speed is measured when planning."""
    plan: str = "the provider's plan"
    """What these limits are, for messages ("the free plan")."""
    request_seconds: float = 0.0
    """How long one request takes to be answered (the plan's estimate adds it per round of concurrent requests)."""


GROQ_FREE_PLAN = RequestPace(rpm=10, tpm=1200, rpd=100, tpd=3600, plan="the free plan", request_seconds=1.0)
"""Orpheus on Groq's free plan (the plan's estimate of wall time assumes it; the developer plan allows 250 requests
and 50,000 characters a minute). One request is assumed to take about a second to answer: not measured against the
live API from this machine, which reaches only loopback addresses."""
PIPER_PACE = RequestPace(on_this_machine=True, plan="this machine")
"""Piper runs on this machine: the plan times it there and then (`voicekit.jobs.estimate`). A constant cannot keep
the estimate within a factor of 1.5 on a shared machine: `voicekit narrate samples/article.md --engine local
--no-cache` took 10.5 s at 09:43 and 2.9-4.7 s fifteen minutes later on the project's 2-core machine."""


@dataclass(frozen=True)
class SpeechModel:
    name: str
    voices: tuple[str, ...]
    default_voice: str
    language: str
    max_chars: int | None = ORPHEUS_MAX_CHARS
    """The longest text one request may carry (None: no limit); narration's chunks are at most this long."""
    chunk_chars: int | None = None
    """The chunk length narration uses for a model without `max_chars` (None: the same as `max_chars`)."""
    takes_directions: bool = True
    """Whether bracketed vocal directions such as `[cheerful]` are understood."""
    usd_per_million_chars: float = 22.0
    pace: RequestPace = GROQ_FREE_PLAN
    paced_by_requests: bool = True
    """Whether the provider's limits count requests (then narration lets chunks run across paragraphs)."""
    output_formats: tuple[str, ...] = ("wav",)

    @property
    def chunk_limit(self) -> int:
        """The longest chunk narration makes for this model."""
        limit = self.max_chars if self.max_chars is not None else self.chunk_chars
        assert limit is not None, f"{self.name} needs max_chars or chunk_chars in the catalog"
        return limit


@dataclass(frozen=True)
class TranscriptionModel:
    name: str
    usd_per_hour: float
    translates: bool
    max_upload_bytes: int | None = GROQ_MAX_UPLOAD_BYTES
    """The largest upload one request may carry (None: no limit)."""
    billing_minimum_seconds: float = BILLING_MINIMUM_SECONDS
    """Every request is billed as at least this much audio."""
    timestamps: bool = True
    """Whether the model answers with segments and word times (verbose_json)."""
    language: str | None = None
    """The one language the model knows (English-only models such as tiny.en), or None: it detects the language."""


SPEECH_MODELS: dict[str, SpeechModel] = {
    ORPHEUS_ENGLISH: SpeechModel(
        ORPHEUS_ENGLISH, ("autumn", "diana", "hannah", "austin", "daniel", "troy"), "autumn", "en"
    ),
    ORPHEUS_ARABIC: SpeechModel(
        ORPHEUS_ARABIC,
        ("abdullah", "fahad", "sultan", "lulwa", "noura", "aisha"),
        "fahad",
        "ar",
        takes_directions=False,
        usd_per_million_chars=40.0,
    ),
}

TRANSCRIPTION_MODELS: dict[str, TranscriptionModel] = {
    WHISPER: TranscriptionModel(WHISPER, 0.111, translates=True),
    WHISPER_TURBO: TranscriptionModel(WHISPER_TURBO, 0.04, translates=False),
}

LOCAL_SPEECH_MODELS: dict[str, SpeechModel] = {
    PIPER: SpeechModel(PIPER, ("joe",), "joe", "en", max_chars=None, chunk_chars=ORPHEUS_MAX_CHARS,
                       takes_directions=False, usd_per_million_chars=0.0, pace=PIPER_PACE, paced_by_requests=False),
}
"""Piper takes text of any length; narration still cuts it into chunks of Orpheus's length, so that a rerun of an
edited document resynthesizes only the chunks that changed."""

LOCAL_TRANSCRIPTION_MODELS: dict[str, TranscriptionModel] = {
    LOCAL_WHISPER: TranscriptionModel(LOCAL_WHISPER, 0.0, translates=False, max_upload_bytes=None,
                                      billing_minimum_seconds=0.0, language="en"),
}


OPENAI_SPEECH_MAX_CHARS = 4096
"""The longest `input` one OpenAI speech request may carry."""
OPENAI_MAX_UPLOAD_BYTES = 25 * MEGABYTE
OPENAI_TIER_ONE = RequestPace(rpm=50, plan="OpenAI's first usage tier", request_seconds=1.0)
_OPENAI_TTS1_VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
_OPENAI_SPEECH_FORMATS = ("wav", "mp3", "opus", "aac", "flac", "pcm")

OPENAI_SPEECH_MODELS: dict[str, SpeechModel] = {
    name: SpeechModel(name, voices, "alloy", "en", max_chars=OPENAI_SPEECH_MAX_CHARS, takes_directions=False,
                      usd_per_million_chars=price, pace=OPENAI_TIER_ONE, output_formats=_OPENAI_SPEECH_FORMATS)
    for name, voices, price in (
        ("gpt-4o-mini-tts", (*_OPENAI_TTS1_VOICES, "ballad", "verse"), 15.0),
        ("tts-1", _OPENAI_TTS1_VOICES, 15.0),
        ("tts-1-hd", _OPENAI_TTS1_VOICES, 30.0),
    )
}
"""OpenAI's speech models. gpt-4o-mini-tts is billed by tokens (about $0.015 a minute of audio): its price per
character here is an estimate. Vocal directions go in the `instructions` field (gpt-4o-mini-tts), not the text."""

OPENAI_TRANSCRIPTION_MODELS: dict[str, TranscriptionModel] = {
    "whisper-1": TranscriptionModel("whisper-1", 0.36, translates=True, max_upload_bytes=OPENAI_MAX_UPLOAD_BYTES,
                                    billing_minimum_seconds=0.0),
    "gpt-4o-transcribe": TranscriptionModel("gpt-4o-transcribe", 0.36, translates=False,
                                            max_upload_bytes=OPENAI_MAX_UPLOAD_BYTES, billing_minimum_seconds=0.0,
                                            timestamps=False),
    "gpt-4o-mini-transcribe": TranscriptionModel("gpt-4o-mini-transcribe", 0.18, translates=False,
                                                 max_upload_bytes=OPENAI_MAX_UPLOAD_BYTES,
                                                 billing_minimum_seconds=0.0, timestamps=False),
}
"""OpenAI's transcription models. Only whisper-1 answers verbose_json (segments and word times) and translates; the
gpt-4o models answer json or text only."""


@dataclass(frozen=True)
class AudioPace:
    """How fast a transcription engine gets through audio: an API's per-minute requests and per-hour audio seconds
    (Groq meters both as buckets that start full), or an engine's speed on this machine."""

    rpm: int | None = None
    audio_seconds_per_hour: int | None = None
    request_seconds: float = 0.0
    """How long one request takes to be answered."""
    speed: float | None = None
    """On this machine: seconds of audio transcribed per second of wall time, after `start_seconds`."""
    start_seconds: float = 0.0
    """On this machine: loading the model before the first window."""
    plan: str = "the provider's plan"


GROQ_WHISPER_FREE_PLAN = AudioPace(rpm=20, audio_seconds_per_hour=7200, request_seconds=1.0, plan="the free plan")
"""Whisper on Groq's free plan (the developer plan: 300-400 requests a minute, 200,000-400,000 audio seconds an
hour). One request is assumed to take about a second: not measured against the live API from this machine."""
OPENAI_TRANSCRIPTION_PACE = AudioPace(rpm=50, request_seconds=1.0, plan="OpenAI's first usage tier")
"""OpenAI transcription, with the speech tier's request limit assumed (not measured)."""
LOCAL_WHISPER_PACE = AudioPace(speed=35.0, start_seconds=4.0, plan="this machine")
"""tiny.en through faster-whisper on the project's shared 2-core machine, start-up and model load included:
`voicekit transcribe samples/meeting.ogg --engine local --no-cache` (143 s) took 6.6 s at load average 5 and 10.0 s
under heavier load; the 199 s Bush address took 6.5 s. These figures give 7.9 s for the meeting, within a factor of
1.3 of both (`python benchmarks/plan_estimate.py`)."""


def transcription_pace(engine: str) -> AudioPace:
    """The pace a transcription plan assumes for an engine by name (groq, openai, local)."""
    return {"groq": GROQ_WHISPER_FREE_PLAN, "openai": OPENAI_TRANSCRIPTION_PACE}.get(engine, LOCAL_WHISPER_PACE)


def billed_seconds(duration: float, minimum: float = BILLING_MINIMUM_SECONDS) -> float:
    """Audio seconds billed for one request of this length (Groq's minimum by default)."""
    return max(duration, minimum)
