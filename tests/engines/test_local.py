"""The offline engines, run for real: the packaged Piper voice and Whisper tiny.en, on real speech."""

from __future__ import annotations

import asyncio
import re
import sys

import jiwer
import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
import soxr
from shared_data import shared_data

from voicekit import Audio, Segment, Transcript, Word
from voicekit.engines import local
from voicekit.engines.base import Synthesizer, Transcriber
from voicekit.engines.local import PiperSynthesizer, WhisperTranscriber, _check_window, _spliced
from voicekit.errors import InputError, MissingDependencyError, UnknownVoiceError, UnsupportedError
from voicekit.transcript.gaps import trailing_speech

SENTENCE = "The quick brown fox jumps over the lazy dog."


def _normalized(text: str) -> str:
    """Lower case, punctuation gone (apostrophes kept), single spaces: what WER is measured on."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def _wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(_normalized(reference), _normalized(hypothesis)))


@pytest.fixture(scope="module")
def piper() -> PiperSynthesizer:
    return PiperSynthesizer()


@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber()


@pytest.fixture(scope="module")
def spoken(piper: PiperSynthesizer) -> Audio:
    return asyncio.run(piper.synthesize(SENTENCE))


@pytest.fixture(scope="module")
def jfk() -> tuple[Audio, str]:
    path = shared_data("audio", "en_jfk_16k_mono.wav")
    samples, rate = sf.read(path, dtype="float32")
    return Audio(samples, rate), path.with_suffix(".txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------------ Piper


def test_engines_satisfy_the_protocols(piper: PiperSynthesizer, whisper: WhisperTranscriber) -> None:
    assert isinstance(piper, Synthesizer)
    assert isinstance(whisper, Transcriber)
    assert (piper.name, piper.limits.max_chars, whisper.name) == ("piper", None, "faster-whisper")


def test_piper_speaks_a_sentence(piper: PiperSynthesizer, spoken: Audio) -> None:
    assert piper.sample_rate == spoken.sample_rate == 22050
    assert spoken.channels == 1
    assert spoken.samples.ndim == 1
    assert spoken.samples.dtype == np.float32
    assert 0.5 < spoken.duration < 6.0
    assert float(np.abs(spoken.samples).max()) <= 1.0
    assert float(np.sqrt(np.mean(spoken.samples**2))) > 0.02  # speech, not silence
    frames = spoken.samples[: spoken.frames // 441 * 441].reshape(-1, 441)  # 20 ms frames
    active = np.sqrt(np.mean(frames**2, axis=1)) > 0.01
    assert active.mean() > 0.5  # most of it is voiced


def test_piper_length_scale_slows_speech() -> None:
    normal = PiperSynthesizer(length_scale=1.0).synthesize_sync(SENTENCE)
    slow = PiperSynthesizer(length_scale=1.6).synthesize_sync(SENTENCE)
    assert slow.duration > 1.3 * normal.duration


def test_piper_speaks_several_sentences_in_order(piper: PiperSynthesizer, spoken: Audio) -> None:
    twice = piper.synthesize_sync(f"{SENTENCE} {SENTENCE}")
    assert 1.6 * spoken.duration < twice.duration < 2.4 * spoken.duration


def test_piper_runs_concurrently(piper: PiperSynthesizer) -> None:
    async def both() -> list[Audio]:
        return list(await asyncio.gather(piper.synthesize("One."), piper.synthesize("Two, three and four.")))

    short, longer = asyncio.run(both())
    assert 0.2 < short.duration < longer.duration


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_piper_rejects_empty_text(piper: PiperSynthesizer, text: str) -> None:
    with pytest.raises(InputError, match="no text to speak"):
        piper.synthesize_sync(text)
    with pytest.raises(InputError, match="no text to speak"):
        asyncio.run(piper.synthesize(text))


def test_piper_voices_and_bad_options() -> None:
    assert PiperSynthesizer.voices() == ["joe"]
    with pytest.raises(UnknownVoiceError, match="joe"):
        PiperSynthesizer(voice="amy")
    with pytest.raises(InputError, match="length_scale"):
        PiperSynthesizer(length_scale=0)
    with pytest.raises(InputError, match="noise_scale"):
        PiperSynthesizer(noise_scale=-0.1)


# ------------------------------------------------------------------------------------------------ faster-whisper


def _check_word_times(transcript: Transcript, duration: float) -> None:
    """Every word lies inside the window, starts before it ends, and starts never go backwards."""
    starts = [word.start for word in transcript.words]
    assert starts == sorted(starts)
    for word in transcript.words:
        assert 0.0 <= word.start <= word.end <= duration + 0.05, word


@pytest.mark.slow  # about 1-2 s idle, more on a busy machine
def test_whisper_transcribes_jfk(whisper: WhisperTranscriber, jfk: tuple[Audio, str]) -> None:
    audio, reference = jfk
    transcript = asyncio.run(whisper.transcribe_window(audio, language="en"))
    assert _wer(reference, transcript.text) < 0.1, transcript.text
    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(11.0)
    assert transcript.segments
    assert transcript.text == "".join(segment.text for segment in transcript.segments).strip()
    assert transcript.words == [word for segment in transcript.segments for word in segment.words]
    assert len(transcript.words) == len(_normalized(transcript.text).split())
    _check_word_times(transcript, audio.duration)
    for segment in transcript.segments:
        assert 0.0 <= segment.start < segment.end <= audio.duration + 0.05
        assert segment.tokens
        assert segment.avg_logprob > -1.0
        assert segment.no_speech_prob < 0.5
    assert "country" in transcript.words[-1].word.lower(), transcript.words[-1]
    assert transcript.words[-1].end > 9.0  # "country" is said at about 10 s


@pytest.mark.slow  # about 1-2 s idle, more on a busy machine
def test_whisper_without_word_timestamps(jfk: tuple[Audio, str]) -> None:
    audio, _ = jfk
    window = Audio(audio.samples[: 16000 * 5], 16000)  # "And so my fellow Americans"
    transcript = WhisperTranscriber(beam_size=1, word_timestamps=False).transcribe_sync(window)
    assert transcript.words == []
    assert _normalized(transcript.text).startswith("and so my fellow americans")


@pytest.mark.slow  # about 1-2 s idle, more on a busy machine
def test_round_trip_piper_to_whisper(whisper: WhisperTranscriber, spoken: Audio) -> None:
    window = Audio(soxr.resample(spoken.samples, spoken.sample_rate, 16000), 16000)
    transcript = asyncio.run(whisper.transcribe_window(window, language="English"))
    assert _wer(SENTENCE, transcript.text) <= 0.12, transcript.text  # at most one word of nine wrong
    assert transcript.language == "en"
    _check_word_times(transcript, window.duration)


def test_whisper_rejects_a_wrong_rate(whisper: WhisperTranscriber, spoken: Audio) -> None:
    with pytest.raises(InputError, match="16000 Hz"):
        asyncio.run(whisper.transcribe_window(spoken))


def test_whisper_rejects_stereo(whisper: WhisperTranscriber) -> None:
    stereo = Audio(np.zeros((16000, 2), dtype=np.float32), 16000)
    with pytest.raises(InputError, match="mono"):
        whisper.transcribe_sync(stereo)


@pytest.mark.parametrize("language", ["de", "es", "ru", "German", "enx"])
def test_whisper_rejects_other_languages(whisper: WhisperTranscriber, language: str) -> None:
    window = Audio(np.zeros(16000, dtype=np.float32), 16000)
    with pytest.raises(UnsupportedError, match="English-only"):
        asyncio.run(whisper.transcribe_window(window, language=language))


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # what an install without the extra looks like
    window = Audio(np.zeros(16000, dtype=np.float32), 16000)
    with pytest.raises(MissingDependencyError, match=r'pip install "voicekit\[local\]"'):
        WhisperTranscriber(cpu_threads=3).transcribe_sync(window)  # a thread count no test has loaded


@pytest.mark.parametrize("language", [None, "en", "EN", "en-US", "en_GB", "English"])
def test_whisper_accepts_english_however_named(language: str | None) -> None:
    _check_window(Audio(np.zeros(160, dtype=np.float32), 16000), language)  # the rule, without a model run


# ---------------------------------------------------------------------------------------------- model and batches


def test_whisper_model_is_one_that_is_installed() -> None:
    assert WhisperTranscriber().model == "tiny.en" == WhisperTranscriber(model="tiny.en").model
    assert WhisperTranscriber.models() == ["tiny.en"]
    with pytest.raises(InputError, match=r"no Whisper model 'large-v3'.*installed models are tiny\.en"):
        WhisperTranscriber(model="large-v3")


def test_the_job_refuses_a_local_model_that_is_not_installed_before_any_work() -> None:
    import voicekit

    with pytest.raises(InputError, match="installed models are tiny.en"):
        voicekit.transcribe(np.zeros(16000, dtype=np.float32), sample_rate=16000, engine="local", model="base.en",
                            progress=False, cache=False)


@pytest.mark.slow  # three windows through tiny.en
def test_windows_submitted_together_are_decoded_as_one_batch(jfk: tuple[Audio, str]) -> None:
    audio, expected = jfk
    engine = WhisperTranscriber(batch_size=8)
    sizes: list[int] = []
    run_batch = engine.transcribe_batch_sync

    def counting(audios: list[Audio], prompt: str | None = None) -> list[Transcript]:
        sizes.append(len(audios))
        return run_batch(audios, prompt)

    engine.transcribe_batch_sync = counting  # type: ignore[method-assign]

    async def three() -> list[Transcript]:
        return list(await asyncio.gather(*(engine.transcribe_window(audio) for _ in range(3))))

    results = asyncio.run(three())
    assert sizes == [3]
    for result in results:
        assert _wer(expected, result.text) <= 0.1, result.text
        assert result.words and all(0 <= w.start <= w.end <= audio.duration + 0.01 for w in result.words)
        assert all(w.word == w.word.strip() for w in result.words)


def _batching(monkeypatch: pytest.MonkeyPatch, size: int) -> tuple[WhisperTranscriber, list[int]]:
    """An engine whose batches are recorded by size and answered without the model, and which would wait an hour
    for one more window: a test that finishes never waited."""
    monkeypatch.setattr(local, "LINGER_SECONDS", 3600.0)
    engine = WhisperTranscriber(batch_size=size)
    sizes: list[int] = []

    def answering(audios: list[Audio], prompt: str | None = None) -> list[Transcript]:
        sizes.append(len(audios))
        return [Transcript(text="", duration=audio.duration) for audio in audios]

    engine.transcribe_batch_sync = answering  # type: ignore[method-assign]
    return engine, sizes


def test_a_job_s_last_window_goes_at_once_even_when_it_comes_after_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job says it has cut its last window before that window may have reached the engine: that window is
    decoded at once, not after a wait for windows that never come; and while the job is still cutting, the batch
    waits for its next window until the job says there is none."""
    engine, sizes = _batching(monkeypatch, 8)
    window = Audio(np.zeros(16000, dtype=np.float32), 16000)

    async def jobs() -> None:
        engine.windows_started()
        engine.windows_ended()
        await engine.transcribe_window(window)
        engine.windows_started()
        waiting = asyncio.ensure_future(engine.transcribe_window(window))
        for _ in range(10):
            await asyncio.sleep(0)
        assert sizes == [1] and not waiting.done()  # waiting for the job's next window
        engine.windows_ended()
        await waiting

    asyncio.run(asyncio.wait_for(jobs(), 60))
    assert sizes == [1, 1]


def test_jobs_sharing_the_engine_share_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two jobs on one engine (a folder transcribed several files at a time): the end of one job's windows does
    not cut short the batch the other job's windows are still coming to."""
    engine, sizes = _batching(monkeypatch, 2)
    window = Audio(np.zeros(16000, dtype=np.float32), 16000)

    async def two_jobs() -> None:
        engine.windows_started()
        engine.windows_started()
        short = asyncio.ensure_future(engine.transcribe_window(window))
        engine.windows_ended()  # the short recording's only window was its last
        for _ in range(10):
            await asyncio.sleep(0)
        assert sizes == [] and not short.done()
        await asyncio.gather(short, engine.transcribe_window(window))
        engine.windows_ended()

    asyncio.run(asyncio.wait_for(two_jobs(), 60))
    assert sizes == [2]


def _segment(text: str, start: float, end: float, *, no_speech: float = 0.05, logprob: float = -0.2) -> Segment:
    words = [Word(word=w, start=start + i * (end - start) / len(text.split()),
                  end=start + (i + 1) * (end - start) / len(text.split())) for i, w in enumerate(text.split())]
    return Segment(id=0, seek=0, start=start, end=end, text=" " + text, tokens=[], temperature=0.0,
                   avg_logprob=logprob, compression_ratio=1.0, no_speech_prob=no_speech, words=words)


def _window(*segments: Segment, duration: float) -> Transcript:
    return Transcript(text="".join(s.text for s in segments).strip(), language="en", duration=duration,
                      segments=list(segments), words=[w for s in segments for w in s.words])


def test_a_tail_is_appended_after_the_window_words_and_inside_the_window() -> None:
    window = _window(_segment("Mr. Quilter is the apostle.", 0.5, 6.0), duration=16.0)
    tail = _window(_segment("I'm Abigail.", 3.5, 9.0), duration=8.0)  # its last word stamped past the audio
    joined = _spliced(window, tail, 8.0, 16.0)
    assert joined.text == "Mr. Quilter is the apostle. I'm Abigail."
    assert [s.id for s in joined.segments] == [0, 1]
    assert [(w.word, w.start) for w in joined.words][-2:] == [("I'm", 11.5), ("Abigail.", 14.25)]
    assert all(0 <= w.start <= w.end <= 16.0 for w in joined.words) and joined.words[-1].end == 16.0


def test_a_tail_that_whisper_s_silence_rule_rejects_adds_nothing() -> None:
    """A hesitation ("uh") after a window's last word, decoded alone, comes back as " Okay." with a high
    no-speech probability and a low log-probability: Whisper's own rule drops it."""
    window = _window(_segment("And that should be all. Thanks.", 24.0, 25.3), duration=27.8)
    noise = _window(_segment("Okay.", 1.6, 2.5, no_speech=0.87, logprob=-1.56), duration=2.5)
    assert _spliced(window, noise, 25.3, 27.8) is window
    nothing = _window(_segment("...", 0.2, 1.0), duration=2.5)
    assert _spliced(window, nothing, 25.3, 27.8) is window


def test_a_head_is_spliced_before_the_window_words() -> None:
    window = _window(_segment("You can call me Abbie.", 9.0, 12.0), duration=12.0)
    head = _window(_segment("I'm Abigail Claflin.", 1.0, 8.5), duration=9.0)
    joined = _spliced(window, head, 0.0, 9.0)
    assert joined.text == "I'm Abigail Claflin. You can call me Abbie."
    assert all(a.end <= b.start + 1e-6 for a, b in zip(joined.words, joined.words[1:], strict=False))
    assert joined.words[2].end <= 9.0 <= joined.words[3].start


def _clip(name: str) -> npt.NDArray[np.float32]:
    return np.asarray(sf.read(shared_data("audio", name), dtype="float32")[0], dtype=np.float32)


def _watched(engine: WhisperTranscriber) -> list[tuple[int, str | None]]:
    """The engine's batch decodes from now on, as (windows, prompt), in order."""
    calls: list[tuple[int, str | None]] = []
    decode = engine._decode_batch

    def watching(audios: list[Audio], prompt: str | None) -> list[Transcript]:
        calls.append((len(audios), prompt))
        return decode(audios, prompt)

    engine._decode_batch = watching  # type: ignore[method-assign]
    return calls


def test_a_loud_tail_without_a_voice_is_not_decoded_again() -> None:
    """After the window's last word come 3 s of hiss as loud as the speech: loud enough to look like speech that
    the decode skipped, but Silero hears no voice in it, so it costs no second decode."""
    speech = _clip("en_jfk_16k_mono.wav")
    hiss = np.random.default_rng(5).normal(0, float(np.sqrt(np.mean(speech ** 2))), 3 * 16000).astype(np.float32)
    audio = Audio(np.concatenate([speech, hiss]), 16000)
    text = shared_data("audio", "en_jfk_16k_mono.txt").read_text(encoding="utf-8")
    first = _window(_segment(text.strip(), 0.3, len(speech) / 16000 - 0.3), duration=audio.duration)
    assert trailing_speech(audio.samples, 16000, first) >= local.RECHECK_SECONDS
    engine = WhisperTranscriber()
    calls = _watched(engine)
    assert engine._with_tails([audio], [first], None) == [first] and calls == []


@pytest.mark.slow  # two windows and a tail through tiny.en
def test_speech_after_a_long_pause_that_the_whole_window_decode_skipped_is_decoded_as_a_tail() -> None:
    """Leopard's sentence, 4 s of silence, then the AMI meeting clip, in one window: decoded whole, tiny.en stops
    after the first sentence. The tail (from the last word on) is decoded in one more batch, alone: the meeting's
    words come back after the pause, in the window's time, and the other window of the batch is left as it was."""
    first = _clip("en_librispeech_mr_quilter_leopard.wav")
    window = np.concatenate([first, np.zeros(4 * 16000, dtype=np.float32), _clip("en_ami_ES2011a_40s-46s.wav")])
    other = _clip("en_jfk_16k_mono.wav")
    engine = WhisperTranscriber()
    calls = _watched(engine)
    joined, alone = engine.transcribe_batch_sync([Audio(window, 16000), Audio(other, 16000)])
    assert calls == [(2, None), (1, None)]
    late = [w for w in joined.words if w.start >= len(first) / 16000 + 3.5]
    assert "abigail" in _normalized(" ".join(w.word for w in late)), joined.text
    assert all(a.end <= b.start + 1e-6 for a, b in zip(joined.words, joined.words[1:], strict=False))
    assert joined.words[-1].end <= len(window) / 16000
    assert _wer(shared_data("audio", "en_jfk_16k_mono.txt").read_text(encoding="utf-8"), alone.text) <= 0.1


@pytest.mark.slow  # two decodes through tiny.en
def test_speech_before_a_late_first_word_is_decoded_again_without_the_prompt() -> None:
    """A prompt can lead Whisper to skip the start of a window and write only its end. Given such a first pass
    (the window is Leopard's sentence, a second of silence and the JFK clip; the pass has only JFK's words), the
    speech before its first word is decoded again, without the prompt, and its words come first."""
    first, second = _clip("en_librispeech_mr_quilter_leopard.wav"), _clip("en_jfk_16k_mono.wav")
    offset = (len(first) + 16000) / 16000
    window = Audio(np.concatenate([first, np.zeros(16000, dtype=np.float32), second]), 16000)
    engine = WhisperTranscriber()
    jfk = engine.transcribe_batch_sync([Audio(second, 16000)])[0]
    late = _window(*[s.model_copy(update={"start": s.start + offset, "end": s.end + offset, "words": [
        w.model_copy(update={"start": w.start + offset, "end": w.end + offset}) for w in s.words]})
        for s in jfk.segments], duration=window.duration)
    calls = _watched(engine)
    [joined] = engine._with_tails([window], [late], "Quilter, Kennedy.")
    assert calls == [(1, None)]
    early = [w for w in joined.words if w.end <= offset]
    assert _wer(shared_data("audio", "en_librispeech_mr_quilter_leopard.txt").read_text(encoding="utf-8"),
                " ".join(w.word for w in early)) <= 0.15, joined.text
    assert joined.words[len(early):] == late.words
    assert all(a.end <= b.start + 1e-6 for a, b in zip(joined.words, joined.words[1:], strict=False))


@pytest.mark.slow  # one decode through tiny.en
def test_a_window_a_prompt_left_without_words_is_decoded_again_without_it(jfk: tuple[Audio, str]) -> None:
    """Seen on a narrated chapter: with a prompt, 26 s of speech came back as one word stretched over 1.4 s. Such a
    first pass (no word of real length) is decoded again, whole and without the prompt; without a prompt, a window
    without words is the model's own verdict and is left as it is."""
    audio, reference = jfk
    empty = _window(_segment("That's", 6.0, 7.4), duration=audio.duration)
    engine = WhisperTranscriber()
    calls = _watched(engine)
    assert engine._with_tails([audio], [empty], None) == [empty] and calls == []
    [again] = engine._with_tails([audio], [empty], "Kennedy.")
    assert calls == [(1, None)]
    assert _wer(reference, again.text) <= 0.1, again.text


@pytest.mark.slow  # two windows through tiny.en
def test_the_job_tells_the_engine_once_that_its_last_window_was_cut(jfk: tuple[Audio, str]) -> None:
    """The job announces the end of its windows once the last one is cut, so the local engine's last batch starts
    without waiting for windows that never come."""
    import voicekit

    events: list[str] = []

    class Recording(WhisperTranscriber):
        async def transcribe_window(self, audio: Audio, *, language: str | None = None,
                                    prompt: str | None = None) -> Transcript:
            events.append("window")
            return await super().transcribe_window(audio, language=language, prompt=prompt)

        def windows_ended(self) -> None:
            events.append("ended")
            super().windows_ended()

        def transcribe_batch_sync(self, audios: list[Audio], prompt: str | None = None) -> list[Transcript]:
            events.append(f"batch of {len(audios)}")
            return super().transcribe_batch_sync(audios, prompt)

    audio, expected = jfk
    twice = np.concatenate([audio.samples, np.zeros(3 * 16000, dtype=np.float32), audio.samples])
    result = voicekit.transcribe(twice, sample_rate=16000, engine=Recording(), progress=False, cache=False)
    # The end is announced once, when the last window has been cut. The cutting runs ahead in a worker thread, so
    # the announcement may come before the last window reaches the engine (which then batches what it has): every
    # window is decoded once, in batches that add up to the two.
    assert events.count("window") == 2 and events.count("ended") == 1
    assert sum(int(e.split()[-1]) for e in events if e.startswith("batch of")) == 2
    assert _wer(f"{expected} {expected}", result.text) <= 0.1, result.text
