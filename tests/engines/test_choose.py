"""Which engine runs: local is always local, a client given means Groq, auto follows GROQ_API_KEY."""

from __future__ import annotations

import pytest

from voicekit import errors
from voicekit.engines.choose import GroqSynthesizer, GroqTranscriber, make_synthesizer, resolve_engine
from voicekit.engines.groq import AsyncGroqClient


@pytest.fixture
def client() -> AsyncGroqClient:
    return AsyncGroqClient(api_key="gsk_test", base_url="http://127.0.0.1:9")


def test_auto_follows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    assert resolve_engine("auto") == "local"
    monkeypatch.setenv("GROQ_API_KEY", "gsk_x")
    assert resolve_engine("auto") == "groq"


def test_groq_without_a_key_or_client_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(errors.ConfigurationError, match="GROQ_API_KEY"):
        resolve_engine("groq")


def test_a_client_means_groq_without_a_key_in_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                              client: AsyncGroqClient) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    assert resolve_engine("auto", client) == resolve_engine("groq", client) == "groq"
    synthesizer = make_synthesizer("groq", voice="troy", client=client)
    assert isinstance(synthesizer, GroqSynthesizer) and synthesizer.client is client


def test_local_stays_local_even_with_a_client(client: AsyncGroqClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_x")
    assert resolve_engine("local", client) == "local"
    assert make_synthesizer("local", client=client).name == "piper"
    assert not isinstance(make_synthesizer("local", client=client), GroqSynthesizer)
    assert GroqTranscriber(client).model == "whisper-large-v3-turbo"


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(errors.InputError, match="auto, groq or local"):
        resolve_engine("cloud")  # type: ignore[arg-type]
