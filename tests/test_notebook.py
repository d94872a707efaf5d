"""Notebook display and plots: the HTML and mimebundles of Audio, Transcript, Plan and Narration (their content),
`voicekit.plot`, pydub conversions, Audio.load/save, the meeting sample, and sync calls inside a running loop."""

from __future__ import annotations

import asyncio
import base64
import html
import io
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

import voicekit
from voicekit import Audio, Segment, Transcript, notebook
from voicekit.audio.segment import SegmentOptions, segment_windows
from voicekit.audio.wav import parse_wav
from voicekit.errors import InputError, MissingDependencyError

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DATA_URI = re.compile(r'src="data:audio/(wav|mpeg);base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GROQ_API_KEY", raising=False)


def tone_bursts(seconds: float, rate: int = 16000, burst: float = 4.0, gap: float = 1.0) -> Audio:
    """Bursts of a 220 Hz tone separated by silences: clear quiet points for the window cutter."""
    t = np.arange(int(seconds * rate)) / rate
    on = (t % (burst + gap)) < burst
    return Audio((0.5 * np.sin(2 * np.pi * 220 * t) * on).astype(np.float32), rate)


def embedded(html_text: str) -> Audio:
    """The one player's audio embedded in `html_text` (MP3, or WAV where MP3 cannot be written), decoded."""
    found = DATA_URI.findall(html_text)
    assert len(found) == 1
    kind, data = found[0]
    if kind == "wav":
        return parse_wav(base64.b64decode(data))
    samples, rate = sf.read(io.BytesIO(base64.b64decode(data)), dtype="float32")
    return Audio(samples, rate)


def similar(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Correlation of two signals of the same length (MP3 keeps speech-like audio above 0.99)."""
    assert a.shape == b.shape
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def table_rows(html_text: str) -> list[list[str]]:
    """The body rows of the (last) table, as cell texts (still escaped)."""
    table = html_text.rsplit("<table", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows[1:]]


# ------------------------------------------------------------------------------------------------ Audio


def test_short_audio_is_embedded_whole_with_its_facts() -> None:
    audio = tone_bursts(2.5, rate=22050)
    html_text = audio._repr_html_()
    assert "0:02.50 · 22050 Hz · mono" in html_text
    assert "data:audio/mpeg;base64," in html_text
    back = embedded(html_text)
    assert back.sample_rate == 22050 and back.frames == audio.frames
    assert similar(back.samples, audio.samples) > 0.99
    assert "Preview" not in html_text
    assert len(html_text) < audio.frames * 2 / 4  # a quarter of the 16-bit samples


def test_wav_embedding_is_exact_and_odd_rates_fall_back_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    audio = tone_bursts(1.5, rate=22050)
    odd = tone_bursts(1.0, rate=7000)
    assert "data:audio/wav;base64," in odd._repr_html_()
    assert np.abs(embedded(odd._repr_html_()).samples - odd.samples).max() <= 1 / 32768 + 1e-7
    monkeypatch.setattr(notebook, "EMBED_FORMAT", "wav")
    back = embedded(audio._repr_html_())
    assert back.sample_rate == 22050
    assert np.abs(back.samples - audio.samples).max() <= 1 / 32768 + 1e-7


def test_long_audio_embeds_a_small_preview_with_a_note_and_a_link(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tone_bursts(600.0, rate=24000).save(tmp_path / "long.flac")
    audio = Audio.load(path)
    assert audio.meta["path"] == str(path) and audio.sample_rate == 24000
    html_text = audio._repr_html_()
    assert "10:00.00 · 24000 Hz" in html_text
    assert "only the first 0:30.00 of 10:00.00 is embedded" in html_text
    assert 'href="long.flac"' in html_text
    preview = embedded(html_text)
    assert preview.sample_rate == notebook.PREVIEW_RATE and preview.duration == pytest.approx(30.0)
    assert similar(preview.samples, Audio.load(path, sample_rate=16000).samples[:30 * 16000]) > 0.99
    assert len(html_text) < 300_000 < audio.frames * 2 / 50  # under a fiftieth of the whole as 16-bit samples


def test_audio_mimebundle_holds_the_player_and_the_repr() -> None:
    audio = tone_bursts(1.0)
    bundle = audio._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == "Audio(duration=1.000s, sample_rate=16000, channels=1)"
    assert embedded(bundle["text/html"]).frames == 16000


def test_file_player_reads_only_the_preview_of_a_long_file(tmp_path: Path) -> None:
    path = tone_bursts(400.0, rate=16000).save(tmp_path / "long.wav")
    html_text = notebook.file_audio_html(path)
    assert "6:40.00 · 16000 Hz · mono" in html_text and "Preview" in html_text
    assert embedded(html_text).duration == pytest.approx(notebook.PREVIEW_SECONDS)
    assert "does not exist" in notebook.file_audio_html(tmp_path / "gone.wav")


def test_format_time() -> None:
    assert notebook.format_time(0) == "0:00.00"
    assert notebook.format_time(61.239) == "1:01.24"
    assert notebook.format_time(3 * 3600 + 5.5) == "3:00:05.50"


# ------------------------------------------------------------------------------------------------ Transcript


def small_transcript() -> Transcript:
    segments = [Segment(id=0, start=0.0, end=1.5, text=" Hello <script>alert('x')</script> there."),
                Segment(id=1, start=1.5, end=3.25, text=" Fish & chips cost 5 < 6."),
                Segment(id=2, start=62.0, end=64.0, text=" A minute later.")]
    return Transcript(text="".join(s.text for s in segments), language="en", duration=64.0, segments=segments)


def test_transcript_table_has_one_escaped_row_per_segment() -> None:
    transcript = small_transcript()
    html_text = transcript._repr_html_()
    rows = table_rows(html_text)
    assert len(rows) == len(transcript.segments)
    assert rows[0][:3] == ["0", "0:00.00", "0:01.50"]
    assert rows[2][1:3] == ["1:02.00", "1:04.00"]
    assert "<script>" not in html_text
    assert rows[0][3] == "Hello &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; there."
    assert rows[1][3] == "Fish &amp; chips cost 5 &lt; 6."
    assert "3 segments · 1:04.00 · language en" in html_text
    assert "<audio" not in html_text


def test_transcript_shows_its_audio_when_the_source_is_known(tmp_path: Path) -> None:
    path = tone_bursts(4.0).save(tmp_path / "clip.wav")
    transcript = small_transcript().model_copy(update={"source": str(path)})
    assert embedded(transcript._repr_html_()).duration == pytest.approx(4.0)
    assert Transcript.from_json(transcript.to_json()) == transcript
    assert embedded(notebook.transcript_html(small_transcript(), tone_bursts(2.0))).duration == pytest.approx(2.0)


def test_long_transcript_table_is_cut_and_says_so() -> None:
    segments = [Segment(id=i, start=i, end=i + 1, text=f" segment {i}") for i in range(250)]
    html_text = Transcript(text="x", segments=segments)._repr_html_()
    rows = table_rows(html_text)
    assert len(rows) == notebook.MAX_ROWS + 1
    assert "50 more segments not shown" in rows[-1][0]


def test_transcript_mimebundle_and_text_only_transcript() -> None:
    transcript = Transcript(text="Just text <b>.", duration=3.0)
    bundle = transcript._repr_mimebundle_()
    assert bundle["text/plain"] == transcript.to_text() == "Just text <b>.\n"
    assert table_rows(bundle["text/html"]) == [["0", "0:00.00", "0:03.00", "Just text &lt;b&gt;."]]


def test_to_dataframe_has_a_row_per_segment() -> None:
    pytest.importorskip("pandas")
    frame = small_transcript().to_dataframe()
    assert list(frame["start"]) == [0.0, 1.5, 62.0]
    assert frame["text"][1] == "Fish & chips cost 5 < 6."
    assert list(frame.columns[:3]) == ["start", "end", "text"]


# ------------------------------------------------------------------------------------------------ Plan, Narration


def test_plan_table_lists_every_chunk_with_requests_and_cost() -> None:
    text = "The meeting starts at 10 a.m. on Monday. " * 12 + "\n\nA <b>second</b> paragraph & more."
    plan = voicekit.plan_narration(text, engine="local", max_chars=120)
    html_text = plan._repr_html_()
    rows = table_rows(html_text)
    assert len(rows) == len(plan.chunks) == plan.requests > 2
    assert [int(r[1]) for r in rows] == [c.chars for c in plan.chunks]
    assert f"{plan.requests} requests · {plan.characters:,} characters · cost $0.0000" in html_text
    assert "engine piper · model piper · voice joe" in html_text
    assert rows[-1][2] == html.escape(plan.chunks[-1].text) == "A &lt;b&gt;second&lt;/b&gt; paragraph &amp; more."
    assert "<b>second" not in html_text


def test_plan_table_shows_a_groq_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_notebook_test")
    plan = voicekit.plan_narration("Hello there.\n" * 40, engine="groq")
    assert plan.cost_usd > 0
    assert f"cost ${plan.cost_usd:.4f}" in plan._repr_html_()


@pytest.mark.slow
def test_narration_displays_its_file_and_plots_its_chunks(tmp_path: Path) -> None:
    text = "The first paragraph is short.\n\nThe second one follows it. It has two sentences."
    narration = voicekit.narrate(text, tmp_path / "n.wav", captions=tmp_path / "n.json", engine="local",
                                 progress=False)
    html_text = narration._repr_html_()
    assert f"{narration.chunks} chunks · {narration.requests} requests · 0 cached" in html_text
    assert embedded(html_text).frames == sf.info(str(narration.path)).frames
    assert narration.audio().duration == pytest.approx(narration.duration, abs=1e-3)
    captions = Transcript.load(tmp_path / "n.json")
    figure = voicekit.plot(narration)
    ax = figure.axes[0]
    assert len(ax.patches) == len(captions.segments) >= 2
    assert f"{len(captions.segments)} chunks" in ax.get_title()


# ------------------------------------------------------------------------------------------------ plot


def test_plot_marks_the_windows_transcribe_would_send() -> None:
    audio = tone_bursts(95.0)
    windows = list(segment_windows([audio.samples], 16000, SegmentOptions()))
    figure = voicekit.plot(audio)
    ax = figure.axes[0]
    assert len(windows) >= 3
    assert ax.get_title() == f"audio: 1:35.00, {len(windows)} windows"
    cuts = [line.get_xdata()[0] for line in ax.get_lines()]
    assert cuts == pytest.approx([w.start for w in windows[1:]], abs=1e-6)
    assert ax.get_xlim() == pytest.approx((0.0, 95.0))


def test_plot_marks_transcript_segments_over_its_audio(tmp_path: Path) -> None:
    audio = tone_bursts(20.0)
    transcript = Transcript(text="a b", duration=20.0, segments=[Segment(start=0, end=4, text=" a"),
                                                                 Segment(start=5, end=9, text=" b")])
    ax = voicekit.plot(transcript, audio, windows=False).axes[0]
    assert [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches] == [(0.0, 4.0), (5.0, 9.0)]
    assert ax.get_title() == "transcript segments: 0:20.00, 2 segments"
    path = audio.save(tmp_path / "a.flac")
    from_source = voicekit.plot(transcript.model_copy(update={"source": str(path)})).axes[0]
    assert len(from_source.patches) == 2
    with pytest.raises(InputError, match="needs its audio"):
        voicekit.plot(transcript)
    with pytest.raises(InputError, match="plot takes"):
        voicekit.plot(42)  # type: ignore[arg-type]


def test_plot_into_given_axes_and_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as pyplot

    figure, ax = pyplot.subplots()
    try:
        assert voicekit.plot(tone_bursts(3.0), ax=ax) is figure
    finally:
        pyplot.close(figure)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "voicekit\[notebook\]"'):
        voicekit.plot(tone_bursts(3.0))


# ------------------------------------------------------------------------------------------------ conversions


def test_pydub_round_trip_keeps_every_sample() -> None:
    rng = np.random.default_rng(1)
    stereo = Audio(rng.uniform(-0.9, 0.9, (8000, 2)).astype(np.float32), 8000)
    segment = stereo.to_pydub()
    assert (segment.channels, segment.frame_rate, segment.sample_width) == (2, 8000, 2)
    assert len(segment) == 1000  # milliseconds
    back = Audio.from_pydub(segment)
    assert back.samples.shape == (8000, 2)
    assert np.abs(back.samples - stereo.samples).max() <= 1 / 32768 + 1e-7


def test_pydub_edits_come_back() -> None:
    audio = tone_bursts(2.0)
    louder = Audio.from_pydub(audio.to_pydub()[:500] + 6)  # the first half second, 6 dB louder
    assert louder.frames == 8000
    ratio = np.abs(louder.samples).max() / np.abs(audio.samples[:8000]).max()
    assert ratio == pytest.approx(10 ** (6 / 20), rel=0.01)
    wide = Audio.from_pydub(audio.to_pydub().set_sample_width(4))
    assert np.abs(wide.samples - audio.samples).max() < 1e-4


def test_save_and_load_in_each_format(tmp_path: Path) -> None:
    audio = tone_bursts(70.0, rate=22050)
    for name in ("a.wav", "a.flac", "a.ogg"):
        back = Audio.load(audio.save(tmp_path / name))
        assert back.sample_rate == 22050 and back.frames == audio.frames
    assert np.abs(Audio.load(tmp_path / "a.flac").samples - audio.samples).max() <= 1 / 32768 + 1e-7
    assert Audio.load(tmp_path / "a.wav", sample_rate=16000).frames == 70 * 16000


# ------------------------------------------------------------------------------------------------ samples


def test_meeting_sample_is_small_and_matches_its_script() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 5e6
    info = sf.info(str(SAMPLES / "meeting.ogg"))
    assert (info.samplerate, info.channels) == (16000, 1) and 120 < info.duration < 300
    speakers = [line.split(":", 1)[0] for line in (SAMPLES / "meeting.txt").read_text().splitlines() if line]
    assert set(speakers) == {"Maya", "Tom"} and len(speakers) > 20


# ------------------------------------------------------------------------------------------------ event loops


@pytest.mark.slow
def test_sync_and_async_calls_inside_a_running_loop() -> None:
    async def in_notebook() -> tuple[Audio, Transcript, Transcript]:
        assert asyncio.get_running_loop().is_running()
        audio = voicekit.speak("Good morning. The meeting starts now.", engine="local")
        synced = voicekit.transcribe(audio, engine="local", language="en", progress=False)
        awaited = await voicekit.atranscribe(audio, engine="local", language="en", progress=False)
        return audio, synced, awaited

    audio, synced, awaited = asyncio.run(in_notebook())
    assert audio.duration > 1.0
    words = re.sub(r"[^a-z ]", "", synced.text.lower()).split()
    assert words == ["good", "morning", "the", "meeting", "starts", "now"]
    assert awaited.text == synced.text


# ------------------------------------------------------------------------------------------------ IPython


def test_ipython_shows_each_result_as_html() -> None:
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    plan = voicekit.plan_narration("One sentence.\nAnother one.", engine="local")
    for item, marker in [(tone_bursts(1.0), "<audio"), (small_transcript(), "<table"), (plan, "<b>Plan</b>")]:
        data, _ = formatter.format(item)
        assert marker in data["text/html"]
        assert data["text/plain"]
