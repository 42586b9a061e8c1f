"""Planted cases of the material and examination rules M01-M02, E01-E02."""

from __future__ import annotations

import datetime as dt

from sanjianguan.synth.plants.builder import PlantBook, PlantEncounter, at, day_of
from sanjianguan.synth.templates import CT, CT_ENHANCED, ECG, HIP, STAPLER, STENT

PCI = "003205000030000"
HIP_SURGERY = "003315090090000"


def _surgical_stay(
    b: PlantBook, material: str, qty: int, icd9: str, surgery: str = PCI, dx: tuple[str, ...] = ("I25.103",)
) -> PlantEncounter:
    e = b.stay(b.inst("l3"), b.patient(age=62), day_of(b.target, 10), 6, dx=dx)
    when = at(e.admit.date() + dt.timedelta(days=1), 10)
    b.line(e, surgery, when)
    b.line(e, material, when + dt.timedelta(minutes=2), qty=qty)
    b.procedure(e, icd9, when, 4)
    return e


def plant_m01(b: PlantBook) -> None:
    """A hip prosthesis with a gall-bladder procedure only, and a stapler in a stay with no procedure;
    near miss: the prosthesis with total hip replacement 81.51 (prefix 81.5)."""
    e = _surgical_stay(b, HIP, 1, "51.2300", surgery="003310050040000", dx=("K80.100",))
    b.hit("M01", e.encounter_id)
    s = b.stay(b.inst("l3"), b.patient(), day_of(b.target, 10), 5, dx=("K80.100",))
    b.line(s, STAPLER, at(s.admit.date() + dt.timedelta(days=1), 10))
    b.hit("M01", s.encounter_id)
    e = _surgical_stay(b, HIP, 1, "81.5100", surgery=HIP_SURGERY, dx=("M16.100",))
    b.hit("M01", e.encounter_id, positive=False)


def plant_m02(b: PlantBook) -> None:
    """Four stents (limit 3); near miss: three. Three hip prostheses where every other use is one (95th
    percentile ≈ 1): the companions make sure the item has a regional distribution.

    At scale only the stents are planted: repeated hip cases would raise the month's 95th
    percentile of hip quantities to 3 (one in six uses), and no hip case would hit."""
    for qty, positive in ((4, True), (3, False)):
        e = _surgical_stay(b, STENT, qty, "36.0600")
        b.hit("M02", e.encounter_id, positive)
    if b.at_scale:
        return
    e = _surgical_stay(b, HIP, 3, "81.5100", surgery=HIP_SURGERY, dx=("M16.100",))
    b.hit("M02", e.encounter_id)
    for _ in range(3):
        _surgical_stay(b, HIP, 1, "81.5100", surgery=HIP_SURGERY, dx=("M16.100",))


def plant_e01(b: PlantBook) -> None:
    """Head CT (mutually recognised, window 7) at two hospitals 7 days apart, and an ECG twice in one stay
    (window 3); near misses: CT 8 days apart, and an ECG (not mutually recognised) at two hospitals 2
    days apart."""
    late = 4 if len(b.months) > 1 else 22
    second_day = day_of(b.target, late)
    for gap, positive in ((7, True), (8, False)):
        pid = b.patient(age=58)
        first = b.visit(b.inst("l2"), pid, at(second_day - dt.timedelta(days=gap), 9), dx=("R51.x00",))
        b.line(first, CT, first.admit + dt.timedelta(minutes=20))
        second = b.visit(b.inst("l3"), pid, at(second_day, 9), dx=("R51.x00",))
        b.line(second, CT, second.admit + dt.timedelta(minutes=20))
        b.hit("E01", second.encounter_id, positive)
    pid = b.patient(age=58)
    first = b.visit(b.inst("l2"), pid, at(second_day - dt.timedelta(days=2), 9), dx=("I10.x00",))
    b.line(first, ECG, first.admit + dt.timedelta(minutes=20))
    second = b.visit(b.inst("l3"), pid, at(second_day, 9), dx=("I10.x00",))
    b.line(second, ECG, second.admit + dt.timedelta(minutes=20))
    b.hit("E01", second.encounter_id, positive=False)
    s = b.stay(b.inst("l3"), b.patient(age=70), day_of(b.target, 6), 6, dx=("I50.900",))
    b.line(s, ECG, at(s.admit.date(), 11))
    b.line(s, ECG, at(s.admit.date() + dt.timedelta(days=2), 11))
    b.hit("E01", s.encounter_id)


def plant_e02(b: PlantBook) -> None:
    """Contrast CT without the consent form; near miss: with it."""
    for positive in (True, False):
        e = b.visit(b.inst("l3"), b.patient(age=55), at(day_of(b.target, 16), 9), dx=("R51.x00",))
        b.line(e, CT_ENHANCED, e.admit + dt.timedelta(minutes=20))
        if positive:
            e.no_consent.add(CT_ENHANCED)
        b.hit("E02", e.encounter_id, positive)


PLANTS = (plant_m01, plant_m02, plant_e01, plant_e02)
