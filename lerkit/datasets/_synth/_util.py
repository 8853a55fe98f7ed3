"""Small vectorized helpers: ids from the seeded generator, dates, choices, logistic."""

from __future__ import annotations

from datetime import date

import numpy as np

__all__ = [
    "choose_rows",
    "day_number",
    "days_to_dates",
    "id_key",
    "logistic",
    "masked",
    "permuted_ids",
    "popcount",
    "uuid_urns",
]

_EPOCH = np.datetime64("1970-01-01", "D")


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return int((np.datetime64(day, "D") - _EPOCH).astype(np.int64))


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """datetime64[D] from days since 1970-01-01."""
    return days.astype("datetime64[D]")


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function, elementwise."""
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
    return result


def masked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """An object array: ``values`` where ``mask``, None elsewhere."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = np.asarray(values, dtype=object)[mask]
    return out


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each unsigned integer."""
    counted: np.ndarray = np.bitwise_count(values).astype(np.int64)
    return counted


def uuid_urns(rng: np.random.Generator, count: int) -> list[str]:
    """``urn:uuid:`` version-4 UUIDs made of the generator's bytes (no clock, no OS entropy)."""
    if count == 0:
        return []
    raw = np.frombuffer(rng.bytes(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex()
    return [
        f"urn:uuid:{text[i : i + 8]}-{text[i + 8 : i + 12]}-{text[i + 12 : i + 16]}-"
        f"{text[i + 16 : i + 20]}-{text[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def choose_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row of ``weights`` (m x k, non-negative, rows not all zero)."""
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(weights.shape[0]) * cumulative[:, -1]
    index = (cumulative <= draw[:, None]).sum(axis=1)
    chosen: np.ndarray = np.minimum(index, weights.shape[1] - 1)
    return chosen


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (uint32 arithmetic wraps around)."""
    h = values.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def permuted_ids(prefix: str, start: int, count: int, key: np.ndarray) -> list[str]:
    """Unique, random-looking ids: ``prefix`` + 16 hex digits of a keyed permutation.

    The ``start``-th to ``start + count - 1``-th numbers go through a 4-round Feistel
    network on 64 bits, a bijection: distinct numbers give distinct ids, so keys stay
    unique across chunks without remembering the ids already given.

    >>> key = np.array([1, 2, 3, 4], dtype=np.uint32)
    >>> permuted_ids("id-", 0, 2, key) == permuted_ids("id-", 0, 2, key)
    True
    >>> len(set(permuted_ids("id-", 0, 50_000, key)))
    50000
    """
    if count == 0:
        return []
    numbers = np.arange(start, start + count, dtype=np.uint64)
    left = (numbers >> np.uint64(32)).astype(np.uint32)
    right = (numbers & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    for round_key in np.asarray(key, dtype=np.uint32):
        left, right = right, left ^ _fmix32(right ^ round_key)
    mixed = (left.astype(np.uint64) << np.uint64(32)) | right.astype(np.uint64)
    return [f"{prefix}{int(value):016x}" for value in mixed]


def id_key(seed: int, stream: int) -> np.ndarray:
    """Four 32-bit round keys for :func:`permuted_ids`, from the seed and a stream number."""
    keys: np.ndarray = np.random.SeedSequence([seed, 3, stream]).generate_state(4, dtype=np.uint32)
    return keys
