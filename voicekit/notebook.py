"""Jupyter display: players, tables and plots for `Audio`, `Transcript`, `Plan` and `Narration`.

```
Audio / file  --(at most EMBED_SECONDS: whole, else the first PREVIEW_SECONDS at 16 kHz mono)--> MP3 data URI
Transcript    --> a table of segments (start, end, text) + a player when its audio is known
Plan          --> a table of chunks (characters, text) + requests, characters, cost, time
Narration     --> what was made + a player of its file
plot(...)     --> matplotlib Figure: the waveform with window cuts, segment spans or chunk joins
```

Rules that keep a notebook small and safe:
- audio longer than `EMBED_SECONDS` is never embedded whole: a note says that only a preview is embedded, and a
  link points to the file when there is one;
- a file is read only as far as its preview needs (streamed), so a 10 h narration displays at once;
- tables show at most `MAX_ROWS` rows and say how many were left out;
- every piece of text is HTML-escaped.

matplotlib is imported only by `plot`; without it `plot` raises `MissingDependencyError` naming the extra.
"""

from __future__ import annotations

import base64
import html
import io
import os
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr

from voicekit import display
from voicekit.audio.io import DecodeOptions, probe, stream_audio
from voicekit.audio.model import Audio
from voicekit.audio.segment import SegmentOptions, segment_windows
from voicekit.audio.stitch import WRITE_BLOCK_FRAMES
from voicekit.audio.wav import encode_wav
from voicekit.errors import InputError, MissingDependencyError
from voicekit.jobs.narration import Narration, Plan
from voicekit.transcript.model import Transcript, segment_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "EMBED_FORMAT",
    "EMBED_SECONDS",
    "MAX_ROWS",
    "PREVIEW_RATE",
    "PREVIEW_SECONDS",
    "audio_html",
    "file_audio_html",
    "format_time",
    "narration_html",
    "plan_html",
    "plot",
    "transcript_html",
]

EMBED_SECONDS = 30.0
"""Audio up to this long is embedded whole, at its own rate."""
PREVIEW_SECONDS = 30.0
"""Longer audio embeds only this much from its start."""
PREVIEW_RATE = 16000
"""A preview is mixed to mono and resampled down to this rate."""
EMBED_FORMAT = "mp3"
"""How players embed audio: "mp3" (every browser plays it; about 7 KB a second of 16 kHz speech as base64) or
"wav" (exact 16-bit samples, about 43 KB a second at 16 kHz)."""
_MP3_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000})
MAX_ROWS = 200
"""Rows shown in a table; the rest are counted in a last row."""
NOTEBOOK_HINT = 'pip install "voicekit[notebook]"'
_WRAP = '<div class="voicekit" style="font-family: sans-serif; font-size: 13px">{}</div>'
_TABLE = '<table style="border-collapse: collapse; margin-top: 4px">{}</table>'


# ------------------------------------------------------------------------------------------------ formatting


def format_time(seconds: float) -> str:
    """Seconds as `m:ss.ss`, or `h:mm:ss.ss` from one hour on (always to the hundredth)."""
    centis = round(max(0.0, seconds) * 100)
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs = f"{rest // 100:02d}.{rest % 100:02d}"
    return f"{hours}:{minutes:02d}:{secs}" if hours else f"{minutes}:{secs}"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _channels_name(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")


def _row(cells: Sequence[object], tag: str = "td") -> str:
    style = 'style="text-align: left; padding: 1px 8px; vertical-align: top"'
    return "<tr>" + "".join(f"<{tag} {style}>{_esc(cell)}</{tag}>" for cell in cells) + "</tr>"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], total: int, what: str) -> str:
    """A table of at most `MAX_ROWS` rows; a last row counts the rows left out."""
    body = [_row(header, "th")]
    for i, cells in enumerate(rows):
        if i >= MAX_ROWS:
            break
        body.append(_row(cells))
    if total > MAX_ROWS:
        body.append(f'<tr><td colspan="{len(header)}" style="padding: 1px 8px"><i>… {total - MAX_ROWS} more '
                    f"{_esc(what)} not shown</i></td></tr>")
    return _TABLE.format("".join(body))


def _note(text: str) -> str:
    return f'<div class="voicekit-note" style="color: #666; font-size: 12px">{text}</div>'


# ------------------------------------------------------------------------------------------------ audio


def _mp3(samples: npt.NDArray[np.float32], rate: int) -> bytes:
    buffer = io.BytesIO()
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with sf.SoundFile(buffer, "w", rate, channels, format="MP3", subtype="MPEG_LAYER_III") as out:
        for begin in range(0, len(samples), WRITE_BLOCK_FRAMES):  # one long write overflows the encoder
            out.write(np.clip(samples[begin:begin + WRITE_BLOCK_FRAMES], -1.0, 1.0))
    return buffer.getvalue()


def _data_uri(samples: npt.NDArray[np.float32], rate: int) -> str:
    """The samples as an `EMBED_FORMAT` data URI; WAV when MP3 cannot be written (a libsndfile without it, or a
    rate MPEG audio does not have)."""
    if EMBED_FORMAT == "mp3" and rate in _MP3_RATES and "MP3" in sf.available_formats():
        mime, data = "audio/mpeg", _mp3(samples, rate)
    else:
        mime, data = "audio/wav", encode_wav(Audio(samples, rate))
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _player(samples: npt.NDArray[np.float32], rate: int) -> str:
    return f'<audio controls preload="metadata" src="{_data_uri(samples, rate)}"></audio>'


def _preview(samples: npt.NDArray[np.float32], rate: int) -> tuple[npt.NDArray[np.float32], int]:
    """The first `PREVIEW_SECONDS`, mono, at most `PREVIEW_RATE`."""
    head = samples[: int(PREVIEW_SECONDS * rate)]
    if head.ndim == 2:
        head = head.mean(axis=1)
    if rate > PREVIEW_RATE:
        head, rate = soxr.resample(head, rate, PREVIEW_RATE), PREVIEW_RATE
    return np.asarray(head, dtype=np.float32), rate


def _link(path: str | os.PathLike[str]) -> str:
    """A link to a file, relative to the working folder (the notebook's, which Jupyter serves files from)."""
    target = Path(path)
    try:
        href = urllib.parse.quote(Path(os.path.relpath(os.path.abspath(target))).as_posix())
    except ValueError:  # another drive
        href = target.resolve().as_uri()
    return f'<a href="{_esc(href)}" target="_blank"><code>{_esc(target)}</code></a>'


def _preview_note(duration: float, rate: int, path: str | os.PathLike[str] | None) -> str:
    text = (f"Preview: only the first {format_time(min(PREVIEW_SECONDS, duration))} of "
            f"{format_time(duration)} is embedded ({rate} Hz mono), so the notebook stays small.")
    if path is not None:
        text += f" The whole audio: {_link(path)}"
    return _note(text)


def audio_html(audio: Audio, *, title: str = "Audio") -> str:
    """A player with the duration, rate and channels: the whole audio up to `EMBED_SECONDS`, else a preview of
    its start with a note (and a link to `audio.meta["path"]` when it came from a file)."""
    head = (f"<b>{_esc(title)}</b> · {format_time(audio.duration)} · {audio.sample_rate} Hz · "
            f"{_channels_name(audio.channels)}")
    if audio.frames == 0:
        return _WRAP.format(head + _note("(no samples)"))
    if audio.duration <= EMBED_SECONDS:
        return _WRAP.format(f"<div>{head}</div>{_player(audio.samples, audio.sample_rate)}")
    samples, rate = _preview(audio.samples, audio.sample_rate)
    note = _preview_note(audio.duration, rate, audio.meta.get("path"))
    return _WRAP.format(f"<div>{head}</div>{_player(samples, rate)}{note}")


def _read_head(path: str | os.PathLike[str], seconds: float, rate: int) -> npt.NDArray[np.float32]:
    """The first `seconds` of a file as mono at `rate`, decoding no further than that."""
    wanted, blocks, got = int(seconds * rate), [], 0
    with stream_audio(path, DecodeOptions(sample_rate=rate, block_seconds=min(10.0, max(seconds, 0.1)))) as stream:
        for block in stream:
            blocks.append(block)
            got += len(block)
            if got >= wanted:
                break
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return samples[:wanted]


def file_audio_html(path: str | os.PathLike[str], *, title: str = "Audio") -> str:
    """Like `audio_html` for a file, reading only the part that is embedded. A missing file says so."""
    if not Path(path).exists():
        return _WRAP.format(f"<b>{_esc(title)}</b>" + _note(f"the file {_esc(path)} does not exist (any more)"))
    info = probe(path)
    duration = info.duration
    head = (f"<b>{_esc(title)}</b> · {format_time(duration) if duration is not None else 'length unknown'} · "
            f"{info.sample_rate} Hz · {_channels_name(info.channels)} · {_link(path)}")
    whole = duration is not None and duration <= EMBED_SECONDS
    rate = info.sample_rate if whole else min(info.sample_rate, PREVIEW_RATE)
    samples = _read_head(path, EMBED_SECONDS if whole else PREVIEW_SECONDS, rate)
    if len(samples) == 0:
        return _WRAP.format(head + _note("(no samples)"))
    note = "" if whole else _preview_note(duration if duration is not None else len(samples) / rate, rate, path)
    return _WRAP.format(f"<div>{head}</div>{_player(samples, rate)}{note}")


# ------------------------------------------------------------------------------------------------ tables


def transcript_html(transcript: Transcript, audio: Audio | str | os.PathLike[str] | None = None) -> str:
    """A table of segments (#, start, end, text; and speaker when speakers are known) under a line with the count,
    length and language, and a player of `audio` (or of `transcript.source`, a path) when one is known."""
    segments, total = segment_rows(transcript)
    facts = [f"{total} segment{'s' if total != 1 else ''}"]
    if transcript.duration is not None:
        facts.append(format_time(transcript.duration))
    if transcript.language:
        facts.append(f"language {_esc(transcript.language)}")
    parts = [f"<div><b>Transcript</b> · {' · '.join(facts)}</div>"]
    source = audio if audio is not None else transcript.source
    if isinstance(source, Audio):
        parts.append(audio_html(source, title="Audio"))
    elif source is not None:
        parts.append(file_audio_html(source, title="Audio"))
    if any(s.speaker for s in segments):
        named = ((i, format_time(s.start), format_time(s.end), s.speaker or "", s.text.strip())
                 for i, s in enumerate(segments))
        parts.append(_table(["#", "start", "end", "speaker", "text"], named, total, "segments"))
    else:
        rows = ((i, format_time(s.start), format_time(s.end), s.text.strip()) for i, s in enumerate(segments))
        parts.append(_table(["#", "start", "end", "text"], rows, total, "segments"))
    return _WRAP.format("".join(parts))


def plan_html(plan: Plan) -> str:
    """What a narration will send: engine, model, voice, requests, characters, cost and time, any warnings,
    then a table of the chunks (#, characters, text)."""
    facts = [f"engine {_esc(plan.engine)}", f"model {_esc(plan.model)}", f"voice {_esc(plan.voice)}",
             f"{plan.requests} request{'s' if plan.requests != 1 else ''}", f"{plan.characters:,} characters",
             f"cost ${plan.cost_usd:.4f}", f"about {format_time(plan.estimated_seconds)}"]
    if plan.oversize_splits:
        facts.append(f"{plan.oversize_splits} oversize split{'s' if plan.oversize_splits != 1 else ''}")
    parts = [f"<div><b>Plan</b> · {' · '.join(facts)}</div>"]
    parts += [_note("warning: " + _esc(w)) for w in plan.warnings]
    rows = ((i, c.chars, c.text) for i, c in enumerate(plan.chunks))
    parts.append(_table(["#", "chars", "text"], rows, len(plan.chunks), "chunks"))
    return _WRAP.format("".join(parts))


def narration_html(narration: Narration) -> str:
    """What a narration made (length, chunks, requests, cached, cost, captions) and a player of its file."""
    facts = [format_time(narration.duration), f"{narration.sample_rate} Hz", f"{narration.chunks} chunks",
             f"{narration.requests} requests", f"{narration.cached} cached", f"{narration.characters:,} characters",
             f"cost ${narration.cost_usd:.4f}"]
    parts = [f"<div><b>Narration</b> · {' · '.join(facts)}</div>"]
    if narration.captions is not None:
        parts.append(_note(f"captions: {_link(narration.captions)}"))
    parts += [_note("warning: " + _esc(w)) for w in narration.warnings]
    parts.append(file_audio_html(narration.path, title="Audio"))
    return _WRAP.format("".join(parts))


def mimebundle(html_text: str, plain: str) -> dict[str, str]:
    """The two representations a notebook picks from."""
    return {"text/html": html_text, "text/plain": plain}


# ------------------------------------------------------------------------------------------------ plot


_ENVELOPE_RATE = 16000
_BIN = 160
"""The waveform is drawn from the min and max of every 10 ms at 16 kHz, so memory follows the length / 160."""


@dataclass
class _Envelope:
    """Min and max per bin of a mono stream, collected block by block."""

    lows: list[npt.NDArray[np.float32]] = field(default_factory=list)
    highs: list[npt.NDArray[np.float32]] = field(default_factory=list)
    frames: int = 0
    _rest: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def add(self, block: npt.NDArray[np.float32]) -> None:
        self.frames += len(block)
        data = np.concatenate([self._rest, block])
        whole = len(data) // _BIN * _BIN
        self._rest = data[whole:]
        if whole:
            bins = data[:whole].reshape(-1, _BIN)
            self.lows.append(bins.min(axis=1))
            self.highs.append(bins.max(axis=1))

    def arrays(self, max_points: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float32],
                                               npt.NDArray[np.float32]]:
        """Times, lows and highs, merged down to at most `max_points` bins."""
        if len(self._rest):
            self.lows.append(np.array([self._rest.min()], dtype=np.float32))
            self.highs.append(np.array([self._rest.max()], dtype=np.float32))
            self._rest = np.zeros(0, dtype=np.float32)
        lows = np.concatenate(self.lows) if self.lows else np.zeros(1, dtype=np.float32)
        highs = np.concatenate(self.highs) if self.highs else np.zeros(1, dtype=np.float32)
        group = max(1, -(-len(lows) // max_points))
        pad = (-len(lows)) % group
        lows = np.pad(lows, (0, pad), mode="edge").reshape(-1, group).min(axis=1)
        highs = np.pad(highs, (0, pad), mode="edge").reshape(-1, group).max(axis=1)
        times = np.arange(len(lows), dtype=np.float64) * group * _BIN / _ENVELOPE_RATE
        return times, lows, highs


def _audio_blocks(audio: Audio) -> Iterator[npt.NDArray[np.float32]]:
    samples = audio.samples.mean(axis=1) if audio.samples.ndim == 2 else audio.samples
    if audio.sample_rate != _ENVELOPE_RATE:
        samples = soxr.resample(samples, audio.sample_rate, _ENVELOPE_RATE)
    step = 10 * _ENVELOPE_RATE
    return (np.asarray(samples[i:i + step], dtype=np.float32) for i in range(0, len(samples), step))


def _blocks(source: Audio | str | os.PathLike[str]) -> Iterator[npt.NDArray[np.float32]]:
    if isinstance(source, Audio):
        return _audio_blocks(source)
    return iter(stream_audio(source, DecodeOptions(sample_rate=_ENVELOPE_RATE)))


def _read(source: Audio | str | os.PathLike[str], windows: bool,
          segment: SegmentOptions) -> tuple[_Envelope, list[tuple[float, float]]]:
    """One pass over the audio: its envelope and, with `windows`, the windows `transcribe` would send."""
    envelope = _Envelope()

    def tapped() -> Iterator[npt.NDArray[np.float32]]:
        for block in _blocks(source):
            envelope.add(block)
            yield block

    if not windows:
        for _ in tapped():
            pass
        return envelope, []
    spans = [(w.start, w.end) for w in segment_windows(tapped(), _ENVELOPE_RATE, segment)]
    return envelope, spans


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as pyplot
    except ImportError as exc:
        raise MissingDependencyError(f"voicekit.plot needs matplotlib, which is missing: {NOTEBOOK_HINT}") from exc
    return pyplot


@dataclass
class _Marks:
    """What to draw over the waveform."""

    title: str
    source: Audio | str | os.PathLike[str]
    spans: list[tuple[float, float]] = field(default_factory=list)
    span_label: str = ""
    windows: bool = True
    speakers: list[str | None] = field(default_factory=list)
    """Who speaks in each span, when known: the spans are then coloured by speaker."""


def _captions_spans(path: Path) -> list[tuple[float, float]]:
    """Chunk spans from a narration's captions: exact from .json; the cues of .srt/.vtt otherwise."""
    if path.suffix.lower() == ".json":
        return [(s.start, s.end) for s in Transcript.load(path).segments]
    spans = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "-->" in line:
            start, end = (part.strip().split(" ")[0] for part in line.split("-->"))
            spans.append((_clock(start), _clock(end)))
    return spans


def _clock(text: str) -> float:
    """`hh:mm:ss,mmm` or `mm:ss.mmm` in seconds."""
    seconds = 0.0
    for part in text.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _marks(item: object, audio: Audio | str | os.PathLike[str] | None, windows: bool | None) -> _Marks:
    """What `plot` draws for each kind of item it takes."""
    if isinstance(item, Transcript):
        source = audio if audio is not None else item.source
        if source is None:
            raise InputError("plot(transcript) needs its audio: pass audio=Audio or a path (or set "
                             "transcript.source)")
        speakers = [s.speaker for s in item.segments] if any(s.speaker for s in item.segments) else []
        return _Marks("transcript segments", source, [(s.start, s.end) for s in item.segments], "segments",
                      windows if windows is not None else True, speakers)
    if isinstance(item, Narration):
        spans = _captions_spans(item.captions) if item.captions is not None else []
        label = "chunks" if item.captions is not None and item.captions.suffix.lower() == ".json" else "captions"
        title = "narration" if spans else "narration (narrate with captions=...json to mark the chunks)"
        return _Marks(title, audio if audio is not None else item.path, spans, label, bool(windows))
    if isinstance(item, Audio | str | os.PathLike):
        return _Marks("audio", item, windows=windows if windows is not None else True)
    raise InputError(f"plot takes an Audio, a Transcript, a Narration or a path, not {type(item).__name__}")


def _draw(ax: Axes, envelope: _Envelope, marks: _Marks, cuts: list[tuple[float, float]], max_points: int) -> None:
    times, lows, highs = envelope.arrays(max_points)
    ax.fill_between(times, lows, highs, color="#4c72b0", linewidth=0.3, label="waveform")
    if marks.speakers:
        _draw_speakers(ax, marks)
    for i, (start, end) in enumerate([] if marks.speakers else marks.spans):
        ax.axvspan(start, end, color="#dd8452" if i % 2 == 0 else "#55a868", alpha=0.25,
                   label=marks.span_label if i == 0 else "_nolegend_")
        ax.axvline(start, color="#8c4a1c", linewidth=0.6, alpha=0.6)
    for i, (start, end) in enumerate(cuts):
        ax.hlines(-1.05 if i % 2 == 0 else -1.1, start, end, color="#c44e52", linewidth=3,
                  label="windows" if i == 0 else "_nolegend_")
        if i > 0:
            ax.axvline(start, color="#c44e52", linestyle="--", linewidth=1.0,
                       label="window cuts" if i == 1 else "_nolegend_")
    duration = envelope.frames / _ENVELOPE_RATE
    ax.set_xlim(0, max(duration, 1e-3))
    ax.set_ylim(-1.15, 1.05)
    ax.set_xlabel("seconds")
    ax.set_ylabel("amplitude")
    ax.set_title(f"{marks.title}: {format_time(duration)}"
                 + (f", {len(marks.spans)} {marks.span_label}" if marks.spans else "")
                 + (f", {len(cuts)} window{'s' if len(cuts) != 1 else ''}" if cuts else ""))
    if marks.spans or cuts:
        ax.legend(loc="upper right", fontsize="small")


_SPEAKER_COLOURS = ("#dd8452", "#55a868", "#8172b3", "#c44e52", "#937860", "#da8bc3", "#8c8c8c", "#ccb974")


def _draw_speakers(ax: Axes, marks: _Marks) -> None:
    """Each segment shaded in its speaker's colour, each speaker named once in the legend."""
    order: dict[str, int] = {}
    for (start, end), speaker in zip(marks.spans, marks.speakers, strict=True):
        name = speaker or "unknown"
        first = name not in order
        colour = _SPEAKER_COLOURS[order.setdefault(name, len(order)) % len(_SPEAKER_COLOURS)]
        ax.axvspan(start, end, color=colour, alpha=0.3, label=name if first else "_nolegend_")


def plot(item: Audio | Transcript | Narration | str | os.PathLike[str], audio: Audio | str | os.PathLike[str] |
         None = None, *, windows: bool | None = None, segment: SegmentOptions | None = None, ax: Axes | None = None,
         figsize: tuple[float, float] = (12.0, 3.0), max_points: int = 4000) -> Figure:
    """Draw the waveform of `item` and mark what voicekit did with it; return the matplotlib Figure.

    - an `Audio` or a path: the windows `transcribe` would send (cut lines where one window meets the next);
    - a `Transcript`: its segment spans over its `audio` (an `Audio` or a path; default `transcript.source`),
      coloured by speaker when speakers are known, and the windows too unless `windows=False`;
    - a `Narration`: its chunk spans, read from its captions (exact from .json captions), over its file.

    The audio is read in blocks (memory follows its length / 160). `segment` sets the window rules (default:
    transcribe's). With `ax`, draws there; otherwise a new figure that is closed in pyplot, so a notebook shows
    it once (as the cell's value).
    """
    marks = _marks(item, audio, windows)
    envelope, cuts = _read(marks.source, marks.windows, segment or SegmentOptions())
    if ax is None:
        pyplot = _pyplot()
        figure, ax = pyplot.subplots(figsize=figsize, layout="constrained")
        pyplot.close(figure)
    else:
        figure = ax.figure
    _draw(ax, envelope, marks, cuts, max_points)
    return figure  # type: ignore[no-any-return]


display.register_html(Audio, audio_html)
display.register_html(Transcript, transcript_html)
display.register_html(Plan, plan_html)
display.register_html(Narration, narration_html)
