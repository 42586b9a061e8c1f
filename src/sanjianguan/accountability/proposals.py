"""The ladder engine (责任追究建议): inputs → proposals, with the counted evidence. Pure.

The engine reads nothing and writes nothing: `propose(ladder, inputs, year)` returns
one `Proposal` per (row, subject, window) whose counted times reach the row's count.
Gathering the inputs (decided clues, failing indicators, events) is `sources.py`;
storing and confirming proposals is `service.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sanjianguan.accountability.config import Ladder, LadderRow, Source, Subject, Window
from sanjianguan.accountability.counting import (
    Occurrence,
    Time,
    by_cycle,
    count_times,
    in_year,
    is_yearly,
    reaches,
    year_of,
)

INDICATOR_GROUPS = {Source.GROUP_A: "2A", Source.GROUP_B: "2B", Source.GROUP_C: "2C", Source.LEVEL3: "3"}
EVENT_SOURCES = frozenset(
    {Source.REPORTING_DUTY, Source.INTERVIEW, Source.ADMIN_PENALTY, Source.NOT_CARRIED_OUT}
)


@dataclass(frozen=True)
class DecidedClue:
    """A level-1 clue decided unreasonable (不合理), as the ladder counts it."""

    clue_id: str
    rule_id: str
    institution_id: str
    period: str  # the supervision cycle, YYYY-MM
    department: str | None = None
    doctor_id: str | None = None
    self_reported: bool = False  # the institution confirmed it in its self-check (属实)


@dataclass(frozen=True)
class IndicatorFailure:
    """A failing (不达标) institution-level indicator of one period (YYYY-MM, or YYYY: yearly value)."""

    period: str
    institution_id: str
    indicator: str
    group: str  # 2A | 2B | 2C | 3
    indicator_name: str = ""


@dataclass(frozen=True)
class InstitutionEvent:
    """A counted institution fact: art. 24 event, interview, administrative penalty, art. 33."""

    source: Source
    institution_id: str
    cycle: str  # YYYY-MM of the event
    event_id: str  # distinct per event: each is one time
    label: str = ""


@dataclass(frozen=True)
class LadderInputs:
    clues: tuple[DecidedClue, ...] = ()
    failures: tuple[IndicatorFailure, ...] = ()
    events: tuple[InstitutionEvent, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """追责建议: a row met by a subject in a window, with the times counted."""

    row: LadderRow
    subject_kind: Subject
    institution_id: str
    subject_id: str
    year: int
    period: str  # the cycle (YYYY-MM / YYYY) or the year (YYYY)
    times: tuple[Time, ...]
    department: str | None = None
    doctor_id: str | None = None
    self_reported: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "self_reported", all(t.self_reported for t in self.times))

    @property
    def key(self) -> str:
        """Stable identity: the same row, subject and window is the same proposal."""
        return f"{self.row.id}|{self.subject_id}|{self.row.window.value}:{self.period}"

    def evidence(self) -> list[dict[str, Any]]:
        return [t.as_dict() for t in self.times]


@dataclass(frozen=True)
class _Subject:
    kind: Subject
    institution_id: str
    subject_id: str
    department: str | None = None
    doctor_id: str | None = None


def _level1(clues: Iterable[DecidedClue], kind: Subject) -> Iterator[tuple[_Subject, Occurrence]]:
    for c in clues:
        occ = Occurrence(c.period, c.rule_id, c.clue_id, c.rule_id, c.self_reported)
        if kind is Subject.INSTITUTION:
            yield _Subject(kind, c.institution_id, c.institution_id), occ
        elif kind is Subject.DEPARTMENT and c.department:
            subject_id = f"{c.institution_id}/{c.department}"
            yield _Subject(kind, c.institution_id, subject_id, department=c.department), occ
        elif kind is Subject.DOCTOR and c.doctor_id:
            # Art. 17 counts the doctor's own times: a doctor who works in several
            # departments is one subject (the departments are listed on the proposal).
            subject_id = f"{c.institution_id}/{c.doctor_id}"
            yield _Subject(kind, c.institution_id, subject_id, doctor_id=c.doctor_id), occ


def _occurrences(row: LadderRow, inputs: LadderInputs) -> Iterator[tuple[_Subject, Occurrence]]:
    if row.source is Source.LEVEL1:
        yield from _level1(inputs.clues, row.subject)
    elif row.source in INDICATOR_GROUPS:
        group = INDICATOR_GROUPS[row.source]
        for f in inputs.failures:
            # "任意N项指标年平均值不达标": a year window counts the yearly values only.
            if f.group != group or (row.window is Window.YEAR and not is_yearly(f.period)):
                continue
            ref = f"{f.indicator}@{f.period}"
            yield (
                _Subject(Subject.INSTITUTION, f.institution_id, f.institution_id),
                Occurrence(f.period, f.indicator, ref, f.indicator_name or f.indicator),
            )
    else:
        for e in inputs.events:
            if e.source is row.source:
                occ = Occurrence(e.cycle, e.event_id, e.event_id, e.label)
                yield _Subject(Subject.INSTITUTION, e.institution_id, e.institution_id), occ


def _in_scope(cycle: str, year: int, until: str | None) -> bool:
    if year_of(cycle) != year:
        return False
    return until is None or is_yearly(cycle) or cycle <= until


def propose_row(
    row: LadderRow, inputs: LadderInputs, year: int, *, until: str | None = None
) -> list[Proposal]:
    """The proposals of one row for `year` (monthly cycles after `until` are not yet counted)."""
    per_subject: dict[_Subject, list[Occurrence]] = defaultdict(list)
    for subject, occ in _occurrences(row, inputs):
        if _in_scope(occ.cycle, year, until):
            per_subject[subject].append(occ)
    proposals = []
    for subject, occs in sorted(per_subject.items(), key=lambda kv: kv[0].subject_id):
        times = in_year(count_times(occs), year)
        windows = by_cycle(times) if row.window is Window.CYCLE else {str(year): times}
        for period, counted in windows.items():
            if reaches(len(counted), row.count):
                proposals.append(
                    Proposal(
                        row=row,
                        subject_kind=subject.kind,
                        institution_id=subject.institution_id,
                        subject_id=subject.subject_id,
                        year=year,
                        period=period,
                        times=tuple(counted),
                        department=subject.department or _departments_of(counted, inputs),
                        doctor_id=subject.doctor_id,
                    )
                )
    return proposals


def _departments_of(times: Iterable[Time], inputs: LadderInputs) -> str | None:
    """The departments of the clues behind a doctor's times, joined with 、 (None when unknown)."""
    refs = {ref for t in times for ref in t.refs}
    names = sorted({c.department for c in inputs.clues if c.clue_id in refs and c.department})
    return "、".join(names)[:100] or None


def propose(ladder: Ladder, inputs: LadderInputs, year: int, *, until: str | None = None) -> list[Proposal]:
    """Every proposal of the enabled rows for calendar year `year`, in row order."""
    return [p for row in ladder.active for p in propose_row(row, inputs, year, until=until)]
