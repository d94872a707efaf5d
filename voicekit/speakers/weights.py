"""The GE2E speaker encoder's weights: shipped with voicekit, converted once from resemblyzer's `pretrained.pt`.

`resemblyzer` (Apache-2.0, Resemble AI; its licence is `GE2E-LICENSE.txt` beside this file) ships its trained
encoder as a PyTorch checkpoint. Installing resemblyzer would pull torch (several GB), librosa and webrtcvad (which
no longer imports with setuptools 81 and newer), none of which voicekit needs, and installing it without its
dependencies leaves an environment that `pip check` rejects. So voicekit ships the encoder's 1.4 million weights
themselves, as float16 in `ge2e.npz` (2.6 MB; embeddings within a cosine of 0.99999 of float32), converted from the
checkpoint by this module without torch:

    python -m voicekit.speakers.weights path/to/resemblyzer/pretrained.pt voicekit/speakers/ge2e.npz

The checkpoint is in PyTorch's legacy (pre-zip) format: five pickles in a row (a magic number, the protocol
version, system information, the object tree, the list of storage keys), then each storage's raw little-endian
data, each preceded by its element count as an int64. The object tree names tensors as
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` calls; the reader answers those calls with
its own placeholders and refuses any other name, so reading the file runs no code but its own and needs no torch.
`VOICEKIT_SPEAKER_WEIGHTS` may name another checkpoint (.pt) or converted file (.npz) of the same network.
"""

from __future__ import annotations

import os
import pickle
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from voicekit.errors import MissingDependencyError

__all__ = ["BUNDLED", "convert", "encoder_weights", "read_legacy_checkpoint", "resemblyzer_checkpoint"]

BUNDLED = Path(__file__).resolve().parent / "ge2e.npz"
"""The encoder's weights as shipped with voicekit (float16)."""

_MAGIC = 0x1950A86A20F9469CFC6C
_PROTOCOL = 1001
_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
           "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
           "ByteStorage": np.uint8, "BoolStorage": np.bool_}


@dataclass(frozen=True)
class _StorageType:
    name: str


@dataclass
class _Storage:
    dtype: np.dtype[Any]
    data: npt.NDArray[Any] | None = None


@dataclass
class _LazyTensor:
    """A tensor named in the object tree, made real once its storage's bytes have been read."""

    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]
    value: npt.NDArray[Any] | None = field(default=None)

    def array(self) -> npt.NDArray[Any]:
        if self.storage.data is None:
            raise ValueError("the checkpoint names a storage whose data it does not hold")
        item = self.storage.data.itemsize
        flat = self.storage.data[self.offset:]
        view = np.lib.stride_tricks.as_strided(flat, self.size, tuple(s * item for s in self.stride))
        return np.array(view, copy=True)


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_: Any) -> _LazyTensor:
    return _LazyTensor(storage, int(offset), tuple(size), tuple(stride))


class _StateDict(dict[str, Any]):
    """Stands for `collections.OrderedDict`, which a checkpoint gives attributes (`_metadata`) to."""


class _Unpickler(pickle.Unpickler):
    """Resolves only the names a state dict uses; anything else in the file is refused, never imported."""

    def __init__(self, file: BinaryIO, storages: dict[str, _Storage]) -> None:
        super().__init__(file)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        if module == "collections" and name == "OrderedDict":
            return _StateDict
        raise pickle.UnpicklingError(f"the checkpoint names {module}.{name}, which a state dict does not need")

    def persistent_load(self, pid: Any) -> Any:
        kind, storage_type, key = pid[0], pid[1], str(pid[2])
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid[:2]!r}")
        if key not in self.storages:
            self.storages[key] = _Storage(np.dtype(_DTYPES[storage_type.name]).newbyteorder("<"))
        return self.storages[key]


def read_legacy_checkpoint(file: BinaryIO) -> dict[str, Any]:
    """The object tree of a legacy-format PyTorch checkpoint with every tensor as a numpy array (copied out of
    its storage with the tensor's own offset, shape and strides)."""
    if pickle.load(file) != _MAGIC or pickle.load(file) != _PROTOCOL:
        raise ValueError("not a legacy PyTorch checkpoint (wrong magic number or protocol)")
    info = pickle.load(file)
    if not info.get("little_endian", True):
        raise ValueError("big-endian checkpoints are not supported")
    storages: dict[str, _Storage] = {}
    tree = _Unpickler(file, storages).load()
    for key in pickle.load(file):
        storage = storages[str(key)]
        count = int(np.frombuffer(file.read(8), dtype="<i8")[0])
        raw = file.read(count * storage.dtype.itemsize)
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
    realized: dict[str, Any] = _realize(tree)
    return realized


def _realize(node: Any) -> Any:
    if isinstance(node, _LazyTensor):
        return node.array()
    if isinstance(node, dict):
        return {str(key): _realize(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(_realize(value) for value in node)
    return node


def resemblyzer_checkpoint() -> Path:
    """The path of `pretrained.pt` in an installed `resemblyzer` distribution (found from its metadata, without
    importing it, since it imports torch); for converting and for checking against resemblyzer."""
    try:
        located = metadata.distribution("resemblyzer").locate_file("resemblyzer/pretrained.pt")
    except metadata.PackageNotFoundError as exc:
        raise MissingDependencyError("resemblyzer is not installed; voicekit does not need it (its weights ship "
                                     "with voicekit), only converting them again does") from exc
    return Path(str(located))


def checkpoint_state(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """The encoder's tensors (`lstm.*`, `linear.*`) of a legacy checkpoint as float32 arrays."""
    with open(path, "rb") as raw:
        tree = read_legacy_checkpoint(raw)
    return {name: np.asarray(value, dtype=np.float32) for name, value in tree["model_state"].items()
            if name.startswith(("lstm.", "linear."))}


def convert(checkpoint: Path, target: Path) -> Path:
    """Write the encoder's tensors of `checkpoint` to `target` as a compressed float16 .npz."""
    state = checkpoint_state(checkpoint)
    arrays = {name: value.astype(np.float16) for name, value in state.items()}
    np.savez_compressed(target, **arrays)  # type: ignore[arg-type]
    return target


_CACHE: dict[Path, dict[str, npt.NDArray[np.float32]]] = {}


def encoder_weights(path: Path | None = None) -> dict[str, npt.NDArray[np.float32]]:
    """The encoder's state (`lstm.weight_ih_l0` ... `linear.bias`) as float32 arrays, read once a process: from
    `path`, else `VOICEKIT_SPEAKER_WEIGHTS`, else the weights shipped with voicekit. A .pt is read as a
    checkpoint, anything else as a converted .npz."""
    override = os.environ.get("VOICEKIT_SPEAKER_WEIGHTS")
    source = path or (Path(override) if override else BUNDLED)
    if not source.is_file():
        raise MissingDependencyError(f"the speaker model's weights are missing: {source} is not a file"
                                     + ("" if source != BUNDLED else " (reinstall voicekit)"))
    if source not in _CACHE:
        if source.suffix == ".pt":
            _CACHE[source] = checkpoint_state(source)
        else:
            with np.load(source) as stored:
                _CACHE[source] = {name: np.asarray(stored[name], dtype=np.float32) for name in stored.files}
    return _CACHE[source]


def main(argv: list[str]) -> int:
    """`python -m voicekit.speakers.weights CHECKPOINT TARGET`: convert resemblyzer's checkpoint."""
    if len(argv) != 3:
        sys.stderr.write("usage: python -m voicekit.speakers.weights CHECKPOINT.pt TARGET.npz\n")
        return 2
    convert(Path(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
