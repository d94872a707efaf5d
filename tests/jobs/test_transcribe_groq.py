"""The whole transcription job on the Groq engine, against the loopback server (127.0.0.1 only).

The synthetic backend (words whose count follows the audio's length) keeps these fast; one test runs the server's
local Whisper for real content. A recording transport under the client reads back what each request carried
(language, prompt) and what came back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from recordings import ADDRESS, ADDRESS_SECONDS, AUDIO, RATE, audio_path
from wer import wer

import voicekit
from voicekit import Transcript, errors
from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.audio.model import read_audio
from voicekit.audio.segment import Window, segment_windows
from voicekit.testing import Fault, GroqServer, ServerOptions
from voicekit.testing.multipart import parse_multipart
from voicekit.transcript.formats import to_json


@dataclass(frozen=True)
class Sent:
    """One transcription request as it left the client, and the text that came back."""

    endpoint: str
    fields: dict[str, str]
    status: int
    text: str | None


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that also keeps each request's form fields (not the audio) and the answer's text."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        parts = parse_multipart(body, request.headers["content-type"])
        fields = {part.name: part.text() for part in parts if part.filename is None}
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        text = json.loads(content).get("text") if response.status_code == 200 else None
        self.sent.append(Sent(request.url.path.rsplit("/", 1)[-1], fields, response.status_code, text))
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def server() -> Iterator[GroqServer]:
    with GroqServer(ServerOptions(transcription_backend="synthetic")) as running:
        yield running


def groq(server: GroqServer, source: Any, transport: httpx.AsyncBaseTransport | None = None,
         timeout: float | None = None, **options: Any) -> Transcript:
    """The whole job (`atranscribe`) on the Groq engine through the loopback server, with a client of its own."""

    async def job() -> Transcript:
        async with voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url,
                                            transport=transport, timeout=timeout) as client:
            return await voicekit.atranscribe(source, engine="groq", client=client, progress=False, **options)

    return asyncio.run(job())


def new_requests(server: GroqServer, since: int) -> list[Any]:
    return [entry for entry in server.log.entries[since:] if entry.endpoint in ("transcriptions", "translations")]


@pytest.fixture(scope="module")
def address_windows() -> list[Window]:
    return list(segment_windows(stream_audio(audio_path(ADDRESS), DecodeOptions()), RATE))


# ---------------------------------------------------------------------------------------------------------------
# Requests, billing, language, cache


def test_one_request_per_window_billed_near_the_recording_length(server: GroqServer,
                                                                 address_windows: list[Window]) -> None:
    """The language is detected from the first window and then sent with every other one."""
    before = len(server.log.entries)
    transport = RecordingTransport()
    result = groq(server, audio_path(ADDRESS), transport)
    requests = new_requests(server, before)
    assert [entry.status for entry in requests] == [200] * len(address_windows)
    billed = sum(entry.audio_seconds for entry in requests)
    assert billed / ADDRESS_SECONDS <= 1.05, billed
    assert sum(entry.audio_duration for entry in requests) == pytest.approx(
        sum(window.duration for window in address_windows), abs=0.01)
    languages = [sent.fields.get("language") for sent in transport.sent]
    assert languages == [None] + ["en"] * (len(address_windows) - 1)
    assert result.language == "en" and result.duration == pytest.approx(ADDRESS_SECONDS, abs=0.01)
    assert all(any(w.start <= word.start and word.end <= w.end for w in address_windows) for word in result.words)
    assert result.model == "whisper-large-v3-turbo"
    assert json.loads(to_json(result))["model"] == "whisper-large-v3-turbo"
    assert all(word.word == word.word.strip() and word.word for word in result.words)


def test_a_given_language_is_sent_with_every_window(server: GroqServer, address_windows: list[Window]) -> None:
    transport = RecordingTransport()
    groq(server, audio_path(ADDRESS), transport, language="en")
    assert [sent.fields.get("language") for sent in transport.sent] == ["en"] * len(address_windows)


def test_an_identical_rerun_makes_no_requests(server: GroqServer, address_windows: list[Window]) -> None:
    first = groq(server, audio_path(ADDRESS))
    before = len(server.log.entries)
    again = groq(server, audio_path(ADDRESS))
    assert new_requests(server, before) == []
    assert again == first
    changed = groq(server, audio_path(ADDRESS), prompt="Columbia, Husband, McCool")
    assert len(new_requests(server, before)) == len(address_windows)  # a different prompt is a different request
    assert changed.text == first.text


def test_changing_what_shapes_a_window_transcript_requests_it_again(server: GroqServer,
                                                                   address_windows: list[Window]) -> None:
    transport = RecordingTransport()
    groq(server, audio_path(ADDRESS), transport, fill_gaps=True)
    groq(server, audio_path(ADDRESS), transport, fill_gaps=True)
    groq(server, audio_path(ADDRESS), transport)  # gap filling is off by default
    assert len(transport.sent) == 2 * len(address_windows)


def test_a_long_prompt_is_kept_whole_before_the_carried_words(server: GroqServer,
                                                              address_windows: list[Window]) -> None:
    """The user's prompt comes first and whole; the previous window's words fill what is left of 896 characters."""
    own = " ".join(["Columbia, Husband, McCool, Ramon, Isaiah."] * 19)  # 797 characters
    room = 896 - len(own) - 1
    transport = RecordingTransport()
    groq(server, audio_path(ADDRESS), transport, prompt=own, carry_prompt=True)
    prompts = [sent.fields["prompt"] for sent in transport.sent]
    assert len(prompts) == len(address_windows) and prompts[0] == own
    for previous, prompt in zip(transport.sent, prompts[1:], strict=False):
        assert previous.text is not None
        assert prompt == f"{own} {previous.text.strip()[-room:]}"


def test_a_run_stopped_by_an_error_resumes_with_only_the_missing_windows(server: GroqServer, private_cache: Path,
                                                                         address_windows: list[Window]) -> None:
    """Three windows are answered, then a 400 (not retried) stops the run with an error and no transcript; the
    rerun asks only for the windows that were not kept, and gives what an uninterrupted run gives.

    Requests are counted at the client: a request still in flight when the run stopped is finished (and billed)
    by the server after the run has given up on it."""
    server.inject(Fault.slow(0.0), times=3, endpoint="transcriptions")  # answered normally
    server.inject(Fault.status(400), times=1, endpoint="transcriptions")
    stopped = RecordingTransport()
    with pytest.raises(errors.BadRequestError):
        groq(server, audio_path(ADDRESS), stopped, concurrency=2)
    statuses = [sent.status for sent in stopped.sent]
    assert statuses.count(200) >= 3 and statuses.count(400) == 1, statuses
    kept = len(list(private_cache.rglob("*.json")))
    assert 3 <= kept < len(address_windows)
    resuming = RecordingTransport()
    resumed = groq(server, audio_path(ADDRESS), resuming)
    assert len(resuming.sent) == len(address_windows) - kept
    assert resumed == groq(server, audio_path(ADDRESS), cache=False)


def test_a_cancelled_run_resumes_with_only_the_missing_windows(private_cache: Path,
                                                               address_windows: list[Window]) -> None:
    """A run cancelled after a few answers keeps the windows it finished; the rerun requests only the rest."""

    async def cancelled(server: GroqServer) -> None:
        async with voicekit.AsyncGroqClient(api_key=server.api_key, base_url=server.base_url) as client:
            task = asyncio.create_task(voicekit.atranscribe(audio_path(ADDRESS), engine="groq", client=client,
                                                            progress=False, concurrency=2))
            while server.log.count("transcriptions", status=200) < 3:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    with GroqServer(ServerOptions(transcription_backend="synthetic", latency=0.2)) as server:
        asyncio.run(cancelled(server))
        kept = len(list(private_cache.rglob("*.json")))
        assert 1 <= kept < len(address_windows)
        resuming = RecordingTransport()
        groq(server, audio_path(ADDRESS), resuming)
        assert len(resuming.sent) == len(address_windows) - kept


# ---------------------------------------------------------------------------------------------------------------
# Silence is not sent; translation


def _with_silences(before: float, after: float) -> tuple[npt.NDArray[np.float32], float]:
    speech = read_audio(audio_path("en_jfk_16k_mono.wav")).samples
    pad = [np.zeros(round(seconds * RATE), dtype=np.float32) for seconds in (before, after)]
    return np.concatenate([pad[0], speech, pad[1]]), len(speech) / RATE


def test_long_silences_are_not_sent_and_pure_silence_sends_nothing(server: GroqServer) -> None:
    samples, speech_seconds = _with_silences(15.0, 20.0)
    before = len(server.log.entries)
    result = groq(server, samples, sample_rate=RATE)
    uploaded = sum(entry.audio_duration for entry in new_requests(server, before))
    assert speech_seconds - 1.0 <= uploaded <= speech_seconds + 0.5, uploaded
    assert result.words and result.words[0].start >= 14.5 and result.words[-1].end <= 26.5
    assert result.duration == pytest.approx(46.0)
    before = len(server.log.entries)
    silent = groq(server, np.zeros(30 * RATE, dtype=np.float32), sample_rate=RATE)
    assert new_requests(server, before) == []
    assert (silent.text, silent.words, silent.duration) == ("", [], 30.0)


def test_translation_goes_to_the_translation_endpoint_and_bad_choices_send_nothing(server: GroqServer) -> None:
    wav = audio_path("en_jfk_16k_mono.wav")
    before = len(server.log.entries)
    with pytest.raises(errors.UnsupportedError, match="cannot translate"):
        groq(server, wav, translate=True, model="whisper-large-v3-turbo")
    with pytest.raises(errors.InputError, match="unknown language"):
        groq(server, wav, translate=True, language="klingon")
    assert new_requests(server, before) == []
    result = groq(server, wav, translate=True, language="de")
    assert [(e.endpoint, e.model, e.status) for e in new_requests(server, before)] == [
        ("translations", "whisper-large-v3", 200)]
    assert result.text


# ---------------------------------------------------------------------------------------------------------------
# Real content through the server's Whisper, with the previous window's words as the prompt


JOINED = ["en_jfk_16k_mono.wav", "en_librispeech_2412-153948-0000.flac", "en_librispeech_mr_quilter_leopard.wav",
          "en_ami_ES2011a_40s-46s.wav", "en_jfk_whisper.flac"]


@pytest.mark.slow
def test_whisper_through_the_server_with_carried_prompts(tmp_path: Path) -> None:
    """Five clips (50 s) with 1 s pauses, so cut at a pause near 30 s: each window after the first is sent the
    user's prompt and the end of the previous window's text, and the merged text matches the references."""
    pause = np.zeros(RATE, dtype=np.float32)
    samples = np.concatenate([part for name in JOINED for part in (read_audio(audio_path(name)).samples, pause)])
    expected = " ".join((AUDIO / name).with_suffix(".txt").read_text(encoding="utf-8") for name in JOINED)
    transport = RecordingTransport()
    with GroqServer(ServerOptions(transcription_backend="whisper")) as server:
        # A busy machine's Whisper can take minutes a window: wait for it rather than time out and retry.
        result = groq(server, samples, transport, timeout=900.0, sample_rate=RATE, carry_prompt=True,
                      prompt="Mr. Quilter")
    assert len(transport.sent) >= 2 and all(sent.status == 200 for sent in transport.sent)
    assert transport.sent[0].fields.get("prompt") == "Mr. Quilter"
    for previous, sent in zip(transport.sent, transport.sent[1:], strict=False):
        assert previous.text is not None
        prompt = sent.fields["prompt"]
        assert prompt.startswith("Mr. Quilter ") and prompt.endswith(previous.text.strip()[-200:]), prompt
        assert len(prompt) <= 896
        assert sent.fields.get("language") == "en"
    assert wer(expected, result.text) <= 0.1, result.text
