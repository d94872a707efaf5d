"""Windows cut at quiet points: real speech, synthetic long files with known offsets, silence, tones, memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from shared_data import SHARED_DATA, shared_data

from voicekit.audio.io import DecodeOptions, stream_audio
from voicekit.audio.model import read_audio
from voicekit.audio.segment import MAX_UPLOAD_BYTES, SegmentOptions, Window, segment_windows
from voicekit.errors import InputError

DATA = SHARED_DATA / "audio"
BUSH_OGG = DATA / "en_long_bush_columbia_address_3m19s.ogg"
JFK_WAV = DATA / "en_jfk_16k_mono.wav"
RATE = 16000
FRAME = 480  # 30 ms at 16 kHz


def need(path: Path) -> Path:
    return shared_data("audio", path.name)


def blocks_of(signal: np.ndarray, seconds: float = 10.0) -> Iterator[np.ndarray]:
    size = int(seconds * RATE)
    for begin in range(0, len(signal), size):
        yield signal[begin : begin + size]


def level_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(samples, dtype=np.float64)) + 1e-12))


def frame_levels(samples: np.ndarray) -> np.ndarray:
    n = len(samples) // FRAME
    return 10 * np.log10(np.mean(np.square(samples[: n * FRAME].reshape(n, FRAME), dtype=np.float64), 1) + 1e-12)


def noise_burst(seconds: float, seed: int, level: float = 0.1) -> np.ndarray:
    """Continuous sound with no pause at all: white noise (the segmenter only sees energy)."""
    return (np.random.default_rng(seed).standard_normal(round(seconds * RATE)) * level).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def check_windows_are_the_stream(windows: list[Window], stream: np.ndarray) -> None:
    for index, window in enumerate(windows):
        assert window.index == index
        assert len(window.samples) == window.end_sample - window.start_sample
        np.testing.assert_array_equal(window.samples, stream[window.start_sample : window.end_sample])
        assert window.duration == pytest.approx(window.end - window.start)
    for before, after in zip(windows, windows[1:], strict=False):
        assert after.start_sample == before.end_sample - after.overlap_before or (
            after.overlap_before == 0 and after.start_sample >= before.end_sample
        )


# ---------------------------------------------------------------------------------------------------- real speech


@pytest.fixture(scope="module")
def address() -> np.ndarray:
    return read_audio(need(BUSH_OGG)).samples


@pytest.fixture(scope="module")
def address_windows(address: np.ndarray) -> list[Window]:
    return list(segment_windows(blocks_of(address), RATE))


def test_the_address_is_cut_into_10_to_30_s_windows_in_order(
    address: np.ndarray, address_windows: list[Window]
) -> None:
    windows = address_windows
    assert 7 <= len(windows) <= 9  # 198.7 s of speech in windows of 25..30 s
    check_windows_are_the_stream(windows, address)
    for window in windows:
        assert 10.0 <= window.duration <= 30.0 + 10.0
        assert window.start_sample < window.end_sample
    assert all(a.end_sample <= b.start_sample for a, b in zip(windows, windows[1:], strict=False))  # pauses: no overlap


def test_every_loud_frame_of_the_address_is_inside_a_window(address: np.ndarray, address_windows: list[Window]) -> None:
    loud = np.flatnonzero(frame_levels(address) > -40.0)
    covered = np.zeros(len(address) // FRAME, dtype=bool)
    for window in address_windows:
        covered[window.start_sample // FRAME : -(-window.end_sample // FRAME)] = True
    missing = loud[~covered[loud]]
    assert len(missing) == 0, f"speech frames left out at {missing[:10] * 0.03} s"


def test_cuts_in_the_address_fall_at_quiet_points(address: np.ndarray, address_windows: list[Window]) -> None:
    for window in address_windows[:-1]:
        median = float(np.median(frame_levels(window.samples)))
        end = window.end_sample
        quietest_quarter = float(np.percentile(frame_levels(window.samples), 25))
        at_cut = level_db(address[end - 1200 : end + 1200])  # the 150 ms around the cut
        assert at_cut < median - 3.0, f"window {window.index} ends at {window.end:.2f}s in sound ({at_cut:.1f} dB)"
        assert at_cut <= quietest_quarter + 1.0  # as quiet as the pauses of that window
        assert not window.cut_in_speech


def test_each_window_encodes_to_a_small_flac(address_windows: list[Window]) -> None:
    for window in address_windows[:3]:
        data = window.flac()
        assert data[:4] == b"fLaC"
        assert len(data) < 1_000_000 < MAX_UPLOAD_BYTES  # ~0.5 MB for 30 s; the limit is 25 MB


def test_windows_straight_from_a_decoded_stream(address_windows: list[Window]) -> None:
    with stream_audio(need(BUSH_OGG), DecodeOptions(block_seconds=3.0)) as stream:
        windows = list(segment_windows(stream, stream.sample_rate))
    assert [w.start_sample for w in windows] == pytest.approx([w.start_sample for w in address_windows], abs=RATE * 1.0)
    assert windows[-1].end_sample <= stream.output_frames


def test_a_short_recording_is_one_window_even_below_min_seconds() -> None:
    speech = read_audio(need(JFK_WAV)).samples
    windows = list(segment_windows(blocks_of(speech), RATE))
    assert len(windows) == 1 and 10.0 < windows[0].duration <= 11.0
    piece = speech[int(2.5 * RATE) : int(6.5 * RATE)]  # 4 s: all the speech there is
    (window,) = segment_windows([piece], RATE)
    assert 2.0 < window.duration <= 4.0
    assert window.end_sample == len(piece)  # it ends in speech


# ---------------------------------------------------------------------------------------------------- offsets


def loud_clip(speech: np.ndarray, start_seconds: float, seconds: float) -> np.ndarray:
    """A piece of real speech that starts and ends in a loud frame, so its edges are unambiguous."""
    levels = frame_levels(speech)
    first = int(start_seconds / 0.03)
    first += int(np.argmax(levels[first:] > -30.0))
    last = int((start_seconds + seconds) / 0.03)
    last += int(np.argmax(levels[last:] > -30.0))
    return speech[first * FRAME : (last + 1) * FRAME]


def test_clips_between_10_s_silences_keep_exact_offsets(address: np.ndarray) -> None:
    clips = [loud_clip(address, 3.0, 12.0), loud_clip(address, 60.0, 20.0), loud_clip(address, 120.0, 15.0)]
    pieces, placed = [silence(10.0123)], []
    for clip in clips:
        placed.append(sum(len(p) for p in pieces))
        pieces += [clip, silence(10.0)]
    stream = np.concatenate(pieces)

    exact = list(segment_windows(blocks_of(stream, 7.0), RATE, SegmentOptions(pad_seconds=0.0)))
    assert len(exact) == len(clips)
    for window, at, clip in zip(exact, placed, clips, strict=True):
        assert abs(window.start_sample - at) < FRAME
        assert abs(window.end_sample - (at + len(clip))) < FRAME
    check_windows_are_the_stream(exact, stream)

    padded = list(segment_windows(blocks_of(stream, 7.0), RATE))  # default: 0.2 s of the silence kept
    for window, at, clip in zip(padded, placed, clips, strict=True):
        assert abs(window.start_sample - (at - 3200)) < FRAME
        assert abs(window.end_sample - (at + len(clip) + 3200)) < FRAME
        assert window.overlap_before == 0 and not window.cut_in_speech
    assert sum(w.duration for w in padded) < len(stream) / RATE - 35.0  # the silences were not kept


def test_silence_between_speech_closes_and_opens_windows_exactly() -> None:
    stream = np.concatenate([noise_burst(12.0, 1), silence(3.0), noise_burst(12.0, 2)])
    first, second = segment_windows(blocks_of(stream), RATE)
    assert (first.start_sample, first.end_sample) == (0, 12 * RATE + 3200)
    assert (second.start_sample, second.end_sample) == (15 * RATE - 3200, 27 * RATE)


def test_a_short_start_bridges_a_silence_instead_of_becoming_a_short_window() -> None:
    stream = np.concatenate([noise_burst(4.0, 1), silence(3.0), noise_burst(20.0, 2)])
    (window,) = segment_windows(blocks_of(stream), RATE)
    assert (window.start_sample, window.end_sample) == (0, 27 * RATE)


def test_speech_isolated_by_long_silences_stays_a_window_of_its_own() -> None:
    parts = [noise_burst(25.0, 1), silence(40.0), noise_burst(3.0, 2), silence(40.0), noise_burst(25.0, 3)]
    windows = list(segment_windows(blocks_of(np.concatenate(parts)), RATE))
    assert [round(w.start, 1) for w in windows] == [0.0, 64.8, 107.8]
    assert [round(w.duration, 1) for w in windows] == [25.2, 3.4, 25.2]


def test_block_sizes_do_not_change_the_windows() -> None:
    parts = [noise_burst(12.0, 1), silence(3.0), noise_burst(45.0, 2), silence(0.6), noise_burst(20.0, 3)]
    stream = np.concatenate(parts)
    expected = [(w.start_sample, w.end_sample) for w in segment_windows(blocks_of(stream, 10.0), RATE)]
    assert expected == [(0, 195200), (236800, 716800), (700800, 1289600)]  # the last is a joined tail
    for blocks in ([stream], list(blocks_of(stream, 0.7)), list(blocks_of(stream, 31.3))):
        assert [(w.start_sample, w.end_sample) for w in segment_windows(blocks, RATE)] == expected


# ---------------------------------------------------------------------------------------------------- extremes


@pytest.mark.parametrize("kind", ["digital zeros", "noise at -80 dBFS"])
def test_pure_silence_gives_no_windows(kind: str) -> None:
    quiet = silence(300.0) if kind == "digital zeros" else noise_burst(300.0, 5, level=1e-4)
    assert list(segment_windows(blocks_of(quiet), RATE)) == []


def test_continuous_sound_is_cut_at_max_with_overlap() -> None:
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(70 * RATE) / RATE)).astype(np.float32)
    for signal in (tone, noise_burst(70.0, 9)):
        windows = list(segment_windows(blocks_of(signal, 4.0), RATE))
        assert [(w.start_sample, w.end_sample) for w in windows] == [
            (0, 30 * RATE),
            (29 * RATE, 59 * RATE),
            (58 * RATE, 70 * RATE),
        ]
        assert [(w.overlap_before, w.cut_in_speech) for w in windows] == [(0, False), (RATE, True), (RATE, True)]
        check_windows_are_the_stream(windows, signal)


def test_a_short_tail_joins_the_window_before_it() -> None:
    signal = noise_burst(34.0, 4)
    (window,) = segment_windows(blocks_of(signal), RATE)
    assert (window.start_sample, window.end_sample) == (0, 34 * RATE)
    assert 30.0 < window.duration <= 30.0 + 10.0 and window.overlap_before == 0


def speech_like(minutes: float, seed: int) -> Iterator[np.ndarray]:
    """Bursts of sound (0.5..15 s) and pauses (0.2..4 s), generated a block at a time (never held whole)."""
    rng = np.random.default_rng(seed)
    total = round(minutes * 60 * RATE)
    made = 0
    while made < total:
        burst = noise_burst(rng.uniform(0.5, 15.0), int(rng.integers(1 << 30)), level=rng.uniform(0.02, 0.2))
        block = np.concatenate([burst, silence(rng.uniform(0.2, 4.0))])[: total - made]
        made += len(block)
        yield block


def peak_memory_segmenting(minutes: float) -> tuple[int, float, float]:
    tracemalloc.start()
    try:
        seen = longest = 0.0
        for window in segment_windows(speech_like(minutes, 11), RATE):
            seen += window.duration
            longest = max(longest, window.duration)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, seen, longest


@pytest.mark.slow
def test_streaming_30_minutes_keeps_memory_bounded_and_flat() -> None:
    peak_short, _, _ = peak_memory_segmenting(5.0)
    peak, seen, longest = peak_memory_segmenting(30.0)
    whole = 30 * 60 * RATE * 4  # 115 MB as float32
    assert seen > 20 * 60 and longest <= 40.0
    assert peak < whole / 6, f"peak {peak / 1e6:.1f} MB while streaming"
    assert peak < 1.5 * peak_short, f"peak grew from {peak_short / 1e6:.1f} MB (5 min) to {peak / 1e6:.1f} MB"


# ---------------------------------------------------------------------------------------------------- options


def test_options_are_checked() -> None:
    with pytest.raises(ValidationError):
        SegmentOptions(min_seconds=28.0)  # no room left for the search span before max_seconds
    with pytest.raises(ValidationError):
        SegmentOptions(pad_seconds=1.5)  # more than half of skip_silence_seconds
    with pytest.raises(InputError, match="25 MB"):
        next(segment_windows([np.zeros(10, dtype=np.float32)], 48000, SegmentOptions(max_seconds=600.0)))
    with pytest.raises(InputError, match="mono"):
        next(segment_windows([np.zeros((10, 2), dtype=np.float32)], RATE))


def test_a_pause_still_going_at_max_seconds_is_cut_at_its_latest_point() -> None:
    # Speech to 29.8 s, then a pause that outlasts the window: the cut keeps all 0.2 s of it the window may hold
    # (the middle of the visible part, 29.9 s, would end the window 0.1 s after the last word).
    stream = np.concatenate([noise_burst(29.8, 1), silence(1.5), noise_burst(12.0, 2)])
    first, second = segment_windows(blocks_of(stream), RATE)
    assert first.end_sample == 30 * RATE
    assert second.start_sample >= first.end_sample and second.overlap_before == 0
