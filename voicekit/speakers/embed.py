"""Speaker embeddings with the GE2E encoder, in numpy: 40-channel mel frames -> 3-layer LSTM -> linear -> ReLU -> L2.

This is the network of `resemblyzer.VoiceEncoder` (the weights are read by `voicekit.speakers.weights`), computed
without torch. The front end is the one the encoder was trained on: a power (not log) mel spectrogram of 16 kHz
audio, 25 ms Hann windows every 10 ms, 40 Slaney-normalised mel bands, frames centred on their hop (the signal
padded with zeros at both ends), as `librosa.feature.melspectrogram` computes it. An embedding is the LSTM's last
hidden state of the last layer after the linear layer, ReLU and L2 normalisation, so embeddings have unit length
and their dot product is their cosine similarity.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from voicekit.speakers.weights import encoder_weights

__all__ = ["HOP", "N_FFT", "N_MELS", "RATE", "SpeakerEncoder", "mel_filters", "mel_frames", "padded_mel_frames"]

RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 40
LAYERS = 3

FloatArray = npt.NDArray[np.float32]


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (librosa's default, htk=False)."""
    f_sp = 200.0 / 3
    mels = hz / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    above = hz >= min_log_hz
    mels[above] = min_log_mel + np.log(hz[above] / min_log_hz) / logstep
    return mels


def _mel_to_hz(mels: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    above = mels >= min_log_mel
    freqs[above] = min_log_hz * np.exp(logstep * (mels[above] - min_log_mel))
    return freqs


@lru_cache(maxsize=1)
def mel_filters() -> FloatArray:
    """The (40, 201) triangular mel filter bank, each filter scaled to unit area (Slaney norm)."""
    fft_freqs = np.linspace(0, RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array([0.0]))[0], _hz_to_mel(np.array([RATE / 2.0]))[0],
                                   N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_frames(samples: FloatArray, block: int = 4096) -> FloatArray:
    """The power mel spectrogram of 16 kHz mono `samples`, shape (1 + len // 160, 40), computed `block` frames at
    a time so that memory stays small for long recordings."""
    padded = np.pad(np.asarray(samples, dtype=np.float32), N_FFT // 2)
    return padded_mel_frames(padded, 1 + (len(padded) - N_FFT) // HOP, block)


def padded_mel_frames(padded: FloatArray, count: int, block: int = 4096) -> FloatArray:
    """`count` mel frames of a signal already padded for centring: frame k is of `padded[k*160 : k*160+400]`."""
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann
    filters = mel_filters().T
    out = np.empty((count, N_MELS), dtype=np.float32)
    for begin in range(0, count, block):
        stop = min(begin + block, count)
        piece = padded[begin * HOP:(stop - 1) * HOP + N_FFT]
        frames = np.lib.stride_tricks.as_strided(piece, (stop - begin, N_FFT), (piece.strides[0] * HOP,
                                                                              piece.strides[0]))
        spectrum = np.fft.rfft(frames * window, axis=1)
        power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
        out[begin:stop] = power @ filters
    return out


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float32)


class SpeakerEncoder:
    """The GE2E encoder on numpy arrays. `embed(mels)` takes a batch (batch, frames, 40) and gives (batch, 256)."""

    def __init__(self, weights: dict[str, FloatArray] | None = None) -> None:
        state = weights if weights is not None else encoder_weights()
        self.layers = [(state[f"lstm.weight_ih_l{k}"].T.copy(), state[f"lstm.weight_hh_l{k}"].T.copy(),
                        state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"]) for k in range(LAYERS)]
        self.linear = (state["linear.weight"].T.copy(), state["linear.bias"])

    def embed(self, mels: FloatArray) -> FloatArray:
        """Unit-length embeddings of a batch of mel spectrograms (all of the same number of frames). BLAS runs on
        one thread: the recurrent products are small, and threads that wait for a busy core cost far more (15x
        slower on this project's shared 2-core machine) than they give."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return self._embed(mels)

    def _embed(self, mels: FloatArray) -> FloatArray:
        sequence = np.asarray(mels, dtype=np.float32)
        last = sequence[:, -1]
        for w_ih, w_hh, bias in self.layers:
            sequence = self._layer(sequence, w_ih, w_hh, bias)
            last = sequence[:, -1]
        raw = np.maximum(last @ self.linear[0] + self.linear[1], 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return np.asarray(raw / np.maximum(norms, 1e-12), dtype=np.float32)

    @staticmethod
    def _layer(inputs: FloatArray, w_ih: FloatArray, w_hh: FloatArray, bias: FloatArray) -> FloatArray:
        """One LSTM layer over the whole sequence (PyTorch's gate order: input, forget, cell, output)."""
        batch, steps, _ = inputs.shape
        hidden_size = w_hh.shape[0]
        projected = (inputs.reshape(batch * steps, -1) @ w_ih + bias).reshape(batch, steps, -1)
        h = np.zeros((batch, hidden_size), dtype=np.float32)
        c = np.zeros((batch, hidden_size), dtype=np.float32)
        out = np.empty((batch, steps, hidden_size), dtype=np.float32)
        for t in range(steps):
            gates = projected[:, t] + h @ w_hh
            i = _sigmoid(gates[:, :hidden_size])
            f = _sigmoid(gates[:, hidden_size:2 * hidden_size])
            g = np.tanh(gates[:, 2 * hidden_size:3 * hidden_size])
            o = _sigmoid(gates[:, 3 * hidden_size:])
            c = f * c + i * g
            h = o * np.tanh(c)
            out[:, t] = h
        return out
