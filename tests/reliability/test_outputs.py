"""Findings 1-3 and 9: no job writes over its input or over another running job's output, every output appears
whole or not at all (a full disk included), and an output that cannot be written is refused before any request."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from reliability_helpers import client_of, run_cli, start_cli

import voicekit
from voicekit import Segment, Transcript, errors, outputs
from voicekit.testing import GroqServer

DOC = "The keeper lit the lamp at dusk. He climbed the stairs again at midnight, and the sea was quiet.\n"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", ".lock")))


def test_narrate_onto_its_own_input_refuses_and_keeps_it(tmp_path: Path, private_cache: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(DOC)
    done = run_cli("narrate", "doc.txt", "-o", "doc.txt", "--format", "wav", "--engine", "local",
                   server=None, cache=private_cache, cwd=tmp_path)
    assert done.returncode == 1
    assert "own input" in done.stderr
    assert doc.read_text() == DOC
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
def test_the_default_output_equal_to_the_input_is_refused(tmp_path: Path, private_cache: Path) -> None:
    """`narrate x.wav`: the default output is the input's name with .wav, i.e. the input itself."""
    wav = tmp_path / "x.wav"
    sf.write(wav, np.zeros(1600, dtype=np.float32), 16000)
    before = wav.read_bytes()
    done = run_cli("narrate", "x.wav", "--engine", "local", server=None, cache=private_cache, cwd=tmp_path)
    assert done.returncode == 1 and "own input" in done.stderr
    assert wav.read_bytes() == before


@pytest.mark.slow
def test_transcribe_onto_its_own_input_refuses_before_any_request(tmp_path: Path, private_cache: Path,
                                                                  server: GroqServer) -> None:
    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"ID3 not really audio, and it must survive")
    done = run_cli("transcribe", "a.mp3", "-o", "a.mp3", "--format", "txt", server=server, cache=private_cache,
                   cwd=tmp_path)
    assert done.returncode == 1 and "own input" in done.stderr
    assert audio.read_bytes() == b"ID3 not really audio, and it must survive"
    assert server.log.count() == 0


def test_a_hard_link_to_the_input_is_the_input(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(DOC)
    (tmp_path / "link.wav").hardlink_to(doc)
    with pytest.raises(errors.InputError, match="own input"):
        outputs.check_output(tmp_path / "link.wav", inputs=[doc])


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_an_unwritable_output_is_found_before_the_first_request(tmp_path: Path, server: GroqServer,
                                                                where: str) -> None:
    out = tmp_path / "no" / "such" / "out.wav" if where == "missing folder" else tmp_path
    with client_of(server) as client, \
            pytest.raises(errors.InputError, match="folder"):
        voicekit.narrate(DOC, out, client=client, progress=False)
    assert server.log.count() == 0


def test_a_second_job_to_the_same_output_is_refused_while_the_first_runs(tmp_path: Path, server: GroqServer) -> None:
    out = tmp_path / "book.wav"
    with outputs.reserve(out), client_of(server) as client:
        with pytest.raises(outputs.OutputBusyError, match="another voicekit job"):
            voicekit.narrate(DOC, out, client=client, progress=False)
    assert server.log.count() == 0
    assert not out.exists() and _leftovers(tmp_path) == []


@pytest.mark.slow
def test_two_narrations_to_one_path_never_splice(tmp_path: Path, private_cache: Path) -> None:
    """Two processes: one writes the file, the other is refused at once; the file is exactly one narration."""
    long_doc = "".join(f"Paragraph {words(i)} tells of the keeper and the lamp that never went dark.\n\n"
                       for i in range(1, 9))
    (tmp_path / "a.txt").write_text(long_doc)
    (tmp_path / "b.txt").write_text("A different text entirely, read by the second job. " * 6)
    server = GroqServer(voicekit.testing.ServerOptions(speech_backend="synthetic", latency=0.5)).start()
    try:
        first = start_cli("narrate", "a.txt", "-o", "out.wav", "--concurrency", "1", server=server,
                          cache=private_cache, cwd=tmp_path)
        while not (tmp_path / ".out.wav.lock").exists() and first.poll() is None:
            time.sleep(0.02)
        second = run_cli("narrate", "b.txt", "-o", "out.wav", server=server, cache=private_cache / "b",
                         cwd=tmp_path)
        first.communicate(timeout=120)
        assert first.returncode == 0
        assert second.returncode == 1 and "another voicekit job" in second.stderr
        alone = run_cli("narrate", "a.txt", "-o", "alone.wav", "--no-cache", server=server,
                        cache=private_cache / "c", cwd=tmp_path)
        assert alone.returncode == 0
        assert (tmp_path / "out.wav").read_bytes() == (tmp_path / "alone.wav").read_bytes()
        assert _leftovers(tmp_path) == []
    finally:
        server.stop()


def words(number: int) -> str:
    return ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"][number]


def _long_transcript(segments: int) -> Transcript:
    items = [Segment(id=i, start=i * 2.0, end=i * 2.0 + 1.5, text=f" Segment number {i} of a long meeting.")
             for i in range(segments)]
    return Transcript(text=" ".join(s.text.strip() for s in items), duration=segments * 2.0, segments=items)


@pytest.mark.parametrize("fmt", ["srt", "json"])
def test_a_full_disk_keeps_the_previous_transcript_and_leaves_no_partial(small_disk: Path, fmt: str) -> None:
    target = small_disk / f"meeting.{fmt}"
    good = _long_transcript(3)
    good.save(target)
    before = target.read_bytes()
    with pytest.raises(OSError) as raised:
        _long_transcript(5000).save(target)  # several hundred KB: more than the disk holds
    assert raised.value.errno == errno.ENOSPC
    assert target.read_bytes() == before
    assert sorted(p.name for p in small_disk.iterdir()) == [target.name]


def test_a_full_disk_while_stitching_leaves_the_previous_audio(small_disk: Path, server: GroqServer) -> None:
    target = small_disk / "book.wav"
    target.write_bytes(b"the previous narration")
    long_doc = "The sea was quiet and the lamp kept turning through the night. " * 60
    with client_of(server) as client, \
            pytest.raises((errors.VoicekitError, OSError, RuntimeError)):
        voicekit.narrate(long_doc, target, client=client, progress=False, format="wav")
    assert target.read_bytes() == b"the previous narration"
    assert sorted(p.name for p in small_disk.iterdir()) == ["book.wav"]


def test_atomic_path_removes_its_temporary_on_keyboard_interrupt(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), outputs.atomic_path(target) as temp:
        temp.write_text("half of the new")
        raise KeyboardInterrupt
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_two_writers_get_two_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    with outputs.atomic_path(target) as first, outputs.atomic_path(target) as second:
        assert first != second and first.parent == second.parent == tmp_path


def test_captions_on_the_audio_path_are_refused(tmp_path: Path, server: GroqServer) -> None:
    with client_of(server) as client, pytest.raises(errors.InputError, match="two outputs"):
        voicekit.narrate(DOC, tmp_path / "out.wav", captions=tmp_path / "out.wav", client=client, progress=False)
    assert server.log.count() == 0


@pytest.mark.slow
def test_locks_left_by_a_job_killed_with_sigkill_are_taken_over_and_removed_by_the_next(
        tmp_path: Path, private_cache: Path) -> None:
    """`kill -9` leaves the output's lock file, its temporary file and a cache entry's claim behind (nothing ran to
    remove them); the OS released the locks, so the next job is not refused, finishes, and removes them all."""
    (tmp_path / "doc.txt").write_text(DOC * 4)
    args = ("narrate", "doc.txt", "-o", "out.wav", "--concurrency", "1")
    server = GroqServer(voicekit.testing.ServerOptions(speech_backend="synthetic")).start()
    try:
        with server.held():
            job = start_cli(*args, server=server, cache=private_cache, cwd=tmp_path)
            while server.turns.waiting < 1 and job.poll() is None:  # a request sent and held: locks taken
                time.sleep(0.02)
            job.kill()
            job.communicate(timeout=30)
        assert (tmp_path / ".out.wav.lock").exists(), "the killed job's lock file is left"
        assert list(private_cache.rglob("*.lock")), "and so is its cache claim"
        done = run_cli(*args, server=server, cache=private_cache, cwd=tmp_path)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.wav").stat().st_size > 0
    assert _leftovers(tmp_path) == [] and list(private_cache.rglob("*.lock")) == []
