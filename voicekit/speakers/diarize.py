"""Who spoke when in one mixed track: speech detection, an embedding every `hop` seconds, clustering, turns.

1. **Speech.** 10 ms frames are voiced when their level is above a threshold set from the recording itself (10 dB
   above its quiet floor, at most 35 dB below its loud speech, never below -60 dBFS); pauses shorter than
   `bridge_seconds` are bridged and voiced runs shorter than `min_speech_seconds` dropped.
2. **Embeddings.** Each speech region is covered by windows of `window_seconds` (1.6 s, the length the encoder was
   trained on) every `hop_seconds`; a region shorter than a window gets one window centred on it. Each window's
   audio is brought to the same level before its mel frames are taken, so loudness does not look like a voice.
3. **Clusters** by `voicekit.speakers.cluster`, within the speaker range asked for.
4. **Turns.** Every voiced frame takes the label of the window whose centre is nearest to it within its region;
   consecutive frames of one speaker make a turn.

Streaming: the recording is read twice, in blocks. The first pass keeps one power figure per 10 ms frame (400 bytes
a second), the second computes mel frames as blocks arrive and embeds each window once its frames are there,
keeping only the frames that windows still need. What grows with the length is the frame powers and one embedding
per window (about 1.3 kB a second), and the clustering's distance matrix (windows squared: 80 MB for an hour).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicekit.speakers.cluster import ClusterOptions, cluster_embeddings
from voicekit.speakers.embed import HOP, N_FFT, RATE, SpeakerEncoder, padded_mel_frames

__all__ = ["DiarizeOptions", "Turn", "check_installed", "diarize", "diarize_blocks", "diarize_source", "frame_powers",
           "regions_from_powers", "speech_regions"]

FloatArray = npt.NDArray[np.float32]
FRAME = HOP
"""Samples per speech-detection frame (10 ms), the same as the mel hop."""
BATCH = 64
"""Windows embedded at once."""


@dataclass(frozen=True)
class Turn:
    """One speaker's stretch of speech, in seconds from the start of the recording."""

    start: float
    end: float
    speaker: int


@dataclass(frozen=True)
class DiarizeOptions:
    min_speakers: int = 1
    max_speakers: int = 8
    window_seconds: float = 1.6
    hop_seconds: float = 0.8
    bridge_seconds: float = 0.3
    min_speech_seconds: float = 0.2
    target_dbfs: float = -30.0


def frame_powers(blocks: Iterable[FloatArray]) -> npt.NDArray[np.float64]:
    """The mean square of each whole 10 ms frame of a stream of mono blocks."""
    powers: list[npt.NDArray[np.float64]] = []
    rest = np.zeros(0, dtype=np.float32)
    for block in blocks:
        data = np.concatenate([rest, np.asarray(block, dtype=np.float32)])
        whole = len(data) // FRAME * FRAME
        if whole:
            powers.append(np.mean(data[:whole].reshape(-1, FRAME).astype(np.float64) ** 2, axis=1))
        rest = data[whole:]
    return np.concatenate(powers) if powers else np.zeros(0)


def regions_from_powers(powers: npt.NDArray[np.float64], options: DiarizeOptions | None = None
                        ) -> list[tuple[int, int]]:
    """Voiced regions as (first frame, end frame), by the rules in the module docstring."""
    opts = options or DiarizeOptions()
    if len(powers) == 0:
        return []
    levels = 10 * np.log10(powers + 1e-12)
    floor, loud = np.percentile(levels, 10), np.percentile(levels, 95)
    threshold = max(min(floor + 10.0, loud - 10.0), loud - 35.0, -60.0)
    voiced = levels > threshold
    return _runs(voiced, int(opts.bridge_seconds * 100), int(opts.min_speech_seconds * 100))


def speech_regions(samples: FloatArray, options: DiarizeOptions | None = None) -> list[tuple[int, int]]:
    """Voiced regions of 16 kHz mono `samples` as (first frame, end frame) of 10 ms frames."""
    return regions_from_powers(frame_powers([samples]), options)


def _runs(voiced: npt.NDArray[np.bool_], bridge: int, shortest: int) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]])))
    runs = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    joined: list[tuple[int, int]] = []
    for start, end in runs:
        if joined and start - joined[-1][1] < bridge:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return [(start, end) for start, end in joined if end - start >= shortest]


def _window_starts(region: tuple[int, int], width: int, hop: int, total: int) -> list[int]:
    """First frames of the windows covering `region` (frames), each `width` frames, inside the recording."""
    start, end = region
    if end - start <= width:
        centre = (start + end) // 2
        return [max(0, min(centre - width // 2, total - width))]
    starts = list(range(start, end - width + 1, hop))
    if starts[-1] + width < end:
        starts.append(end - width)
    return starts


def _gain(powers: npt.NDArray[np.float64], first: int, width: int, target_dbfs: float) -> float:
    """The power gain that brings a window to `target_dbfs` (the spectrogram is of power: a gain g on the
    samples is g squared on the frames)."""
    mean = float(np.mean(powers[first:first + width])) if first < len(powers) else 0.0
    return 10 ** (target_dbfs / 10) / mean if mean > 1e-12 else 1.0


def _mel_stream(blocks: Iterable[FloatArray], block_frames: int = 2048) -> Iterator[FloatArray]:
    """The mel frames of a stream, in order, computed as its blocks arrive (the same frames as `mel_frames` of
    the whole stream: centred, zero-padded at both ends)."""
    pending = np.zeros(N_FFT // 2, dtype=np.float32)
    for block in blocks:
        pending = np.concatenate([pending, np.asarray(block, dtype=np.float32)])
        ready = (len(pending) - N_FFT) // HOP + 1 if len(pending) >= N_FFT else 0
        if ready >= block_frames:
            yield padded_mel_frames(pending, ready)
            pending = pending[ready * HOP:]
    pending = np.concatenate([pending, np.zeros(N_FFT // 2, dtype=np.float32)])
    if len(pending) >= N_FFT:
        yield padded_mel_frames(pending, (len(pending) - N_FFT) // HOP + 1)


def _window_mels(mel_chunks: Iterator[FloatArray], windows: list[tuple[int, int]], width: int
                 ) -> Iterator[FloatArray]:
    """The (width, 40) mel frames of each window in order, keeping only the frames windows still need; frames
    past the end of the recording are zeros."""
    held = np.zeros((0, 40), dtype=np.float32)
    base = 0
    exhausted = False
    for _, first in windows:
        while not exhausted and base + len(held) < first + width:
            chunk = next(mel_chunks, None)
            if chunk is None:
                exhausted = True
            else:
                held = np.concatenate([held, chunk])
        frames = held[max(first - base, 0):first - base + width]
        if len(frames) < width:
            frames = np.pad(frames, ((0, width - len(frames)), (0, 0)))
        yield frames
        keep = max(first - base, 0)
        held, base = held[keep:], base + keep


def diarize_blocks(blocks: Callable[[], Iterable[FloatArray]], options: DiarizeOptions | None = None,
                   encoder: SpeakerEncoder | None = None) -> list[Turn]:
    """The turns of a 16 kHz mono stream that `blocks()` gives afresh on each call (it is read twice)."""
    opts = options or DiarizeOptions()
    powers = frame_powers(blocks())
    regions = regions_from_powers(powers, opts)
    if not regions:
        return []
    width, hop = int(round(opts.window_seconds * 100)), int(round(opts.hop_seconds * 100))
    total = max(len(powers), width)
    windows = [(index, first) for index, region in enumerate(regions)
               for first in _window_starts(region, width, hop, total)]
    order = sorted(range(len(windows)), key=lambda k: windows[k][1])
    ordered = [windows[k] for k in order]
    model = encoder or SpeakerEncoder()
    mels = _window_mels(_mel_stream(blocks()), ordered, width)
    batches: list[FloatArray] = []
    batch: list[FloatArray] = []
    for (_, first), frames in zip(ordered, mels, strict=False):
        batch.append(frames * np.float32(_gain(powers, first, width, opts.target_dbfs)))
        if len(batch) == BATCH:
            batches.append(model.embed(np.stack(batch)))
            batch = []
    if batch:
        batches.append(model.embed(np.stack(batch)))
    embeddings = np.empty((len(windows), batches[0].shape[1]), dtype=np.float32)
    embeddings[order] = np.concatenate(batches)
    labels = cluster_embeddings(embeddings, ClusterOptions(min_speakers=opts.min_speakers,
                                                           max_speakers=opts.max_speakers))
    return _turns(regions, windows, labels, width)


def diarize(samples: FloatArray, sample_rate: int = RATE, options: DiarizeOptions | None = None,
            encoder: SpeakerEncoder | None = None) -> list[Turn]:
    """The turns of `samples` (mono), speakers numbered 0, 1, ... in order of first appearance."""
    audio = np.asarray(samples, dtype=np.float32)
    if sample_rate != RATE:
        import soxr

        audio = np.asarray(soxr.resample(audio, sample_rate, RATE), dtype=np.float32)
    step = 10 * RATE
    return diarize_blocks(lambda: (audio[i:i + step] for i in range(0, len(audio), step)), options, encoder)


def _turns(regions: list[tuple[int, int]], windows: list[tuple[int, int]], labels: npt.NDArray[np.int64],
           width: int) -> list[Turn]:
    """Each frame of each region labelled by its nearest window centre in that region, runs joined into turns."""
    turns: list[Turn] = []
    for index, (start, end) in enumerate(regions):
        mine = [(first + width / 2, int(label)) for (owner, first), label in zip(windows, labels, strict=True)
                if owner == index]
        centres = np.array([centre for centre, _ in mine])
        names = np.array([label for _, label in mine])
        frames = np.arange(start, end) + 0.5
        nearest = names[np.argmin(np.abs(frames[:, None] - centres[None, :]), axis=1)]
        changes = np.flatnonzero(np.diff(nearest)) + 1
        bounds = [0, *changes.tolist(), len(nearest)]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            speaker = int(nearest[a])
            begin, stop = (start + a) / 100, (start + b) / 100
            if turns and turns[-1].speaker == speaker and abs(turns[-1].end - begin) < 1e-9:
                turns[-1] = Turn(turns[-1].start, stop, speaker)
            else:
                turns.append(Turn(begin, stop, speaker))
    return turns


def check_installed() -> None:
    """Raise `MissingDependencyError`, saying what to install, when a package diarization needs is missing or its
    weights cannot be read."""
    from voicekit.errors import MissingDependencyError
    from voicekit.speakers.weights import encoder_weights

    try:
        import scipy.cluster.vq  # noqa: F401
        import threadpoolctl  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(f"telling voices apart needs {exc.name}, which is missing: "
                                     f'pip install "voicekit[speakers]"') from exc
    encoder_weights()


def diarize_source(source: object, sample_rate: int | None = None, speakers: tuple[int, int] = (1, 8),
                   options: DiarizeOptions | None = None) -> list[Turn]:
    """The turns of a recording given as `transcribe` takes it (a path, bytes, an `Audio`, or an array with its
    `sample_rate`), channels mixed. A file object is refused (it may be read only once, by the transcription):
    pass its path or its bytes."""
    from voicekit.audio.io import DecodeOptions, stream_audio
    from voicekit.audio.model import Audio
    from voicekit.errors import InputError

    opts = options or DiarizeOptions()
    opts = DiarizeOptions(**{**opts.__dict__, "min_speakers": speakers[0], "max_speakers": speakers[1]})
    if isinstance(source, Audio):
        samples, rate = source.samples, source.sample_rate
    elif isinstance(source, np.ndarray):
        if sample_rate is None:
            raise InputError("a numpy array needs its sample_rate: transcribe(array, sample_rate=16000)")
        samples, rate = np.asarray(source, dtype=np.float32), sample_rate
    elif isinstance(source, str | bytes | bytearray | memoryview) or hasattr(source, "__fspath__"):
        def blocks() -> Iterator[FloatArray]:
            with stream_audio(source, DecodeOptions(sample_rate=RATE)) as stream:
                yield from stream

        return diarize_blocks(blocks, opts)
    else:
        raise InputError("speaker labels need the recording twice (to transcribe and to tell voices apart): pass "
                         "a path, bytes, an Audio or an array, not a file object")
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    return diarize(mono, rate, opts)
