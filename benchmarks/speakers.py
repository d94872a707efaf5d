"""Offline diarization on meetings built from real voices: diarization error rate, speaker count, real-time factor.

Meetings are made from the shared recordings of different people (JFK, LibriSpeech, Mr Quilter, AMI, the MFA
speaker on channel 0, the Bush address, the Spanish LibriVox reader): each meeting picks two or three of them and
alternates turns of 2 s to a minute cut from their recordings (short recordings repeat), each turn at its own level
(-23 dBFS +- 3 dB), with pauses of 0.2-1.5 s between turns, or, in the overlap meetings, each turn starting 0.3-1.2
s before the previous one ends. The reference is what each person says when: a turn's span less the pauses of at
least 0.5 s inside that person's own clean audio (an annotator marks speech, not a reader's breaths between
sentences).

The sample meeting (two Piper voices, `samples/make_meeting.py`) is made again from its script so that its turn
boundaries are known; the shipped `samples/meeting.ogg` itself is checked for its speaker count.

Side by side: the default spectral clustering with the eigengap count, agglomerative clustering with the count from
the data, and spectral clustering told the true count. DER is the standard one with a 0.25 s collar
(`voicekit.speakers.score`, which agrees with pyannote.metrics in the tests); pyannote.metrics' own figure is shown
beside it when it is installed. Real-time factor = audio seconds / processing seconds (speech detection, mel,
encoder, clustering), median over the meetings.

    python benchmarks/speakers.py [--quick] [--meetings N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import DATA, median, print_table

from voicekit import Audio
from voicekit.speakers.cluster import ClusterOptions, cluster_embeddings
from voicekit.speakers.diarize import DiarizeOptions, Turn, diarize, speech_regions
from voicekit.speakers.embed import RATE, SpeakerEncoder
from voicekit.speakers.score import Span, der

AUDIO = DATA / "audio"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
VOICES = {
    "jfk": ("en_jfk_16k_mono.wav", "mix"),
    "librispeech": ("en_librispeech_2412-153948-0000.flac", "mix"),
    "quilter": ("en_librispeech_mr_quilter_leopard.wav", "mix"),
    "ami": ("en_ami_ES2011a_40s-46s.wav", "mix"),
    "michael": ("en_mfa_michaelandsickmichael_stereo.wav", 0),
    "bush": ("en_long_bush_columbia_address_3m19s.ogg", "mix"),
    "spanish": ("es_librivox_capitan_veneno_dedicatoria.mp3", "mix"),
}


@dataclass
class Meeting:
    name: str
    samples: np.ndarray
    reference: list[Span]
    speakers: int


Voice = tuple[np.ndarray, np.ndarray]
"""A person's clean recording (whole 10 ms frames) and which of its frames are speech."""


def _voiced(samples: np.ndarray) -> np.ndarray:
    """Speech frames of a whole clean recording: voiced runs with pauses under 0.5 s bridged (judged on the whole
    recording, so its own pauses set its noise floor)."""
    mask = np.zeros(len(samples) // 160, dtype=bool)
    for a, b in speech_regions(samples, DiarizeOptions(bridge_seconds=0.5, min_speech_seconds=0.1)):
        mask[a:b] = True
    return mask


def load_voices() -> dict[str, Voice]:
    voices = {}
    for name, (file, channel) in VOICES.items():
        samples = Audio.load(AUDIO / file, sample_rate=RATE, channel=channel).samples  # type: ignore[arg-type]
        mask = _voiced(samples)
        first, last = int(np.argmax(mask)), len(mask) - int(np.argmax(mask[::-1]))
        voices[name] = (samples[first * 160:last * 160], mask[first:last])  # no leading or trailing silence
    return voices


def _speech_inside(mask: np.ndarray, offset: float, name: str) -> list[Span]:
    """The reference spans of one turn from its frames' speech marks."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(offset + a / 100, offset + b / 100, name) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _turn(rng: random.Random, voice: Voice) -> Voice:
    samples, mask = voice
    frames = int(min(rng.choice([rng.uniform(2, 8), rng.uniform(5, 20), rng.uniform(15, 60)]), 60) * 100)
    if len(mask) <= frames:
        repeats = -(-frames // len(mask))
        return np.tile(samples, repeats)[:frames * 160], np.tile(mask, repeats)[:frames]
    start = rng.randrange(0, len(mask) - frames)
    return samples[start * 160:(start + frames) * 160], mask[start:start + frames]


def build_meeting(rng: random.Random, voices: dict[str, Voice], count: int, overlap: bool,
                  minutes: float) -> Meeting:
    people = rng.sample(sorted(voices), count)
    order = list(people)
    while len(order) < 3 or sum(1 for _ in order) < int(minutes * 8):
        order.append(rng.choice([p for p in people if p != order[-1]]))
    track = np.zeros(int(minutes * 60 * RATE) + 70 * RATE, dtype=np.float32)
    reference: list[Span] = []
    cursor = 0.5
    for person in order:
        turn, mask = _turn(rng, voices[person])
        rms = float(np.sqrt(np.mean(turn.astype(np.float64) ** 2))) or 1.0
        turn = (turn * (10 ** ((-23 + rng.uniform(-3, 3)) / 20) / rms)).astype(np.float32)
        if overlap and reference:
            cursor = max(reference[-1][1] - rng.uniform(0.3, 1.2), reference[-1][0] + 0.5)
        start = int(cursor * RATE)
        if start + len(turn) > len(track):
            break
        track[start:start + len(turn)] += turn
        reference += _speech_inside(mask, cursor, person)
        cursor += len(turn) / RATE + (0.0 if overlap else rng.uniform(0.2, 1.5))
        if cursor > minutes * 60:
            break
    end = int(cursor * RATE) + RATE // 2
    track = track[:end] + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 10 ** (-62 / 20), end).astype(
        np.float32)
    kind = "overlap" if overlap else "turns"
    return Meeting(f"{count} speakers, {kind}", np.clip(track, -1, 1), reference, len({s[2] for s in reference}))


def sample_meeting() -> Meeting | None:
    """The sample meeting made again from its script, with its turn boundaries (needs Piper: voicekit[local])."""
    sys.path.insert(0, str(SAMPLES))
    try:
        import make_meeting as mm
    except ImportError:
        return None
    rng = np.random.default_rng(5)
    pieces = [np.zeros(int(0.6 * mm.RATE), dtype=np.float32)]
    reference: list[Span] = []
    cursor = 0.6
    for speaker, text in mm.read_script(SAMPLES / "meeting.txt"):
        if text.startswith(mm.LONG_PAUSE_BEFORE):
            pieces.append(np.zeros(int(mm.LONG_PAUSE * mm.RATE), dtype=np.float32))
            cursor += mm.LONG_PAUSE
        turn = mm.speak_turn(text, mm.VOICES[speaker])
        turn = turn[:len(turn) // 160 * 160]
        reference += _speech_inside(_voiced(turn), cursor, speaker)
        pause = np.zeros(int(rng.uniform(*mm.TURN_PAUSE) * mm.RATE), dtype=np.float32)
        pieces += [turn, pause]
        cursor += (len(turn) + len(pause)) / mm.RATE
    samples = np.concatenate(pieces)
    samples += rng.normal(0.0, 10 ** (mm.NOISE_DB / 20), len(samples)).astype(np.float32)
    return Meeting("sample meeting (Piper)", np.clip(samples, -1, 1), reference, 2)


def _spans(turns: list[Turn]) -> list[Span]:
    return [(t.start, t.end, str(t.speaker)) for t in turns]


def pyannote_der(reference: list[Span], hypothesis: list[Span]) -> float | None:
    try:
        from pyannote.core import Annotation, Segment, Timeline
        from pyannote.metrics.diarization import DiarizationErrorRate
    except ImportError:
        return None

    def annotation(spans: list[Span]) -> Annotation:
        result = Annotation()
        for index, (start, end, name) in enumerate(spans):
            result[Segment(start, end), index] = name
        return result

    uem = Timeline([Segment(0.0, max(e for _, e, _ in reference + hypothesis) + 1)])
    return float(DiarizationErrorRate(collar=0.5)(annotation(reference), annotation(hypothesis), uem=uem))


def run_system(meeting: Meeting, encoder: SpeakerEncoder, system: str) -> tuple[list[Turn], float]:
    """Diarize with one of the systems; (turns, seconds)."""
    if system.endswith("true count"):
        options = DiarizeOptions(min_speakers=meeting.speakers, max_speakers=meeting.speakers)
    else:
        options = DiarizeOptions()
    method = "ahc" if system.startswith("ahc") else "spectral"
    import voicekit.speakers.diarize as module

    original = module.cluster_embeddings

    def clustering(embeddings: np.ndarray, opts: ClusterOptions) -> np.ndarray:
        return cluster_embeddings(embeddings, ClusterOptions(min_speakers=opts.min_speakers,
                                                             max_speakers=opts.max_speakers,
                                                             method=method))  # type: ignore[arg-type]

    module.cluster_embeddings = clustering  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        turns = diarize(meeting.samples, RATE, options, encoder)
        return turns, time.perf_counter() - started
    finally:
        module.cluster_embeddings = original


def billing_table() -> None:
    """What `--speakers channels` sends to Groq for the shared two-channel recordings: the windows of each channel
    (the windowing skips each channel's long silences), against the mix and against both channels sent whole."""
    from voicekit.audio.io import DecodeOptions, probe, stream_audio
    from voicekit.audio.segment import SegmentOptions, segment_windows
    from voicekit.engines.catalog import billed_seconds

    rows = []
    for name in ("en_stereo_diarization_2spk.wav", "en_mfa_michaelandsickmichael_stereo.wav"):
        path = AUDIO / name
        sent: dict[str, tuple[int, float]] = {}
        for channel in ("mix", 0, 1):
            with stream_audio(path, DecodeOptions(sample_rate=RATE, channel=channel)) as stream:  # type: ignore[arg-type]
                windows = list(segment_windows(iter(stream), RATE, SegmentOptions()))
            sent[str(channel)] = (len(windows), sum(billed_seconds(w.end - w.start) for w in windows))
        length = probe(path).duration or 0.0
        rows.append([name, f"{length:.1f}", f"{sent['mix'][0]} / {sent['mix'][1]:.1f}",
                     f"{sent['0'][0] + sent['1'][0]} / {sent['0'][1] + sent['1'][1]:.1f}",
                     f"{2 * billed_seconds(length):.1f}"])
    print_table("Groq billing of --speakers channels (requests / billed seconds)",
                ["recording", "seconds", "mix", "channels", "both channels whole"], rows,
                notes=["billed seconds: each request at least 10 s, as Groq bills"])


SYSTEMS = ("spectral, eigengap count", "ahc, count from data", "spectral, true count")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="two meetings of each kind, two minutes each")
    parser.add_argument("--meetings", type=int, default=4, help="meetings of each kind (default 4)")
    args = parser.parse_args()
    count, minutes = (2, 2.0) if args.quick else (args.meetings, 4.0)
    rng = random.Random(2026)
    voices = load_voices()
    encoder = SpeakerEncoder()
    kinds = [(2, False), (3, False), (2, True), (3, True)]
    meetings = [build_meeting(rng, voices, n, overlap, minutes) for n, overlap in kinds for _ in range(count)]
    extra = sample_meeting()
    meetings += [extra] if extra is not None else []
    results: dict[tuple[str, str], list[tuple[float, float, bool, float]]] = {}
    pyannote: dict[str, list[float]] = {}
    for meeting in meetings:
        for system in SYSTEMS:
            turns, seconds = run_system(meeting, encoder, system)
            hypothesis = _spans(turns)
            score = der(meeting.reference, hypothesis)
            found = len({t.speaker for t in turns})
            speed = len(meeting.samples) / RATE / seconds
            results.setdefault((meeting.name, system), []).append(
                (score.rate, score.confusion / max(score.total, 1e-9), found == meeting.speakers, speed))
            if system == SYSTEMS[0]:
                theirs = pyannote_der(meeting.reference, hypothesis)
                if theirs is not None:
                    pyannote.setdefault(meeting.name, []).append(theirs)
    rows = []
    for (name, system), values in results.items():
        audio = sum(len(m.samples) for m in meetings if m.name == name) / RATE
        rows.append([name, system, str(len(values)), f"{audio / 60:.1f}",
                     f"{100 * float(np.mean([v[0] for v in values])):.1f}",
                     f"{100 * float(np.mean([v[1] for v in values])):.1f}",
                     f"{sum(v[2] for v in values)}/{len(values)}",
                     f"{median([v[3] for v in values]):.0f}x",
                     f"{100 * float(np.mean(pyannote[name])):.1f}" if system == SYSTEMS[0] and name in pyannote
                     else ""])
    print_table("Diarization of meetings of real voices (DER with a 0.25 s collar, mean over meetings)",
                ["meetings", "system", "n", "minutes", "DER %", "confusion %", "count right", "real time",
                 "pyannote DER %"], rows,
                notes=["DER = missed + false alarm + confusion, over reference speech; confusion is its speaker "
                       "part", "real time: audio seconds per second of processing (median), numpy encoder on one "
                       "BLAS thread"])
    billing_table()
    shipped = Audio.load(SAMPLES / "meeting.ogg", sample_rate=RATE).samples
    found = len({t.speaker for t in diarize(shipped, RATE, encoder=encoder)})
    print(f"\nsamples/meeting.ogg (two voices): {found} speakers found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
