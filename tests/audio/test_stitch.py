"""The stitcher on real Piper speech, and on synthetic chunks built to break it (hard edges, mixed rates and levels)."""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicekit import Audio
from voicekit.audio.stitch import (
    Stitcher,
    StitchOptions,
    file_join_clicks,
    join_clicks,
    speech_loudness_db,
)
from voicekit.errors import AudioError, InputError, UnsupportedError
from voicekit.text.chunk import ChunkOptions
from voicekit.text.directions import is_soft
from voicekit.text.document import Block
from voicekit.text.frontend import FrontendOptions, prepare_chunks

SENTENCES = [
    "The lighthouse keeper climbed the stairs at dusk.",
    "He lit the lamp and watched the ships pass by.",
    "Far away, a bell rang twice over the water.",
]


def speech_like(seconds: float, rate: int, level_db: float, *, seed: int = 0, pad: float = 0.0) -> np.ndarray:
    """Voiced syllables (harmonics of a gliding 110-140 Hz pitch, 4 Hz syllable envelope) with `pad` s of silence
    on each side, scaled so the peak is `level_db` dBFS."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    t = np.arange(n) / rate
    f0 = 125 + 15 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, None) ** 0.5
    noise = 0.05 * rng.standard_normal(n)
    speech = (voice + noise) * (0.15 + syllables)
    speech *= 10 ** (level_db / 20) / np.max(np.abs(speech))
    silence = np.zeros(round(pad * rate))
    return np.concatenate([silence, speech, silence]).astype(np.float32)


def abrupt_tone(seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    """A 440 Hz tone that starts at its crest and stops mid-cycle: a hard edge at both ends."""
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.cos(2 * np.pi * 440 * t + 0.3)).astype(np.float32)


def stitch(path: Path, chunks: list[Audio], pauses: list[str | float] | None = None,
           **options: object) -> tuple[np.ndarray, int, object]:
    """Stitch `chunks` into `path` and read the result back."""
    with Stitcher(path, options=StitchOptions.model_validate(options)) as stitcher:
        for i, chunk in enumerate(chunks):
            stitcher.add(chunk, pauses[i] if pauses else "sentence")
    result = stitcher.close()
    samples, rate = sf.read(path, dtype="float32")
    return samples, rate, result


def silent_runs(samples: np.ndarray, rate: int, threshold: float = 1e-4) -> list[float]:
    """Lengths in seconds of the inner runs of near-silence over 10 ms (not zero crossings, not the file's ends)."""
    quiet = np.concatenate([[0], (np.abs(samples) < threshold).astype(np.int8), [0]])
    starts = np.flatnonzero(np.diff(quiet) == 1)
    ends = np.flatnonzero(np.diff(quiet) == -1)
    return [(end - start) / rate for start, end in zip(starts, ends, strict=True)
            if start > 0 and end < samples.size and end - start > rate // 100]


@pytest.fixture(scope="module")
def piper_chunks() -> list[Audio]:
    local = pytest.importorskip("voicekit.engines.local")
    synthesizer = local.PiperSynthesizer()
    return [synthesizer.synthesize_sync(text) for text in SENTENCES]


def test_piper_speech_joins_are_seamless_and_even(tmp_path: Path, piper_chunks: list[Audio]) -> None:
    # Piper normalizes each sentence to full-scale peak; bring them to very different levels first.
    levels = [1.0, 0.03, 0.4]
    chunks = [Audio(c.samples * g, c.sample_rate) for c, g in zip(piper_chunks, levels, strict=True)]
    samples, rate, result = stitch(tmp_path / "piper.wav", chunks)
    assert rate == 22050 and samples.size == result.frames
    at_join, inner = join_clicks(samples, result.join_frames(), rate, inner_percentile=99.9)
    assert at_join <= inner
    loudness = [speech_loudness_db(samples[round(s.start * rate):round(s.end * rate)], rate) for s in result.spans]
    assert max(loudness) - min(loudness) < 1.0
    assert np.max(np.abs(samples)) <= 10 ** (-1 / 20) + 1e-4
    # Speech-to-speech gaps are the sentence pause, to the frame.
    for before, after in pairwise(result.spans):
        assert after.start - before.end == pytest.approx(0.25, abs=1.5 / rate)


WHISPERED = ("The lighthouse keeper climbed the stairs at dusk. [whisper] Nobody must know the lamp is broken. "
             "[cheerful] Far away, a bell rang twice over the water.")


def test_a_whispered_chunk_stays_quieter_than_its_neighbours(tmp_path: Path, piper_chunks: list[Audio]) -> None:
    # The front end's chunks carry the direction in force; Piper speaks each at the same level (it has no whisper),
    # the worst case: levelling alone decides how loud the whisper ends up.
    chunks = prepare_chunks([Block(kind="paragraph", text=WHISPERED)], FrontendOptions(chunk=ChunkOptions(
        max_chars=60, min_chars=10)))
    assert [chunk.direction for chunk in chunks] == [None, "[whisper]", "[cheerful]"]
    levels = [0.05, 1.0, 0.3]  # the whisper arrives loudest: levelling must still bring it below the others
    with Stitcher(tmp_path / "whisper.wav") as stitcher:
        for chunk, audio, gain in zip(chunks, piper_chunks, levels, strict=True):
            stitcher.add(Audio(audio.samples * gain, audio.sample_rate), "sentence", soft=is_soft(chunk.direction))
    result = stitcher.close()
    samples, rate = sf.read(tmp_path / "whisper.wav", dtype="float32")
    loudness = [speech_loudness_db(samples[round(s.start * rate):round(s.end * rate)], rate) for s in result.spans]
    options = StitchOptions()
    assert loudness[0] == pytest.approx(options.loudness_target_db, abs=0.5)
    assert loudness[2] == pytest.approx(options.loudness_target_db, abs=0.5)
    assert loudness[1] == pytest.approx(options.loudness_target_db + options.soft_offset_db, abs=0.5)
    assert min(loudness[0], loudness[2]) - loudness[1] >= 9.0


def test_each_chunk_lands_at_the_target_loudness_across_rates_and_levels(tmp_path: Path) -> None:
    chunks = [
        Audio(speech_like(2.0, 22050, -6.0, seed=1, pad=0.2), 22050),
        Audio(speech_like(2.5, 24000, -30.0, seed=2, pad=0.1), 24000),
        Audio(speech_like(1.5, 24000, -6.0, seed=3), 24000),
        Audio(speech_like(3.0, 22050, -30.0, seed=4, pad=0.3), 22050),
    ]
    samples, rate, result = stitch(tmp_path / "mixed.wav", chunks, loudness_target_db=-23.0)
    assert rate == 22050
    loudness = [speech_loudness_db(samples[round(s.start * rate):round(s.end * rate)], rate) for s in result.spans]
    assert max(loudness) - min(loudness) < 1.0
    assert all(abs(level + 23.0) < 1.0 for level in loudness)
    # Durations survive resampling and trimming: each span is the chunk's speech.
    assert [round(s.end - s.start, 2) for s in result.spans] == [2.0, 2.5, 1.5, 3.0]


def test_fades_remove_clicks_from_chunks_with_hard_edges(tmp_path: Path) -> None:
    chunks = [Audio(abrupt_tone(0.5, 24000, a), 24000) for a in (0.5, 0.2, 0.7)]
    samples, rate, result = stitch(tmp_path / "faded.wav", chunks, pauses=["chunk", 0.0, "chunk"])
    at_join, inner = join_clicks(samples, result.join_frames(), rate)
    assert at_join <= inner
    # The same chunks without fades click: the jump at a join is several times the tone's largest step.
    samples, rate, result = stitch(tmp_path / "hard.wav", chunks, pauses=["chunk", 0.0, "chunk"], fade_ms=0.0)
    at_join, inner = join_clicks(samples, result.join_frames(), rate)
    assert at_join > 3 * inner


def test_pauses_have_their_configured_lengths(tmp_path: Path) -> None:
    chunks = [Audio(speech_like(1.0, 24000, -12.0, seed=i, pad=0.15), 24000) for i in range(6)]
    pauses: list[str | float] = ["chunk", "sentence", "paragraph", "heading", 0.4, "paragraph"]
    options = {"pause_chunk": 0.1, "pause_sentence": 0.3, "pause_paragraph": 0.75, "pause_heading": 1.2}
    samples, rate, result = stitch(tmp_path / "pauses.wav", chunks, pauses, **options)
    runs = silent_runs(samples, rate)
    assert len(runs) == 5
    # The measured silences may be up to the 1 ms edge resolution longer on each side.
    assert runs == pytest.approx([0.1, 0.3, 0.75, 1.2, 0.4], abs=0.0025)
    # No trailing pause: the file ends with the last chunk's kept edge (30 ms).
    assert result.duration - result.spans[-1].end == pytest.approx(0.03, abs=1e-3)


def test_spans_are_where_the_speech_is(tmp_path: Path) -> None:
    pads = [0.05, 0.4, 0.0, 0.2]
    chunks = [Audio(speech_like(0.8 + i * 0.3, 24000, -10.0, seed=i, pad=p), 24000) for i, p in enumerate(pads)]
    samples, rate, result = stitch(tmp_path / "spans.wav", chunks)
    loud = np.abs(samples) > 1e-3
    for span, pad in zip(result.spans, pads, strict=True):
        first, last = round(span.start * rate), round(span.end * rate)
        onset = first + int(np.argmax(loud[first:]))
        offset = last - int(np.argmax(loud[:last][::-1]))
        # 1 ms edge resolution; a chunk with no silence of its own has its 5 ms fade on the speech itself.
        tolerance = rate * (1 if pad else 6) // 1000
        assert abs(onset - first) <= tolerance and abs(offset - last) <= tolerance
    # Outside all spans there is (almost) nothing.
    inside = np.zeros(samples.size, dtype=bool)
    for span in result.spans:
        inside[round(span.start * rate):round(span.end * rate)] = True
    assert np.max(np.abs(samples[~inside])) < 1e-3


@pytest.mark.parametrize("extension", ["wav", "flac", "ogg", "mp3"])
def test_every_format_reads_back_at_the_right_rate_and_length(tmp_path: Path, extension: str) -> None:
    if extension == "mp3" and "MP3" not in sf.available_formats():
        pytest.skip("this libsndfile cannot write MP3")
    chunks = [Audio(speech_like(1.0, 22050, -10.0, seed=i, pad=0.1), 22050) for i in range(3)]
    path = tmp_path / f"out.{extension}"
    samples, rate, result = stitch(path, chunks)
    assert result.path == path and result.format == extension
    assert rate == 22050 and sf.info(path).channels == 1
    assert samples.size == result.frames
    assert not path.with_name(path.name + ".partial").exists()
    # Lossy output still carries the speech where the spans say.
    span = result.spans[1]
    assert np.sqrt(np.mean(samples[round(span.start * rate):round(span.end * rate)] ** 2)) > 0.03


def test_output_rate_can_be_chosen(tmp_path: Path) -> None:
    chunks = [Audio(speech_like(1.0, 22050, -10.0, pad=0.1), 22050), Audio(speech_like(1.0, 24000, -10.0), 24000)]
    samples, rate, result = stitch(tmp_path / "at16k.flac", chunks, sample_rate=16000)
    assert rate == 16000 and samples.size == result.frames
    assert [round(s.end - s.start, 2) for s in result.spans] == [1.0, 1.0]


def test_stereo_chunks_are_mixed_to_mono(tmp_path: Path) -> None:
    mono = speech_like(1.0, 24000, -10.0)
    samples, _, result = stitch(tmp_path / "mono.wav", [Audio(np.stack([mono, mono], axis=1), 24000)])
    assert samples.ndim == 1 and result.spans[0].end - result.spans[0].start == pytest.approx(1.0, abs=2e-3)


def test_writes_to_a_file_object(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with Stitcher(buffer, format="flac") as stitcher:
        stitcher.add(Audio(speech_like(0.5, 24000, -10.0), 24000))
    result = stitcher.close()
    samples, rate = sf.read(io.BytesIO(buffer.getvalue()), dtype="float32")
    assert result.path is None and rate == 24000 and samples.size == result.frames


def test_all_silent_chunk_is_kept_as_a_pause_and_recorded(tmp_path: Path) -> None:
    chunks = [
        Audio(speech_like(0.5, 24000, -10.0, seed=1), 24000),
        Audio(np.zeros(12000, dtype=np.float32), 24000),
        Audio(np.zeros(0, dtype=np.float32), 24000),
        Audio(speech_like(0.5, 24000, -10.0, seed=2), 24000),
    ]
    samples, rate, result = stitch(tmp_path / "silent.wav", chunks, silent_chunk_s=0.2)
    assert result.silent_chunks == [1, 2]
    assert len(result.spans) == 4
    # Sentence pause (0.25) + silent chunk (0.2) + sentence pause + silent chunk + sentence pause.
    assert result.spans[3].start - result.spans[0].end == pytest.approx(0.25 * 3 + 0.2 * 2, abs=1e-3)
    assert result.spans[1].end - result.spans[1].start == pytest.approx(0.2)


def chunk_source(count: int, consumed: list[int]) -> Iterator[Audio]:
    for i in range(count):
        consumed.append(i)
        yield Audio(speech_like(0.3, 24000, -10.0, seed=i), 24000)


@pytest.mark.parametrize("where", ["missing-folder", "a-folder", "read-only"])
def test_unwritable_output_fails_before_any_chunk_is_taken(tmp_path: Path, where: str) -> None:
    consumed: list[int] = []
    chunks = chunk_source(3, consumed)
    if where == "missing-folder":
        path = tmp_path / "no" / "such" / "out.wav"
    elif where == "a-folder":
        path = tmp_path / "out.wav"
        path.mkdir()
    elif os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        path = locked / "out.wav"
    elif Path("/proc/self").is_dir():
        path = Path("/proc/out.wav")  # root may write into read-only folders, but not here
    else:
        pytest.skip("running as root with no read-only folder to try")
    with pytest.raises(InputError, match="out.wav|folder"):
        with Stitcher(path) as stitcher:
            for chunk in chunks:
                stitcher.add(chunk)
    assert consumed == []


def test_an_error_inside_the_block_leaves_no_output(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    consumed: list[int] = []
    with pytest.raises(RuntimeError, match="synthesis failed"):
        with Stitcher(path) as stitcher:
            for chunk in chunk_source(5, consumed):
                stitcher.add(chunk)
                assert stitcher.duration >= 0.3 * len(consumed)
                if len(consumed) == 3:
                    raise RuntimeError("synthesis failed")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="aborted"):
        stitcher.close()


def test_close_is_idempotent_and_final(tmp_path: Path) -> None:
    path = tmp_path / "book.wav"
    stitcher = Stitcher(path)
    assert [p.name.endswith(".partial") for p in tmp_path.iterdir()] == [True] and not path.exists()
    stitcher.add(Audio(speech_like(0.5, 24000, -10.0), 24000))
    first = stitcher.close()
    assert stitcher.close() is first
    assert [p.name for p in tmp_path.iterdir()] == ["book.wav"]
    with pytest.raises(InputError, match="closed"):
        stitcher.add(Audio(speech_like(0.5, 24000, -10.0), 24000))


def test_nothing_added_is_an_error_and_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no chunks"):
        with Stitcher(tmp_path / "empty.wav"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedError, match="extension"):
        Stitcher(tmp_path / "book.aiff")
    with pytest.raises(UnsupportedError, match="format"):
        Stitcher(tmp_path / "book.wav", format="m4b")
    with Stitcher(tmp_path / "book.wav") as stitcher:
        chunk = Audio(speech_like(0.5, 24000, -10.0), 24000)
        with pytest.raises(InputError, match="pause kind"):
            stitcher.add(chunk, "chapter")
        with pytest.raises(InputError, match="seconds"):
            stitcher.add(chunk, -1.0)
        broken = chunk.samples.copy()
        broken[100] = np.nan
        with pytest.raises(AudioError, match="NaN"):
            stitcher.add(Audio(broken, 24000))
        stitcher.add(chunk, 0.5)
    assert len(stitcher.close().spans) == 1


def test_join_clicks_finds_a_click_at_a_join() -> None:
    rate = 24000
    tone = abrupt_tone(0.1, rate, 0.1)
    samples = np.concatenate([tone, np.zeros(240, dtype=np.float32), tone])
    at_join, inner = join_clicks(samples, [tone.size, tone.size + 240], rate)
    # The tone starts and stops mid-waveform: the click is its first or last sample against silence.
    assert at_join == pytest.approx(max(abs(tone[0]), abs(tone[-1])), abs=1e-6)
    assert inner == pytest.approx(np.max(np.abs(np.diff(tone))), rel=1e-6)


def test_file_join_clicks_agrees_with_the_in_memory_measure(tmp_path: Path) -> None:
    chunks = [Audio(abrupt_tone(0.3, 24000, a), 24000) for a in (0.5, 0.2, 0.7, 0.3)]
    samples, _, result = stitch(tmp_path / "x.wav", chunks, fade_ms=0.0)
    in_memory = join_clicks(samples, result.join_frames(), 24000)
    streamed = file_join_clicks(tmp_path / "x.wav", result.join_frames(), block_frames=1000)
    assert streamed == pytest.approx(in_memory)


@pytest.mark.slow
def test_memory_stays_about_one_chunk_for_two_thousand_chunks(tmp_path: Path) -> None:
    rate, seconds, count = 24000, 3.0, 2000
    chunk_bytes = round(rate * seconds) * 4
    base = speech_like(seconds, rate, -10.0)
    tracemalloc.start()
    try:
        with Stitcher(tmp_path / "long.wav") as stitcher:
            for i in range(count):
                # A fresh chunk each time (a real run holds only the chunk in hand), at varying levels.
                stitcher.add(Audio(base * np.float32(0.2 + (i % 7) / 10), rate))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    result = stitcher.close()
    output_bytes = result.frames * 2
    assert output_bytes > 250_000_000  # 100 minutes of 16-bit audio on disk
    # About a chunk's working set (a few float32/float64 copies of one chunk) plus ~200 B of span per chunk;
    # the output is 1,000 times larger.
    assert peak < 16 * chunk_bytes, f"peak {peak / 1e6:.1f} MB for {chunk_bytes / 1e6:.2f} MB chunks"
    assert peak < output_bytes / 50
