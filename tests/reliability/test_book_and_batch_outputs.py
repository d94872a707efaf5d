"""The audiobook and batch jobs keep the output rules: never over an input, a lock beside each output, and a file
under a final name only when it is whole (a failure leaves the earlier file and no temporary one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from reliability_helpers import client_of, disk_of
from served import served_folder

import voicekit
from voicekit import errors, outputs
from voicekit.jobs.batch import transcribe_batch
from voicekit.jobs.batch_state import BatchOptions
from voicekit.storage import StorageSpec
from voicekit.testing import Fault, GroqServer
from voicekit.testing.books import tiny_book


def _book(server: GroqServer, source: Path, out: Path, **options: object) -> object:
    with client_of(server) as client:
        return voicekit.narrate(source, out, client=client, progress=False, **options)  # type: ignore[arg-type]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".partial") or p.name.endswith(".lock"))


def test_an_audiobook_is_never_written_over_its_epub(server: GroqServer, tmp_path: Path) -> None:
    source = tiny_book(tmp_path / "tiny.epub")
    before = source.read_bytes()
    with pytest.raises(errors.InputError, match="own input"):
        _book(server, source, source, format="m4b")
    assert source.read_bytes() == before and server.log.count() == 0


@pytest.mark.parametrize("name", ["book.m4b", "book.flac"])
def test_an_audiobook_being_written_by_another_job_is_refused_before_any_request(server: GroqServer,
                                                                                 tmp_path: Path,
                                                                                 name: str) -> None:
    source = tiny_book(tmp_path / "tiny.epub")
    with outputs.reserve(tmp_path / name), pytest.raises(outputs.OutputBusyError):
        _book(server, source, tmp_path / name)
    assert server.log.count() == 0


def test_a_failed_audiobook_leaves_the_earlier_file_and_no_half_file(server: GroqServer, tmp_path: Path) -> None:
    source = tiny_book(tmp_path / "tiny.epub")
    out = tmp_path / "book.m4b"
    _book(server, source, out)
    earlier = out.read_bytes()
    server.inject(Fault.status(400), endpoint="speech", times=1)
    with pytest.raises(errors.BadRequestError):
        _book(server, source, out, cache=False, concurrency=1)
    assert out.read_bytes() == earlier and _leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["book.m4b", "book.flac"])
def test_a_full_disk_while_the_audiobook_is_written_leaves_the_earlier_one_whole(
        server: GroqServer, tmp_path: Path, name: str) -> None:
    """The chapters fit on the disk, the book being assembled does not: the write fails half way, the earlier
    book is untouched, and no temporary file is left."""
    source = tiny_book(tmp_path / "tiny.epub")
    measured = tmp_path / "measure"
    measured.mkdir()
    _book(server, source, measured / name, cache=False)
    book_size = (measured / name).stat().st_size
    with client_of(server) as client:  # the chapters' FLAC parts, as the job stitches them
        parts = sum(len(voicekit.narrate(source, measured / f"{n}.flac", client=client, progress=False, cache=False,
                                         chapters=str(n)).path.read_bytes()) for n in (1, 2, 3))
    with disk_of(tmp_path / "disk", (parts + 2 * book_size) // 1024 + 64) as disk:
        out = disk / name
        shutil.copy(measured / name, out)
        free = shutil.disk_usage(disk).free
        room = parts + book_size // 2 + 8192  # the parts, and half of the new book
        (disk / "filler").write_bytes(b"\0" * max(0, free - room))
        with pytest.raises(errors.VoicekitError):
            _book(server, source, out, cache=False)
        assert out.read_bytes() == (measured / name).read_bytes()
        assert _leftovers(disk) == []


def _tone(path: Path, seconds: float, pitch: float) -> None:
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (0.3 * np.sin(2 * np.pi * pitch * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32), rate,
             format="WAV")


def test_batch_transcripts_and_results_are_whole_and_never_over_a_recording(server: GroqServer,
                                                                             tmp_path: Path) -> None:
    """Two recordings, one a WAV file named `b.txt`: the other's transcript (`b.txt` by its stem) must not be
    written over it; the fetched result files and the job file appear whole (no temporary file is left)."""
    archive = tmp_path / "archive"
    archive.mkdir()
    _tone(archive / "b.wav", 4.0, 180)
    _tone(archive / "b.txt", 4.0, 220)
    recording = (archive / "b.txt").read_bytes()
    site = tmp_path / "site" / "windows"
    site.mkdir(parents=True)
    with served_folder(tmp_path / "site") as base, client_of(server) as client:
        job = transcribe_batch([archive / "b.wav", archive / "b.txt"], job=tmp_path / "job.json", client=client,
                               storage=StorageSpec(f"{base}/windows", folder=str(site)),
                               options=BatchOptions(language="en", progress=False, format="txt"))
        job.wait(poll_seconds=0.02, progress=False)
        written = job.fetch().written
    assert (archive / "b.txt").read_bytes() == recording  # the recording is intact
    assert len(written) == 2 and archive / "b.txt" not in written and all(p.read_text().split() for p in written)
    assert _leftovers(tmp_path) == [] and not list(tmp_path.rglob("*.part"))
