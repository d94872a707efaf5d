"""Batch transcription against real parts: moto's S3 server, the loopback Groq server's Files and Batches APIs
(which fetch each window from the store by its presigned URL), and the synchronous path to compare with."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from batchparts import BUCKET, S3, groq
from recordings import audio_path
from served import served_folder

import voicekit
from voicekit import errors
from voicekit._sync import run_sync
from voicekit.jobs.batch import BatchJob, index_of, transcribe_batch
from voicekit.jobs.batch_state import BatchOptions
from voicekit.storage import StorageSpec

JFK = "en_jfk_16k_mono.wav"
LONG = "en_mfa_michaelandsickmichael_stereo.wav"  # 52 s: several windows


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    store = S3()
    yield store
    store.stop()


def storage(s3: S3, prefix: str) -> StorageSpec:
    return StorageSpec(f"s3://{BUCKET}/{prefix}", endpoint_url=s3.endpoint_url)


def archive(tmp_path: Path, *names: str) -> list[Path]:
    """Copies of shared recordings in the test's own folder (outputs are written beside them)."""
    folder = tmp_path / "archive"
    folder.mkdir(exist_ok=True)
    return [Path(shutil.copy(audio_path(name), folder / name)) for name in names]


def submit(files: list[Path], s3: S3, client: voicekit.AsyncGroqClient, tmp_path: Path, prefix: str,
           **options: object) -> BatchJob:
    opts = BatchOptions(language="en", progress=False, format="json").model_copy(update=options)
    return transcribe_batch(files, storage=storage(s3, prefix), job=tmp_path / "job.json", options=opts,
                            client=client, s3_client=s3.client)


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_batch_transcripts_equal_the_synchronous_ones_at_half_the_cost(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, JFK, LONG)
    with groq() as (server, client):
        job = submit(files, s3, client, tmp_path, "same")
        assert len(job.batch_ids) == 1 and server.log.count("transcriptions") == 0
        windows = sum(len(r.windows) for r in job.state.recordings)
        assert windows >= 3 and len(s3.keys("same/")) == job.state.objects_uploaded
        job.wait(poll_seconds=0.02, progress=False)
        report = job.fetch()
        assert sorted(report.written) == sorted(f.with_suffix(".json") for f in files) and not report.incomplete
        assert server.batches.get(job.batch_ids[0]).completed == windows
        for path in files:
            batch = voicekit.Transcript.model_validate_json(path.with_suffix(".json").read_text())
            sync = voicekit.transcribe(path, client=client, language="en", fill_gaps=False, cache=False,
                                       progress=False)
            assert batch.text == sync.text and batch.text.split()
            assert [(s.start, s.end, s.text) for s in batch.segments] == \
                [(s.start, s.end, s.text) for s in sync.segments]
        assert server.log.count("transcriptions") == windows  # the synchronous comparison, window for window
        cost = report.cost
        assert cost is not None and cost.batch.requests == windows and cost.sync.requests == 0
        assert cost.batch.usd == pytest.approx(cost.all_sync_usd / 2)


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_a_repeated_job_uploads_nothing_twice_and_clean_removes_its_objects(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, JFK, LONG)
    with groq() as (server, client):
        first = submit(files, s3, client, tmp_path, "repeat")
        stored = s3.keys("repeat/")
        second = transcribe_batch(files, storage=storage(s3, "repeat"), job=tmp_path / "again.json",
                                  options=first.state.options, client=client, s3_client=s3.client)
        assert first.state.objects_uploaded == len(stored) > 0
        assert second.state.objects_uploaded == 0 and s3.keys("repeat/") == stored
        second.wait(poll_seconds=0.02, progress=False)
        removed, deleted = second.clean()
        assert removed == len(stored) and s3.keys("repeat/") == []
        remaining = {f.id for f in server.batches.files.all()}
        part = second.state.parts[0]
        assert part.error_file_id is None and deleted == 2  # the input file and the output file
        assert part.input_file_id not in remaining and part.output_file_id not in remaining


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_a_killed_wait_resumes_and_another_machine_fetches(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, JFK, LONG)
    with groq(batch_completion_seconds=1.0) as (server, client):
        job = submit(files, s3, client, tmp_path, "resume")

        async def killed() -> None:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(job.await_(poll_seconds=0.02, progress=False), 0.3)

        run_sync(killed())
        on_disk = json.loads((tmp_path / "job.json").read_text())
        assert on_disk["parts"][0]["status"] in ("validating", "in_progress")
        elsewhere = tmp_path / "machine2"
        shutil.copytree(tmp_path, elsewhere, ignore=shutil.ignore_patterns("machine2", "archive"))
        fresh = BatchJob.load(elsewhere / "job.json", client=client, s3_client=s3.client)
        fresh.wait(poll_seconds=0.02, progress=False)
        assert fresh.finished and fresh.state.parts[0].status == "completed"
        report = fresh.fetch(output_dir=elsewhere / "out")
        assert sorted(p.name for p in report.written) == sorted(f.with_suffix(".json").name for f in files)
        assert not files[0].with_suffix(".json").exists()
        assert len(server.batches.batches) == 1


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_changed_recordings_are_refused_by_name(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, JFK, LONG)
    with groq() as (_, client):
        job = submit(files, s3, client, tmp_path, "changed")
        job.wait(poll_seconds=0.02, progress=False)
        data = bytearray(files[0].read_bytes())
        data[-100] ^= 0x55
        files[0].write_bytes(bytes(data))
        with pytest.raises(errors.InputError, match=JFK) as refused:
            job.fetch()
        assert LONG not in str(refused.value)
        assert not any(f.with_suffix(".json").exists() for f in files)
        report = job.fetch(skip_changed=True)
        assert report.written == [files[1].with_suffix(".json")]


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_an_expired_batch_keeps_its_partial_results_and_finishes_synchronously(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, JFK, LONG)
    with groq(batch_capacity_lines=2) as (server, client):
        job = submit(files, s3, client, tmp_path, "expired")
        windows = sum(len(r.windows) for r in job.state.recordings)
        job.wait(poll_seconds=0.02, progress=False)
        assert job.state.parts[0].status == "expired" and job.state.parts[0].completed == 2
        report = job.fetch()
        assert set(report.incomplete) == {str(files[1])} and report.written == [files[0].with_suffix(".json")]
        assert set(report.incomplete[str(files[1])].values()) == {"batch_expired"}
        finished = job.finish_sync()
        assert finished == windows - 2 == server.log.count("transcriptions")
        report = job.fetch()
        assert not report.incomplete and len(report.written) == 2
        cost = report.cost
        assert cost is not None and (cost.batch.requests, cost.sync.requests) == (2, windows - 2)
        assert cost.total_usd == pytest.approx(cost.batch.usd + cost.sync.usd) and cost.total_usd < cost.all_sync_usd
        assert job.finish_sync() == 0


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_failed_lines_are_named_and_finished_at_full_price(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, LONG)
    with groq(batch_failure_rate=0.5) as (server, client):
        job = submit(files, s3, client, tmp_path, "failed")
        job.wait(poll_seconds=0.02, progress=False)
        part = job.state.parts[0]
        assert part.status == "completed" and part.failed > 0
        report = job.fetch()
        assert list(report.incomplete[str(files[0])].values()) == ["HTTP 500"] * part.failed
        assert job.finish_sync() == part.failed == server.log.count("transcriptions")
        assert job.fetch().written == [files[0].with_suffix(".json")]


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_input_files_are_split_at_the_line_and_byte_limits(tmp_path: Path, s3: S3) -> None:
    files = archive(tmp_path, JFK, LONG)
    with groq() as (server, client):
        by_lines = submit(files, s3, client, tmp_path, "split", max_lines_per_file=2)
        windows = sum(len(r.windows) for r in by_lines.state.recordings)
        assert [p.lines for p in by_lines.state.parts] == [2] * (windows // 2) + [windows % 2] * (windows % 2)
        line_bytes = max(p.bytes for p in by_lines.state.parts)
        by_bytes = transcribe_batch(files, storage=storage(s3, "split"), job=tmp_path / "bytes.json",
                                    options=by_lines.state.options.model_copy(update={
                                        "max_lines_per_file": 50_000, "max_bytes_per_file": line_bytes + 10}),
                                    client=client, s3_client=s3.client)
        assert all(p.bytes <= line_bytes + 10 for p in by_bytes.state.parts) and len(by_bytes.state.parts) > 1
        assert sum(p.lines for p in by_bytes.state.parts) == windows
        by_bytes.wait(poll_seconds=0.02, progress=False)
        assert len(by_bytes.fetch().written) == 2
        uploaded = [server.batches.files.get(p.input_file_id) for p in by_bytes.state.parts]
        assert all(len(f.data) <= line_bytes + 10 for f in uploaded)


def test_an_https_base_url_is_served_from_a_local_folder(tmp_path: Path) -> None:
    files = archive(tmp_path, JFK)
    folder = tmp_path / "site" / "windows"
    folder.mkdir(parents=True)
    with served_folder(tmp_path / "site") as base, groq() as (_, client):
        spec = StorageSpec(f"{base}/windows", folder=str(folder))
        job = transcribe_batch(files, storage=spec, job=tmp_path / "job.json", client=client,
                               options=BatchOptions(language="en", progress=False))
        assert sorted(p.name for p in folder.iterdir()) == sorted(w.key for w in job.state.recordings[0].windows)
        job.wait(poll_seconds=0.02, progress=False)
        assert job.fetch().written == [files[0].with_suffix(".txt")]
        assert files[0].with_suffix(".txt").read_text().split()
        assert all(place.ok for place in index_of(job).places.values())
        job.clean()
        assert list(folder.iterdir()) == []


def test_what_cannot_run_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="no such recording"):
        transcribe_batch([tmp_path / "absent.wav"], storage="s3://bucket/x", job=tmp_path / "j.json")
    files = archive(tmp_path, JFK)
    with pytest.raises(errors.InputError, match="storage-folder"):
        transcribe_batch(files, storage="https://example.org/w", job=tmp_path / "j.json")
    with pytest.raises(errors.InputError, match="completion_window"):
        transcribe_batch(files, storage="s3://bucket/x", job=tmp_path / "j.json", completion_window="2h")
    with pytest.raises(errors.InputError, match="https"):
        transcribe_batch(files, storage=StorageSpec("http://example.org/w", folder=str(tmp_path)),
                         job=tmp_path / "j.json")
    (tmp_path / "taken.json").write_text("{}")
    with pytest.raises(errors.InputError, match="already exists"):
        transcribe_batch(files, storage="s3://bucket/x", job=tmp_path / "taken.json")
    site = tmp_path / "site"
    with pytest.raises(errors.ConfigurationError, match="GROQ_API_KEY"):
        transcribe_batch(files, storage=StorageSpec("https://example.org/w", folder=str(site)),
                         job=tmp_path / "j.json")
    assert not (tmp_path / "j.json").exists() and list(site.iterdir()) == []


def test_the_command_line_submits_waits_and_fetches_finishing_expired_windows_synchronously(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from voicekit.cli import main

    files = archive(tmp_path, JFK, LONG)
    folder = tmp_path / "site" / "w"
    folder.mkdir(parents=True)
    job = tmp_path / "archive.json"
    with served_folder(tmp_path / "site") as base, groq(batch_capacity_lines=1) as (server, _):
        monkeypatch.setenv("GROQ_API_KEY", server.api_key)
        monkeypatch.setenv("GROQ_BASE_URL", server.base_url)
        assert main(["transcribe", *map(str, files), "--batch", "--storage", f"{base}/w", "--storage-folder",
                     str(folder), "--job", str(job), "--language", "en", "--format", "srt"]) == 0
        assert "submitted 2 recordings" in capsys.readouterr().err
        assert main(["batch", "wait", str(job), "--poll", "0.02"]) == 0
        assert main(["batch", "status", str(job)]) == 0
        assert "expired, 1 of" in capsys.readouterr().out
        assert main(["batch", "fetch", str(job)]) == 1
        captured = capsys.readouterr()
        assert "batch_expired" in captured.err and f"wrote {files[0].with_suffix('.srt')}" in captured.err
        assert main(["batch", "fetch", str(job), "--finish-sync"]) == 0
        out = capsys.readouterr().err
        assert f"wrote {files[1].with_suffix('.srt')}" in out and "synchronous: " in out
        assert server.log.count("transcriptions") > 0
        assert main(["batch", "clean", str(job)]) == 0
        assert list(folder.iterdir()) == []
    assert main(["transcribe", *map(str, files), "--batch"]) == 1
    assert "--storage" in capsys.readouterr().err


@pytest.mark.slow  # moto's S3 server takes seconds to start
def test_s3_objects_are_found_read_reached_by_presigned_url_and_removed(s3: S3) -> None:
    import httpx

    from voicekit.storage import content_key, open_storage, url_lifetime

    store = open_storage(storage(s3, "direct"), s3_client=s3.client)
    data = b"fLaC not really, but bytes"
    key = content_key(data)
    assert not store.exists(key)
    store.put(key, data)
    assert store.exists(key) and store.get(key) == data and s3.keys("direct/") == [f"direct/{key}"]
    url = store.url(key, url_lifetime(86400))
    assert "X-Amz-Expires=90000" in url  # the 24 h window and an hour's margin
    assert httpx.get(url).content == data
    assert store.delete([key, key, "absent.flac"]) == 1 and not store.exists(key)
    assert httpx.get(url).status_code == 404


def test_a_cancelled_job_keeps_what_finished_and_finishes_the_rest_synchronously(tmp_path: Path) -> None:
    files = archive(tmp_path, LONG)
    folder = tmp_path / "site" / "w"
    folder.mkdir(parents=True)
    with served_folder(tmp_path / "site") as base, groq(batch_completion_seconds=10.0) as (server, client):
        job = transcribe_batch(files, storage=StorageSpec(f"{base}/w", folder=str(folder)), job=tmp_path / "j.json",
                               client=client, options=BatchOptions(language="en", progress=False))
        run_sync(job.acancel())
        job.wait(poll_seconds=0.02, progress=False)
        part = job.state.parts[0]
        assert part.status == "cancelled" and part.completed < len(job.state.recordings[0].windows)
        report = job.fetch()
        assert set(report.incomplete[str(files[0])].values()) == {"batch_cancelled"}
        assert job.finish_sync() == server.log.count("transcriptions") > 0
        assert job.fetch().written == [files[0].with_suffix(".txt")]
