"""The notebook table and the plot with speakers."""

from __future__ import annotations

import re

import numpy as np

import voicekit
from voicekit import Audio, Segment, Transcript


def _transcript() -> Transcript:
    segments = [Segment(id=0, start=0.0, end=2.0, text=" Hello.", speaker="Maya"),
                Segment(id=1, start=2.5, end=4.0, text=" Hi.", speaker="Tom"),
                Segment(id=2, start=4.5, end=6.0, text=" So.", speaker="Maya")]
    return Transcript(text="Hello. Hi. So.", duration=8.0, segments=segments)


def test_the_table_has_a_speaker_column() -> None:
    html_text = _transcript()._repr_html_()
    header = re.findall(r"<th[^>]*>(.*?)</th>", html_text)
    assert header == ["#", "start", "end", "speaker", "text"]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html_text)
    assert cells[:5] == ["0", "0:00.00", "0:02.00", "Maya", "Hello."]
    assert "speaker" not in _transcript().model_copy(update={"segments": [
        s.model_copy(update={"speaker": None}) for s in _transcript().segments]})._repr_html_()


def test_the_plot_colours_the_timeline_by_speaker() -> None:
    audio = Audio(np.zeros(8 * 16000, dtype=np.float32), 16000)
    ax = voicekit.plot(_transcript(), audio, windows=False).axes[0]
    colours = [tuple(patch.get_facecolor()[:3]) for patch in ax.patches]
    assert colours[0] == colours[2] != colours[1]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["waveform", "Maya", "Tom"]
