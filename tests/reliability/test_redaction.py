"""Finding 5: whatever the server answers (a proxy echoing every request header into a JSON error, a 200 that is
not JSON, an HTML 5xx page, a body cut short), no exception, log line, repr, cache file or output holds the key
or a header value the caller added."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest
from reliability_helpers import client_of, start

import voicekit
from voicekit import errors
from voicekit._sync import run_sync
from voicekit.testing import Fault

KEY = "gsk_CanaryKey_0123456789abcdefghijklmnop"
CANARY = "canary-proxy-token-77f1e0c9"


def _secrets_in(text: str) -> list[str]:
    return [secret for secret in (KEY, CANARY) if secret in text]


def _everything(error: BaseException) -> str:
    """Every way an error is shown: str, repr, the formatted traceback with its causes, its attributes."""
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    shown += [repr(value) for value in vars(error).values()]
    return "\n".join(shown)


@pytest.mark.parametrize("body", ["json_error", "text", "html", "truncated"])
@pytest.mark.parametrize("endpoint", ["speech", "transcriptions"])
def test_echoed_headers_never_come_back_out(body: str, endpoint: str, caplog: pytest.LogCaptureFixture,
                                            tmp_path: Path, private_cache: Path) -> None:
    server = start(api_key=KEY)
    server.inject(Fault.echo(body), times=3, endpoint=endpoint)  # type: ignore[arg-type]
    try:
        # Every level voicekit logs at, and what `voicekit -v` shows of the HTTP libraries (INFO). httpcore's own
        # DEBUG trace prints raw response headers as the server sent them; it is not enabled by voicekit.
        caplog.set_level(logging.INFO)
        with caplog.at_level(logging.DEBUG, logger="voicekit"), \
                client_of(server, max_retries=2, headers={"X-Proxy-Auth": CANARY}, timeout=5) as client:
            shown = [repr(client)]
            try:
                if endpoint == "speech":
                    run_sync(client.speech("Hello there.", voice="troy"))
                else:
                    transcript = voicekit.transcribe(_speech_wav(tmp_path), client=client, progress=False)
                    transcript.save(tmp_path / "out.json")
                    shown.append(transcript.model_dump_json())
            except errors.VoicekitError as exc:
                shown.append(_everything(exc))
        shown += [record.getMessage() for record in caplog.records]
        shown += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".wav"]
        assert server.log.count(endpoint) >= 1
        assert _secrets_in("\n".join(shown)) == []
    finally:
        server.stop()


def _speech_wav(folder: Path) -> Path:
    import numpy as np
    import soundfile as sf

    rate = 16000
    t = np.arange(3 * rate) / rate
    samples = (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)
    path = folder / "speech.wav"
    sf.write(path, samples, rate)
    return path


def test_a_200_that_is_not_json_is_quoted_redacted() -> None:
    server = start(api_key=KEY)
    server.inject(Fault.echo("text"), endpoint="models")
    try:
        with client_of(server, headers={"X-Proxy-Auth": CANARY}) as client, \
                pytest.raises(errors.InvalidResponseError, match="expected JSON") as raised:
            run_sync(client.models())
        assert "proxy says" in str(raised.value) and _secrets_in(_everything(raised.value)) == []
    finally:
        server.stop()


def test_a_password_in_the_base_url_stays_out_of_reprs() -> None:
    client = voicekit.AsyncGroqClient(api_key=KEY, base_url=f"http://user:{CANARY}@127.0.0.1:9")
    assert _secrets_in(repr(client)) == []
