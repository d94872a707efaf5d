"""Which engine runs: local is always local, a client given means Groq, auto follows GROQ_API_KEY; engines read
their limits from the catalog, and the registry closes only what it opened."""

from __future__ import annotations

import asyncio

import pytest

from voicekit import errors
from voicekit.engines.base import SpeechEngine, TranscriptionEngine
from voicekit.engines.catalog import SPEECH_MODELS, TRANSCRIPTION_MODELS
from voicekit.engines.groq import AsyncGroqClient
from voicekit.engines.groq_engines import GroqSpeechEngine, GroqTranscriptionEngine
from voicekit.engines.local import PiperSynthesizer, WhisperTranscriber
from voicekit.engines.registry import (
    ENGINE_NAMES,
    open_speech_engine,
    open_transcription_engine,
    speech_engine,
    transcription_engine,
    voices,
)


@pytest.fixture
def client() -> AsyncGroqClient:
    return AsyncGroqClient(api_key="gsk_test", base_url="http://127.0.0.1:9")


def test_auto_follows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    assert isinstance(speech_engine("auto"), PiperSynthesizer)
    assert isinstance(transcription_engine("auto"), WhisperTranscriber)
    monkeypatch.setenv("GROQ_API_KEY", "gsk_x")
    assert isinstance(speech_engine("auto"), GroqSpeechEngine)
    assert isinstance(transcription_engine("auto"), GroqTranscriptionEngine)


def test_groq_without_a_key_or_client_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(errors.ConfigurationError, match="GROQ_API_KEY"):
        speech_engine("groq")


def test_a_client_means_groq_without_a_key_in_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                              client: AsyncGroqClient) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    engine = speech_engine("auto", voice="troy", client=client)
    assert isinstance(engine, GroqSpeechEngine) and engine.client is client


def test_local_stays_local_even_with_a_client(client: AsyncGroqClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_x")
    assert isinstance(speech_engine("local", client=client), PiperSynthesizer)
    assert GroqTranscriptionEngine(client).model == "whisper-large-v3-turbo"


def test_an_unknown_engine_is_refused_naming_the_choices() -> None:
    with pytest.raises(errors.InputError, match="unknown engine 'cloud'") as caught:
        speech_engine("cloud")
    assert all(name in str(caught.value) for name in ENGINE_NAMES)


def test_every_engine_implements_its_protocol(client: AsyncGroqClient) -> None:
    assert isinstance(GroqSpeechEngine(client), SpeechEngine)
    assert isinstance(PiperSynthesizer(), SpeechEngine)
    assert isinstance(GroqTranscriptionEngine(client), TranscriptionEngine)
    assert isinstance(WhisperTranscriber(), TranscriptionEngine)


def test_limits_and_prices_come_from_the_catalog(client: AsyncGroqClient) -> None:
    for name, spec in SPEECH_MODELS.items():
        engine = GroqSpeechEngine(client, model=name)
        assert engine.limits.max_chars == spec.max_chars
        assert engine.limits.takes_directions == spec.takes_directions
        assert engine.voices() == list(spec.voices) and engine.voice == spec.default_voice
        assert engine.cost_usd(1_000_000) == pytest.approx(spec.usd_per_million_chars)
    for name, model in TRANSCRIPTION_MODELS.items():
        whisper = GroqTranscriptionEngine(client, model=name)
        assert whisper.billed_seconds(1.0) == model.billing_minimum_seconds
        assert whisper.cost_usd(3600) == pytest.approx(model.usd_per_hour)
    assert PiperSynthesizer().limits.max_chars is None and PiperSynthesizer().cost_usd(10**6) == 0


def test_translation_needs_a_model_that_translates(client: AsyncGroqClient) -> None:
    with pytest.raises(errors.UnsupportedError, match="cannot translate"):
        GroqTranscriptionEngine(client, model="whisper-large-v3-turbo", translate=True)
    with pytest.raises(errors.UnsupportedError, match="cannot translate"):
        transcription_engine("local", translate=True)


def test_an_unknown_voice_is_refused_before_any_request(client: AsyncGroqClient) -> None:
    with pytest.raises(errors.UnknownVoiceError, match="troy"):
        GroqSpeechEngine(client, voice="nobody")
    with pytest.raises(errors.UnknownVoiceError):
        PiperSynthesizer(voice="nobody")


def test_the_cache_identity_holds_what_changes_the_output(client: AsyncGroqClient) -> None:
    other_server = AsyncGroqClient(api_key="gsk_test", base_url="http://user:pw@127.0.0.1:10")
    one = GroqSpeechEngine(client, voice="troy").cache_identity()
    assert one != GroqSpeechEngine(client, voice="autumn").cache_identity()
    assert one != GroqSpeechEngine(other_server, voice="troy").cache_identity()
    assert "pw" not in repr(GroqSpeechEngine(other_server).cache_identity())
    assert PiperSynthesizer(length_scale=1.2).cache_identity() != PiperSynthesizer().cache_identity()
    assert PiperSynthesizer(noise_scale=0.667).cache_identity() != PiperSynthesizer().cache_identity()
    assert (GroqTranscriptionEngine(client).cache_identity()
            != GroqTranscriptionEngine(other_server).cache_identity())


def test_the_registry_closes_what_it_opened_and_only_that(monkeypatch: pytest.MonkeyPatch,
                                                          client: AsyncGroqClient) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_x")

    async def scenario() -> None:
        async with open_speech_engine("groq", concurrency=7) as opened:
            assert isinstance(opened, GroqSpeechEngine)
            assert opened.client.limiter.max_concurrency == 7  # the job's concurrency reaches the client
            opened.client._client()  # opens its connection pool
        assert opened.client._http is None  # closed with the engine that created it
        mine = GroqTranscriptionEngine(client)
        client._client()
        async with open_transcription_engine(mine) as given:
            assert given is mine
        assert client._http is not None  # an engine (and client) the caller gave stays open
        async with open_transcription_engine("groq", client=client):
            pass
        assert client._http is not None
        await client.aclose()

    asyncio.run(scenario())


def test_voices_lists_each_provider() -> None:
    listing = voices("auto")
    assert set(SPEECH_MODELS) <= set(listing)
    assert voices("local") == {"piper (local)": ["joe"]}
