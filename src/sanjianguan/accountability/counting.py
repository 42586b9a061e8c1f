"""计次 (art. 34): what counts as one "time", and the windows times are counted in.

- One supervision cycle (监管周期) = one analysis window: `YYYY-MM` for the monthly
  analysis; `YYYY` for an indicator's yearly value.
- One rule/indicator confirmed problematic in one cycle = **one time** (一次), however
  many cases or people ("含一人同一指标多例和多人同一指标多例").
- "That year" (当年) = the calendar year; "N or more" (N 次以上) includes N.

Occurrences of the other sources (an art. 24 event, an interview, a penalty) are one
time each: they carry their own distinct `item`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Occurrence:
    """One counted fact before grouping: a decided clue, a failing value, an event."""

    cycle: str  # YYYY-MM or YYYY
    item: str  # rule id, indicator id, or the event's own id
    ref: str  # clue id, indicator@period, event id (the evidence)
    label: str = ""
    self_reported: bool = False  # found and reported by the institution itself (art. 12)


@dataclass(frozen=True)
class Time:
    """一次: one item in one cycle, with every occurrence behind it."""

    cycle: str
    item: str
    refs: tuple[str, ...]
    label: str
    self_reported: bool  # every occurrence was self-reported

    def as_dict(self) -> dict[str, object]:
        return {
            "cycle": self.cycle,
            "item": self.item,
            "label": self.label,
            "refs": list(self.refs),
            "self_reported": self.self_reported,
        }


def year_of(cycle: str) -> int:
    """The calendar year of a cycle (`YYYY-MM` or `YYYY`)."""
    return int(cycle[:4])


def is_yearly(cycle: str) -> bool:
    """Whether the cycle is a whole year (an indicator's yearly value)."""
    return len(cycle) == 4


def count_times(occurrences: Iterable[Occurrence]) -> list[Time]:
    """Group occurrences into times: one per (cycle, item), sorted by cycle then item."""
    groups: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
    for occ in occurrences:
        groups[(occ.cycle, occ.item)].append(occ)
    times = []
    for (cycle, item), occs in sorted(groups.items()):
        refs = tuple(sorted({o.ref for o in occs}))
        label = next((o.label for o in occs if o.label), "")
        times.append(Time(cycle, item, refs, label, all(o.self_reported for o in occs)))
    return times


def by_cycle(times: Iterable[Time]) -> dict[str, list[Time]]:
    """Times per supervision cycle."""
    cycles: dict[str, list[Time]] = defaultdict(list)
    for t in times:
        cycles[t.cycle].append(t)
    return dict(sorted(cycles.items()))


def in_year(times: Iterable[Time], year: int) -> list[Time]:
    """The times of calendar year `year`."""
    return [t for t in times if year_of(t.cycle) == year]


def reaches(times: int, count: int) -> bool:
    """ "N 次以上" includes N (art. 34)."""
    return times >= count
