"""Robust peer outliers (同级同类离群): median ± k × 1.4826 × MAD over the peers.

Peers are units of the same analysis level at institutions of the same level (3/2/1/0)
and category; departments are compared with departments of the same name. Only units
with at least `min_cases` cases take part, as the judged unit and as peers, since small
denominators would make the band meaningless. A group needs `min_peers` units (the unit
included). A unit fails only on the adverse side: above the band for an indicator where
lower is better, below it where higher is better. A zero MAD (most peers identical)
flags nothing: the robust spread is undefined there.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sanjianguan.indicators.model import Direction

MAD_TO_SD = Decimal("1.4826")  # MAD × 1.4826 estimates the SD of a normal distribution
T = TypeVar("T")


@dataclass(frozen=True)
class Band:
    """The peers' median and the band outside which a value is an outlier."""

    median: Decimal
    mad: Decimal
    lower: Decimal
    upper: Decimal
    peers: int

    def adverse(self, value: Decimal, direction: Direction) -> bool:
        """Whether the value lies beyond the band on the bad side."""
        return value > self.upper if direction is Direction.LOWER else value < self.lower


def median(values: Sequence[Decimal]) -> Decimal:
    """The exact median (the mean of the two middle values for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def band(values: Sequence[Decimal], robust_sd: Decimal) -> Band | None:
    """The robust band of the values (None for no values or a zero MAD)."""
    if not values:
        return None
    centre = median(values)
    mad = median([abs(v - centre) for v in values])
    if mad == 0:
        return None
    half = robust_sd * MAD_TO_SD * mad
    return Band(centre, mad, centre - half, centre + half, len(values))


def outliers(
    items: Iterable[T],
    *,
    peer_group: Callable[[T], Hashable],
    value: Callable[[T], Decimal],
    cases: Callable[[T], int],
    direction: Direction,
    robust_sd: Decimal,
    min_cases: int,
    min_peers: int,
) -> dict[int, Band]:
    """`id(item)` → band for every item that is an adverse peer outlier."""
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        if cases(item) >= min_cases:
            groups.setdefault(peer_group(item), []).append(item)
    found: dict[int, Band] = {}
    for members in groups.values():
        if len(members) < max(min_peers, 1):
            continue
        limits = band([value(m) for m in members], robust_sd)
        if limits is None:
            continue
        for member in members:
            if limits.adverse(value(member), direction):
                found[id(member)] = limits
    return found
