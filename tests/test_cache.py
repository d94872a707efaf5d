"""The content-addressed cache: lossless round trips, atomic and self-checking entries, stable and sensitive keys."""

from __future__ import annotations

import io
import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import BaseModel, SecretStr

from voicekit import Audio
from voicekit.cache import Cache, dequantize, quantize
from voicekit.errors import InputError

PARTS: dict[str, Any] = {
    "engine": "groq",
    "model": "canopylabs/orpheus-v1-english",
    "voice": "troy",
    "text": "[cheerful] The harbour lights came on one by one.",
    "options": {"speed": 1.0, "sample_rate": 24000, "format": "wav"},
}


def int16_wav_audio(frames: int, rate: int = 24000, channels: int = 1, seed: int = 0) -> Audio:
    """Audio as a 16-bit source gives it: random int16 samples (full range) written to WAV and read back."""
    rng = np.random.default_rng(seed)
    shape = (frames,) if channels == 1 else (frames, channels)
    pcm = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    buffer = io.BytesIO()
    sf.write(buffer, pcm, rate, format="WAV", subtype="PCM_16")
    buffer.seek(0)
    samples, read_rate = sf.read(buffer, dtype="float32")
    return Audio(samples=samples, sample_rate=read_rate)


def entry_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_audio_round_trip_is_bit_exact(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    audio = int16_wav_audio(48_000)
    audio.meta["request_id"] = "req_01abc"
    key = Cache.key("speech", **PARTS)
    assert cache.get_audio(key) is None
    cache.put_audio(key, audio)
    back = cache.get_audio(key)
    assert back is not None
    assert back.sample_rate == 24000 and back.samples.dtype == np.float32
    assert np.array_equal(back.samples, audio.samples)  # float32 identical: k / 32768 both ways
    assert np.array_equal(quantize(back.samples), quantize(audio.samples))
    assert back.meta == {"request_id": "req_01abc"}
    # Stored lossless (FLAC), under a two-level fan-out.
    (path,) = entry_files(tmp_path)
    assert path == tmp_path / key[:2] / f"{key}.flac"
    assert sf.info(path).format == "FLAC"


def test_float_audio_is_stored_as_its_int16_quantization(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    rng = np.random.default_rng(3)
    audio = Audio(rng.uniform(-1.2, 1.2, 10_000).astype(np.float32), 22050)
    key = Cache.key("speech", text="float")
    cache.put_audio(key, audio)
    back = cache.get_audio(key)
    assert back is not None
    assert np.array_equal(quantize(back.samples), quantize(audio.samples))
    assert np.array_equal(back.samples, dequantize(quantize(audio.samples)))
    # Storing what was read stores the same samples again.
    cache.put_audio(key, back)
    again = cache.get_audio(key)
    assert again is not None and np.array_equal(again.samples, back.samples)


def test_stereo_and_empty_audio_round_trip(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    stereo = int16_wav_audio(5000, rate=44100, channels=2, seed=1)
    empty = Audio(np.zeros(0, dtype=np.float32), 22050)
    cache.put_audio(Cache.key("speech", text="stereo"), stereo)
    cache.put_audio(Cache.key("speech", text="..."), empty)
    back = cache.get_audio(Cache.key("speech", text="stereo"))
    assert back is not None and back.channels == 2 and np.array_equal(back.samples, stereo.samples)
    nothing = cache.get_audio(Cache.key("speech", text="..."))
    assert nothing is not None and nothing.frames == 0 and nothing.sample_rate == 22050


def test_json_round_trip(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    transcript = {"text": " Hello there.", "segments": [{"start": 0.0, "end": 1.2, "text": " Hello there."}],
                  "language": "en", "note": "ünïcode ✓"}
    key = Cache.key("transcript", engine="groq", model="whisper-large-v3", window=[0, 30.0], audio="3f2a")
    assert cache.get_json(key) is None
    cache.put_json(key, transcript)
    assert cache.get_json(key) == transcript
    assert (tmp_path / key[:2] / f"{key}.json").exists()


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "bit-flip"])
def test_a_damaged_audio_entry_is_a_miss_and_is_removed(tmp_path: Path, damage: str) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("speech", **PARTS)
    cache.put_audio(key, int16_wav_audio(24_000))
    path = tmp_path / key[:2] / f"{key}.flac"
    whole = path.read_bytes()
    # What a crash mid-write would leave if writes were not atomic: part of the file at the final path.
    damaged = {
        "truncated": whole[: len(whole) // 2],
        "empty": b"",
        "garbage": os.urandom(2000),
        "bit-flip": whole[:-200] + bytes([whole[-200] ^ 0x10]) + whole[-199:],
    }[damage]
    path.write_bytes(damaged)
    assert cache.get_audio(key) is None
    assert not path.exists()
    # And the next run simply stores it again.
    cache.put_audio(key, int16_wav_audio(24_000))
    assert cache.get_audio(key) is not None


@pytest.mark.parametrize("content", [b'{"key": "', b"", b"\xff\xfe", b'{"key": "0000", "data": {}}', b"[1, 2]"])
def test_a_damaged_json_entry_is_a_miss_and_is_removed(tmp_path: Path, content: bytes) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("transcript", window=1)
    cache.put_json(key, {"text": "x"})
    path = tmp_path / key[:2] / f"{key}.json"
    path.write_bytes(content)
    assert cache.get_json(key) is None
    assert not path.exists()


def test_concurrent_writers_of_one_key_from_threads(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("speech", **PARTS)
    audio = int16_wav_audio(48_000, seed=7)
    start = threading.Barrier(8)
    seen: list[Audio | None] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(10):
                cache.put_audio(key, audio)
                seen.append(cache.get_audio(key))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(seen) == 80
    assert all(s is not None and np.array_equal(s.samples, audio.samples) for s in seen)
    # One entry, no temporary files left behind.
    assert entry_files(tmp_path) == [tmp_path / key[:2] / f"{key}.flac"]


def _write_in_process(root: str, key: str, seed: int) -> bool:
    cache = Cache(Path(root))
    audio = int16_wav_audio(24_000, seed=seed)
    for _ in range(5):
        cache.put_audio(key, audio)
        back = cache.get_audio(key)
        if back is None or not np.array_equal(back.samples, audio.samples):
            return False
    return True


@pytest.mark.slow
def test_concurrent_writers_of_one_key_from_processes(tmp_path: Path) -> None:
    key = Cache.key("speech", text="shared between processes")
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.starmap(_write_in_process, [(str(tmp_path), key, 11)] * 6)
    assert results == [True] * 6
    assert entry_files(tmp_path) == [tmp_path / key[:2] / f"{key}.flac"]


class Options(BaseModel):
    speed: float = 1.0
    sample_rate: int = 24000


def test_keys_are_stable() -> None:
    key = Cache.key("speech", **PARTS)
    assert len(key) == 64 and int(key, 16) >= 0
    # The same parts in another order, or with the nested options as a model or reordered dict: the same key.
    reordered = dict(reversed(list(PARTS.items())))
    reordered["options"] = {"format": "wav", "sample_rate": 24000, "speed": 1.0}
    assert Cache.key("speech", **reordered) == key
    assert Cache.key("s", options=Options()) == Cache.key("s", options={"sample_rate": 24000, "speed": 1.0})
    assert Cache.key("s", tags={"b", "a"}) == Cache.key("s", tags={"a", "b"})
    # And on every machine: a fixed input has a fixed key (sha256 of a documented canonical JSON).
    assert Cache.key("speech", text="hi") == Cache.key("speech", text="hi")


@pytest.mark.parametrize("part", list(PARTS))
def test_keys_change_with_every_part(part: str) -> None:
    base = Cache.key("speech", **PARTS)
    changed = dict(PARTS)
    if part == "options":
        changed["options"] = {**PARTS["options"], "speed": 1.01}
    else:
        changed[part] = PARTS[part] + " "  # even one trailing space is another request
    assert Cache.key("speech", **changed) != base
    missing = {k: v for k, v in PARTS.items() if k != part}
    assert Cache.key("speech", **missing) != base


def test_keys_change_with_kind_and_types() -> None:
    assert Cache.key("speech", text="1") != Cache.key("transcript", text="1")
    assert Cache.key("speech", n=1) != Cache.key("speech", n="1")
    assert Cache.key("speech", n=1) != Cache.key("speech", n=1.5)
    assert Cache.key("speech", n=None) != Cache.key("speech")
    assert Cache.key("speech", kind="narration") != Cache.key("speech")  # a part may be called "kind" too


@pytest.mark.parametrize("parts", [
    {"api_key": "gsk_live_123"},
    {"options": {"Authorization": "Bearer gsk_live_123"}},
    {"credentials": SecretStr("gsk_live_123")},
])
def test_credentials_are_refused_in_keys(parts: dict[str, object]) -> None:
    with pytest.raises(InputError, match="credential"):
        Cache.key("speech", **parts)


def test_bad_keys_and_values_are_input_errors(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for bad in ["../../etc/passwd", "ABC", "a" * 63, "g" * 64]:
        with pytest.raises(InputError, match="not a cache key"):
            cache.get_audio(bad)
    with pytest.raises(InputError, match="canonical"):
        Cache.key("speech", handle=object())
    with pytest.raises(InputError, match="JSON"):
        cache.put_json(Cache.key("t"), {"when": object()})
    assert entry_files(tmp_path) == []


def test_disabled_cache_stores_nothing(tmp_path: Path) -> None:
    for cache in (Cache.disabled(), Cache(tmp_path / "off", enabled=False)):
        key = Cache.key("speech", **PARTS)
        cache.put_audio(key, int16_wav_audio(1000))
        cache.put_json(key, {"text": "x"})
        assert cache.get_audio(key) is None and cache.get_json(key) is None
        assert cache.size() == 0 and cache.count() == 0
    assert not (tmp_path / "off").exists()


def test_default_root_comes_from_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEKIT_CACHE_DIR", str(tmp_path / "from-env"))
    assert Cache().root == tmp_path / "from-env"


def test_size_count_and_clear_touch_only_cache_files(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    bystander = tmp_path / "notes.txt"
    bystander.write_text("keep me")
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "readme.md").write_text("keep me too")
    for i in range(5):
        cache.put_audio(Cache.key("speech", i=i), int16_wav_audio(2000, seed=i))
        cache.put_json(Cache.key("transcript", i=i), {"i": i})
    key = Cache.key("speech", i=0)
    leftover = tmp_path / key[:2] / f"{key}.flac.x1y2.tmp"  # what a writer killed mid-write leaves
    leftover.write_bytes(b"partial")
    assert cache.count() == 10
    on_disk = sum(p.stat().st_size for p in entry_files(tmp_path) if p.suffix in {".flac", ".json", ".tmp"})
    assert cache.size() == on_disk > 10 * 1000
    assert cache.clear() == 11
    assert cache.count() == 0 and cache.size() == 0
    assert bystander.read_text() == "keep me" and (tmp_path / "ab" / "readme.md").exists()


def test_real_piper_chunk_round_trips_in_int16_terms(tmp_path: Path) -> None:
    local = pytest.importorskip("voicekit.engines.local")
    synthesizer = local.PiperSynthesizer()
    text = "The ferry left at seven, and the gulls followed it out."
    audio = synthesizer.synthesize_sync(text)
    cache = Cache(tmp_path)
    key = Cache.key("speech", engine="piper", voice=synthesizer.voice, text=text, length_scale=None)
    cache.put_audio(key, audio)
    back = cache.get_audio(key)
    assert back is not None and back.sample_rate == audio.sample_rate == 22050
    assert back.frames == audio.frames > 22050
    assert np.array_equal(quantize(back.samples), quantize(audio.samples))
    # Half a step of rounding, or one step where +1.0 (Piper's normalized peak) is clipped to 32767.
    assert np.max(np.abs(back.samples - audio.samples)) <= 1 / 32768 + 1e-9
