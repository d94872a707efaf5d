"""The official `groq` SDK's `files` and `batches` resources against the loopback server's Batch API."""

from __future__ import annotations

import functools
import http.server
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from voicekit.testing import GroqServer, ServerOptions

groq = pytest.importorskip("groq")


@pytest.fixture
def audio_url(tmp_path: Path) -> Iterator[str]:
    """A 12 s FLAC served on 127.0.0.1, as an object store would serve it."""
    t = np.arange(12 * 16_000) / 16_000
    buffer = io.BytesIO()
    soundfile.write(buffer, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16_000, format="FLAC")
    (tmp_path / "window.flac").write_bytes(buffer.getvalue())
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/window.flac"
    httpd.shutdown()
    httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(**options: Any) -> GroqServer:
    return GroqServer(ServerOptions(transcription_backend="synthetic", **options))


def jsonl(url: str, count: int, **body: Any) -> bytes:
    lines = [{"custom_id": f"window-{i}", "method": "POST", "url": "/v1/audio/transcriptions",
              "body": {"model": "whisper-large-v3-turbo", "url": url, "response_format": "verbose_json",
                       "timestamp_granularities": ["segment", "word"], "language": "en", **body}}
             for i in range(count)]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def statuses_until_done(sdk: Any, batch_id: str) -> list[str]:
    """Every distinct status seen while polling, in order."""
    seen: list[str] = []
    while True:
        status = sdk.batches.retrieve(batch_id).status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("completed", "failed", "expired", "cancelled"):
            return seen
        time.sleep(0.01)


def results(sdk: Any, file_id: str | None) -> dict[str, dict[str, Any]]:
    if file_id is None:
        return {}
    lines = sdk.files.content(file_id).read().decode().splitlines()
    return {item["custom_id"]: item for item in map(json.loads, lines)}


def test_files_upload_list_retrieve_content_delete_through_the_sdk(audio_url: str) -> None:
    data = jsonl(audio_url, 2)
    with serve() as server, groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        created = sdk.files.create(file=("archive.jsonl", data), purpose="batch")
        assert created.id.startswith("file_") and (created.bytes, created.purpose) == (len(data), "batch")
        assert created.filename == "archive.jsonl"
        assert [f.id for f in sdk.files.list().data] == [created.id]
        assert sdk.files.info(created.id).bytes == len(data)
        assert sdk.files.content(created.id).read() == data
        deleted = sdk.files.delete(created.id)
        assert deleted.deleted and deleted.id == created.id
        with pytest.raises(groq.NotFoundError):
            sdk.files.info(created.id)
        with pytest.raises(groq.BadRequestError):
            sdk.files.create(file=("x.jsonl", data), purpose="fine-tune")  # type: ignore[arg-type]


def test_a_batch_moves_through_its_statuses_and_writes_results_by_custom_id(audio_url: str) -> None:
    with serve(batch_completion_seconds=0.6) as server, \
            groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        upload = sdk.files.create(file=("b.jsonl", jsonl(audio_url, 3)), purpose="batch")
        batch = sdk.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                   completion_window="24h", metadata={"job": "archive"})
        assert batch.status == "validating" and batch.metadata == {"job": "archive"}
        seen = statuses_until_done(sdk, batch.id)
        order = ["validating", "in_progress", "finalizing", "completed"]
        # Polling sees the statuses in order; on a busy machine it may miss a short one, which the batch's own
        # timestamps (`in_progress_at`, `finalizing_at`) then prove it passed through.
        assert seen == sorted(seen, key=order.index) and seen[-1] == "completed"
        done = sdk.batches.retrieve(batch.id)
        assert done.request_counts is not None and (done.request_counts.total, done.request_counts.completed) == (3, 3)
        assert done.error_file_id is None and done.in_progress_at and done.finalizing_at and done.completed_at
        output = results(sdk, done.output_file_id)
        assert set(output) == {"window-0", "window-1", "window-2"}
        body = output["window-0"]["response"]["body"]
        assert output["window-0"]["response"]["status_code"] == 200 and output["window-0"]["error"] is None
        assert body["duration"] == pytest.approx(12.0) and body["segments"] and body["words"]
        assert sdk.files.info(done.output_file_id).purpose == "batch_output"
        assert server.log.count("transcriptions") == 0  # batches are not synchronous requests
        listed = sdk.batches.list()
        assert [b.id for b in listed.data] == [batch.id]


def test_an_invalid_input_file_fails_validation_with_its_errors(audio_url: str) -> None:
    bad = jsonl(audio_url, 1) + b'{"custom_id": "x", "method": "GET", "url": "/v1/audio/transcriptions", "body": {}}\n'
    with serve() as server, groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        upload = sdk.files.create(file=("bad.jsonl", bad), purpose="batch")
        batch = sdk.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="7d")
        assert statuses_until_done(sdk, batch.id)[-1] == "failed"
        failed = sdk.batches.retrieve(batch.id)
        assert failed.failed_at and failed.errors is not None and failed.errors.data
        assert (failed.errors.data[0].code, failed.errors.data[0].line) == ("invalid_method", 2)
        with pytest.raises(groq.BadRequestError):
            sdk.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="1h")
        with pytest.raises(groq.NotFoundError):
            sdk.batches.create(input_file_id="file_missing", endpoint="/v1/chat/completions", completion_window="24h")


def test_capacity_expires_a_batch_with_partial_results_and_failures_go_to_the_error_file(audio_url: str) -> None:
    outside = "https://example.org/window.flac"
    lines = jsonl(audio_url, 3) + jsonl(outside, 1).replace(b"window-0", b"outside")
    with serve(batch_capacity_lines=3) as server, groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        upload = sdk.files.create(file=("b.jsonl", lines), purpose="batch")
        batch = sdk.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h")
        assert statuses_until_done(sdk, batch.id)[-1] == "expired"
        expired = sdk.batches.retrieve(batch.id)
        assert expired.expired_at and expired.request_counts is not None
        assert (expired.request_counts.completed, expired.request_counts.failed) == (3, 0)
        assert set(results(sdk, expired.output_file_id)) == {"window-0", "window-1", "window-2"}
        errors = results(sdk, expired.error_file_id)
        assert errors["outside"]["response"] is None and errors["outside"]["error"]["code"] == "batch_expired"
    with serve() as server, groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        upload = sdk.files.create(file=("b.jsonl", jsonl(outside, 1)), purpose="batch")
        batch = sdk.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h")
        statuses_until_done(sdk, batch.id)
        failed = results(sdk, sdk.batches.retrieve(batch.id).error_file_id)["window-0"]
        assert failed["response"]["status_code"] == 400 and "loopback" in failed["response"]["body"]["error"]["message"]


def test_a_cancelled_batch_keeps_what_finished_and_lists_the_rest_as_cancelled(audio_url: str) -> None:
    with serve(batch_completion_seconds=2.0) as server, \
            groq.Groq(api_key=server.api_key, base_url=server.base_url) as sdk:
        upload = sdk.files.create(file=("b.jsonl", jsonl(audio_url, 20)), purpose="batch")
        batch = sdk.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h")
        while sdk.batches.retrieve(batch.id).request_counts.completed < 1:  # type: ignore[union-attr]
            time.sleep(0.01)
        assert sdk.batches.cancel(batch.id).status == "cancelling"
        assert statuses_until_done(sdk, batch.id)[-1] == "cancelled"
        cancelled = sdk.batches.retrieve(batch.id)
        assert cancelled.cancelling_at and cancelled.cancelled_at
        done, rest = results(sdk, cancelled.output_file_id), results(sdk, cancelled.error_file_id)
        assert len(done) >= 1 and len(done) + len(rest) == 20
        assert {item["error"]["code"] for item in rest.values()} == {"batch_cancelled"}
        with pytest.raises(groq.BadRequestError):
            sdk.batches.cancel(batch.id)


def test_the_command_line_sets_the_batch_knobs() -> None:
    from voicekit.testing.__main__ import build_parser, options_from

    options = options_from(build_parser().parse_args(
        ["--batch-seconds", "30", "--batch-failure-rate", "0.1", "--batch-capacity", "500"]))
    assert (options.batch_completion_seconds, options.batch_failure_rate, options.batch_capacity_lines) == (
        30.0, 0.1, 500)
