"""Counter-based randomness: every draw is a pure function of (seed, stream, index).

A chunk of patients or a month can therefore be generated on its own, in any order,
and the output stays byte-identical for one seed: no generator state is carried
between chunks.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: U64) -> U64:
    # splitmix64 finaliser: a bijective avalanche on 64 bits.
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        out: U64 = x ^ (x >> np.uint64(31))
        return out


def stream_key(seed: int, *parts: int) -> np.uint64:
    """A 64-bit key for one named stream of draws (e.g. seed, month, purpose)."""
    key = np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    for part in parts:
        with np.errstate(over="ignore"):
            key = _mix(key ^ (np.uint64(part & 0xFFFFFFFFFFFFFFFF) + _GOLD))
    return np.uint64(key[0])


def hash64(key: np.uint64, index: npt.ArrayLike) -> U64:
    """One 64-bit hash per index."""
    idx = np.asarray(index).astype(np.uint64)
    with np.errstate(over="ignore"):
        return _mix(idx * _GOLD + key)


def uniform(key: np.uint64, index: npt.ArrayLike) -> F64:
    """Uniform floats in [0, 1), one per index."""
    return (hash64(key, index) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def integers(key: np.uint64, index: npt.ArrayLike, low: npt.ArrayLike, high: npt.ArrayLike) -> I64:
    """Integers in [low, high) (bounds broadcast), one per index."""
    lo = np.asarray(low, dtype=np.int64)
    span = np.asarray(high, dtype=np.int64) - lo
    return lo + np.floor(uniform(key, index) * span).astype(np.int64)


def choice(key: np.uint64, index: npt.ArrayLike, weights: npt.ArrayLike) -> I64:
    """Indices into `weights` drawn with those (unnormalised) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    u = uniform(key, index) * cum[-1]
    out: I64 = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1).astype(np.int64)
    return out
