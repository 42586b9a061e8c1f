"""Planted cases of the treatment-behaviour rules T01-T14 (不合理诊疗行为)."""

from __future__ import annotations

import datetime as dt

from sanjianguan.synth.plants.builder import PlantBook, PlantEncounter, at, day_of
from sanjianguan.synth.templates import (
    BED,
    CBC,
    CT,
    DIALYSER,
    DIALYSIS,
    IP_CONSULT,
    MRI,
    NURSING2,
    OP_CONSULT,
)

APPENDECTOMY = "003310030220000"


def plant_t01(b: PlantBook) -> None:
    """Readmission for pneumonia 15 days and 0 days after discharge; near misses: 16 days, a planned
    readmission, and after a transfer out."""
    inst = b.inst("l2")
    cases = (
        (15, False, "1", True),
        (0, False, "1", True),
        (16, False, "1", False),
        (5, True, "1", False),
        (5, False, "2", False),
    )
    for gap, planned, disposition, positive in cases:
        pid = b.patient(age=72)
        # With history, the first stay is settled in the previous month (a look-back across batches).
        later_admit = day_of(b.target, 10) if len(b.months) > 1 else day_of(b.target, 6 + gap)
        first_discharge = later_admit - dt.timedelta(days=gap)
        b.stay(
            inst,
            pid,
            first_discharge - dt.timedelta(days=4),
            4,
            dx=("J18.000",),
            planned=planned,
            disposition=disposition,
            dept="呼吸内科",
        )
        later = b.stay(inst, pid, later_admit, 4, dx=("J18.900",), dept="呼吸内科")
        b.hit("T01", later.encounter_id, positive)


def _bare_stay(
    b: PlantBook, los: int, no_clinical: set[int], dx: tuple[str, ...] = ("K92.200",)
) -> PlantEncounter:
    e = b.stay(b.inst("l2"), b.patient(), day_of(b.target, 5), los, dx=dx, daily=False)
    for d in range(los):
        day = e.admit.date() + dt.timedelta(days=d)
        b.line(e, BED, at(day, 8) if d else at(day, 9, 30))
        b.line(e, NURSING2, at(day, 8, 1) if d else at(day, 9, 31))
        if d not in no_clinical:
            b.line(e, IP_CONSULT, at(day, 8, 2) if d else at(day, 9, 32))
    return e


def plant_t02(b: PlantBook) -> None:
    """Three days in a row with only bed and nursing; near miss: two days."""
    b.hit("T02", _bare_stay(b, 8, {2, 3, 4}).encounter_id)
    b.hit("T02", _bare_stay(b, 8, {2, 3}).encounter_id, positive=False)


def plant_t03(b: PlantBook) -> None:
    """An ungrouped 61-day stay, and a GS15 stay of 15 days (> 2 × 7; also beyond the group's LOS upper
    limit 12: S03); near miss: an ungrouped 60-day stay."""
    inst = b.inst("l2")
    for los, positive in ((61, True), (60, False)):
        e = b.stay(inst, b.patient(), day_of(b.target, 20) - dt.timedelta(days=los), los)
        b.hit("T03", e.encounter_id, positive)
    e = b.stay(inst, b.patient(), day_of(b.target, 3), 15, drg="GS15")
    b.hit("T03", e.encounter_id)
    b.hit("S03", e.encounter_id)


def plant_t04(b: PlantBook) -> None:
    """A cold admitted for CT and MRI (exam share ≥ 0.5), and a cold stay with nothing but labs, bed and
    nursing; near miss: a cold stay with ordinary ward care (exam share < 0.5)."""
    inst = b.inst("l3")
    e = b.stay(inst, b.patient(), day_of(b.target, 8), 3, dx=("J06.900",))
    b.line(e, CT, at(e.admit.date(), 11))
    b.line(e, MRI, at(e.admit.date() + dt.timedelta(days=1), 11))
    b.hit("T04", e.encounter_id)
    e = b.stay(inst, b.patient(), day_of(b.target, 8), 3, dx=("J00.x00",), daily=False)
    for d in range(3):
        day = e.admit.date() + dt.timedelta(days=d)
        b.line(e, BED, at(day, 9, 30))
        b.line(e, NURSING2, at(day, 9, 31))
        if d:
            b.line(e, CBC, at(day, 10))
    b.hit("T04", e.encounter_id)
    e = b.stay(inst, b.patient(), day_of(b.target, 8), 3, dx=("J06.900",))
    b.hit("T04", e.encounter_id, positive=False)


def plant_t05(b: PlantBook) -> None:
    """Five villagers admitted to one hospital within a day; near miss: five spread over three days."""
    inst = b.inst("l2")
    for n, offsets, positive in ((0, (0, 0, 1, 1, 1), True), (1, (0, 0, 1, 1, 2), False)):
        # Repeated at scale, every group needs a village of its own.
        village = b.village() if b.at_scale else f"{b.region.counties[0][0]}998{n + 1:03d}"
        for off in offsets:
            e = b.stay(inst, b.patient(address=village), day_of(b.target, 11 + off), 4)
            b.hit("T05", e.encounter_id, positive)


def plant_t06(b: PlantBook) -> None:
    """Four admissions within a year (at four institutions); near miss: three."""
    insts = [b.inst("l3"), b.inst("l2", 0), b.inst("l2", 1), b.inst("l1", 0)]
    for count, positive in ((4, True), (3, False)):
        pid = b.patient(age=75)
        placed: dict[int, int] = {}
        for i in range(count):
            m = b.months[max(0, len(b.months) - count + i)]
            j = placed.get(m.k, 0)
            placed[m.k] = j + 1
            b.stay(insts[i], pid, day_of(m, 3 + 7 * j), 2, dx=("J44.100",))
        b.hit("T06", pid, positive)


def plant_t07(b: PlantBook) -> None:
    """Five lumbar-disc stays with identical items and totals; near miss: one of five 5 % dearer.

    At scale only the positive group is planted: near-miss groups (four identical stays each)
    repeated at one institution and month would add up to a real group of five."""
    groups = ((b.inst("l3"), True), (b.inst("l2"), False))
    for inst, positive in groups[:1] if b.at_scale else groups:
        for n in range(5):
            e = b.stay(inst, b.patient(), day_of(b.target, 4 + n), 5, dx=("M51.202",), signature=False)
            if not positive and n == 4:
                b.line(e, CBC, at(e.admit.date(), 10, 30))
            b.hit("T07", e.encounter_id, positive)


def plant_t08(b: PlantBook) -> None:
    """A second admission elsewhere before the first discharge, and a visit elsewhere during a stay; near
    misses: admitted elsewhere on the discharge day, and a visit elsewhere on the admission day."""
    first, other, day = b.inst("l3"), b.inst("l2"), day_of(b.target, 12)
    for offset, positive in ((3, True), (6, False)):
        pid = b.patient()
        b.stay(first, pid, day, 6)
        e = b.stay(other, pid, day + dt.timedelta(days=offset), 3)
        b.hit("T08", e.encounter_id, positive)
    for offset, positive in ((3, True), (0, False)):
        pid = b.patient()
        b.stay(first, pid, day, 6)
        v = b.visit(other, pid, at(day + dt.timedelta(days=offset), 15))
        b.hit("T08", v.encounter_id, positive)


def plant_t09(b: PlantBook) -> None:
    """A doctor with 101 visits in one day; near miss: another with exactly 100."""
    inst, day = b.inst("l1"), day_of(b.target, 17)
    for n, positive in ((101, True), (100, False)):
        doctor = b.doctor(inst, antibiotic="非限制使用级", surgery=None)
        for i in range(n):
            b.visit(
                inst, b.patient(), at(day, 8) + dt.timedelta(minutes=5 * i), doctor=doctor, dept="全科医疗科"
            )
        b.hit("T09", f"{doctor}|{day.isoformat()}", positive)


def _session(b: PlantBook, inst_tier: str, pid: str, day: dt.date, dx: str) -> PlantEncounter:
    e = b.visit(
        b.inst(inst_tier), pid, at(day, 8), dx=(dx,), etype="chronic_outpatient", consult=False, dept="肾内科"
    )
    b.line(e, DIALYSIS, at(day, 8, 10))
    b.line(e, DIALYSER, at(day, 8, 11))
    return e


def plant_t10(b: PlantBook) -> None:
    """Dialysis: four sessions in an ISO week, two centres on one day, sessions without a kidney-failure
    diagnosis; near misses: Fri-Sat-Sun-Mon (two weeks), and a renal diagnosis only on an earlier visit."""
    monday = next(day_of(b.target, n) for n in range(8, 15) if day_of(b.target, n).weekday() == 0)
    pid = b.patient(age=60)
    for i, off in enumerate((0, 1, 2, 4)):
        e = _session(b, "l2", pid, monday + dt.timedelta(days=off), "N18.500")
        b.hit("T10", e.encounter_id, positive=i == 3)
    pid = b.patient(age=60)
    for tier in ("l2", "l3"):
        b.hit("T10", _session(b, tier, pid, monday + dt.timedelta(days=1), "N18.500").encounter_id)
    pid = b.patient(age=60)
    for off in (0, 2, 4):
        b.hit("T10", _session(b, "l2", pid, monday + dt.timedelta(days=off), "I12.000").encounter_id)
    pid = b.patient(age=60)
    for off in (4, 5, 6, 7):
        b.hit("T10", _session(b, "l2", pid, monday + dt.timedelta(days=off), "N18.500").encounter_id, False)
    pid = b.patient(age=60)
    earlier = day_of(b.lookback, 20) if len(b.months) > 1 else day_of(b.target, 2)
    b.visit(b.inst("l2"), pid, at(earlier, 9), dx=("N18.500",), dept="肾内科")
    for off in (0, 2, 4):
        b.hit("T10", _session(b, "l2", pid, monday + dt.timedelta(days=off), "Z49.100").encounter_id, False)


def plant_t11(b: PlantBook) -> None:
    """A visit the day after death (its charge is also after death: C08); near miss: on the day of death."""
    death = day_of(b.target, 18)
    for day, positive in ((death + dt.timedelta(days=1), True), (death, False)):
        v = b.visit(b.inst("l2"), b.patient(age=80, death=death), at(day, 9))
        b.hit("T11", v.encounter_id, positive)
        b.hit("C08", v.encounter_id, positive)


def plant_t12(b: PlantBook) -> None:
    """A level-4 operation by a surgeon privileged to level 3, and a level-1 one by a surgeon with no
    privilege; near misses: level 3 by the level-3 surgeon, and level 4 by a surgeon missing from staff."""
    inst = b.inst("l3")
    cases = (
        (4, b.doctor(inst, surgery=3), True),
        (1, b.doctor(inst, surgery=None), True),
        (3, b.doctor(inst, surgery=3), False),
        (4, b.doctor(inst, surgery=None, listed=False), False),
    )
    for level, surgeon, positive in cases:
        e = b.stay(inst, b.patient(age=30), day_of(b.target, 19), 5, dx=("K35.800",))
        when = at(e.admit.date() + dt.timedelta(days=1), 10)
        b.line(e, APPENDECTOMY, when, doctor=surgeon)
        b.procedure(e, "47.0900", when, level, operator=surgeon)
        b.hit("T12", e.encounter_id, positive)


def plant_t13(b: PlantBook) -> None:
    """Four visits in one day, and twenty in a month; near misses: three visits and a chronic one in a
    day, and nineteen in a month."""
    insts = [b.inst("l1", 0), b.inst("l1", 1), b.inst("l2"), b.inst("l3")]
    day = day_of(b.target, 21)
    for types, positive in (
        (("outpatient",) * 4, True),
        (("outpatient",) * 3 + ("chronic_outpatient",), False),
    ):
        pid = b.patient()
        for i, etype in enumerate(types):
            b.visit(insts[i], pid, at(day, 8 + 2 * i), etype=etype)
        b.hit("T13", pid, positive)
    for n, positive in ((20, True), (19, False)):
        pid = b.patient()
        for i in range(n):
            v = b.visit(insts[0], pid, at(day_of(b.target, 1 + i), 10), consult=False)
            b.line(v, OP_CONSULT, v.admit + dt.timedelta(minutes=5))
        b.hit("T13", pid, positive)


def _focus(b: PlantBook, age: int = 45, poor: bool = True, address: str | None = None) -> str:
    """A patient of T14's focus group when `poor` (建档立卡); the background has none in hospital."""
    pid = b.patient(age=age, address=address)
    b.patients[pid]["poverty_registered"] = poor
    return pid


def plant_t14(b: PlantBook) -> None:
    """重点人群住院, one case of each sign: a 70-year-old with gastritis (a minor diagnosis) admitted a
    third time within a year; three poor villagers admitted to one hospital over four days (d … d + 3);
    three poor patients' gallstone stays of equal length (totals within 2 % of their median). Near
    misses: the same 70-year-old history with 2 admissions; a 64-year-old with 3; a cluster spread
    over 4 days (the last admitted on d + 4); three stays whose totals are about 10 % apart.

    The earlier stays have major diagnoses, so only the last is a focus stay. At scale only the
    positives and the 64-year-old are planted: repeated at one institution and month, the near
    misses' focus stays (same diagnosis, same total) would form an alike group of their own."""
    l2a, l2b, l3 = b.inst("l2", 0), b.inst("l2", 1), b.inst("l3")
    earlier_days = (
        (day_of(b.lookback, 5), day_of(b.lookback, 15))
        if len(b.months) > 1
        else (
            day_of(b.target, 2),
            day_of(b.target, 9),
        )
    )
    frequent = ((70, 3, "K29.700", True), (64, 3, "K29.700", False), (70, 2, "J20.900", False))
    for age, admissions, minor, positive in frequent if not b.at_scale else frequent[:2]:
        pid = _focus(b, age=age, poor=False)
        for inst, day, dx in list(zip((l2a, l2b), earlier_days, ("I63.900", "E11.900"), strict=True))[
            : admissions - 1
        ]:
            b.stay(inst, pid, day, 2, dx=(dx,))
        e = b.stay(l3, pid, day_of(b.target, 20), 3, dx=(minor,))
        b.hit("T14", e.encounter_id, positive)
    clusters = (((0, 1, 3), True), ((0, 1, 4), False))
    for offsets, positive in clusters if not b.at_scale else clusters[:1]:
        village = b.village()
        dxs = ("J18.900", "J44.100", "I50.900") if positive else ("E11.900", "I63.900", "I25.103")
        for off, dx in zip(offsets, dxs, strict=True):
            e = b.stay(l2a, _focus(b, address=village), day_of(b.target, 8 + off), 4, dx=(dx,))
            b.hit("T14", e.encounter_id, positive)
    # Long stays, so that the signature labs (which differ by stay) stay well inside 2 %.
    alike = (((40, 40, 40), "K80.100", True), ((36, 40, 44), "M16.100", False))
    for lengths, dx, positive in alike if not b.at_scale else alike[:1]:
        for los in lengths:
            admit = day_of(b.target, 25) - dt.timedelta(days=los)
            e = b.stay(l3, _focus(b), admit, los, dx=(dx,))
            b.hit("T14", e.encounter_id, positive)


PLANTS = (
    plant_t01,
    plant_t02,
    plant_t03,
    plant_t04,
    plant_t05,
    plant_t06,
    plant_t07,
    plant_t08,
    plant_t09,
    plant_t10,
    plant_t11,
    plant_t12,
    plant_t13,
    plant_t14,
)
