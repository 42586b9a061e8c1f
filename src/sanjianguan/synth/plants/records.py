"""Planted cases of the record rules R01-R05 (不规范医疗文书)."""

from __future__ import annotations

import datetime as dt

from sanjianguan.synth.plants.builder import PlantBook, at, day_of
from sanjianguan.synth.templates import BED, CBC, IP_CONSULT, NURSING2

APPENDECTOMY = "003310030220000"


def plant_r01(b: PlantBook) -> None:
    """A malformed code (J189) and a well-formed code missing from the catalogue (Z99.999); near miss:
    a 医保版 extension code that is in the catalogue (K35.800x003)."""
    for code, positive in (("J189", True), ("Z99.999", True), ("K35.800x003", False)):
        v = b.visit(b.inst("l2"), b.patient(), at(day_of(b.target, 14), 9), dx=(code,))
        b.hit("R01", v.encounter_id, positive)


def plant_r02(b: PlantBook) -> None:
    """Prostatic hyperplasia (N40) for a woman; near misses: a delivery code for sex 9, urinary infection
    (N39, outside N40-N53) for a woman."""
    for sex, code, positive in (("2", "N40.x00", True), ("9", "O80.000", False), ("2", "N39.000", False)):
        v = b.visit(b.inst("l2"), b.patient(sex=sex), at(day_of(b.target, 15), 9), dx=(code,))
        b.hit("R02", v.encounter_id, positive)


def plant_r03(b: PlantBook) -> None:
    """An appendectomy charged with no procedure record; near miss: the charge refunded in full."""
    for positive in (True, False):
        e = b.stay(b.inst("l2"), b.patient(age=25), day_of(b.target, 16), 4, dx=("K35.800",))
        when = at(e.admit.date() + dt.timedelta(days=1), 10)
        b.line(e, APPENDECTOMY, when)
        if not positive:
            b.line(e, APPENDECTOMY, when + dt.timedelta(hours=3), qty=-1)
        b.hit("R03", e.encounter_id, positive)


def plant_r04(b: PlantBook) -> None:
    """Discharge the day before admission; a lab 2 days before admission; a procedure the day after
    discharge. Near miss: a lab exactly 1 day before admission."""
    inst, day = b.inst("l2"), day_of(b.target, 17)
    e = b.encounter(inst, b.patient(), "inpatient", at(day, 9), at(day - dt.timedelta(days=1), 10))
    for j, code in enumerate((BED, NURSING2, IP_CONSULT, CBC)):
        b.line(e, code, at(day - dt.timedelta(days=1), 8, j))
    if b.at_scale:  # repeated at one institution and month, these stays need their own item sets (T07)
        b.sign(e, day - dt.timedelta(days=1))
    b.hit("R04", e.encounter_id)
    for before, positive in ((2, True), (1, False)):
        e = b.stay(inst, b.patient(), day, 4)
        b.line(e, CBC, at(day - dt.timedelta(days=before), 16))
        b.hit("R04", e.encounter_id, positive)
    e = b.stay(inst, b.patient(age=25), day, 4, dx=("K35.800",))
    b.line(e, APPENDECTOMY, at(day + dt.timedelta(days=1), 10))
    b.procedure(e, "47.0900", at(day + dt.timedelta(days=5), 10), 2)
    b.hit("R04", e.encounter_id)


def plant_r05(b: PlantBook) -> None:
    """Stays without discharge time, without disposition, and without main diagnosis."""
    inst, day = b.inst("l2"), day_of(b.target, 18)
    # Without a discharge the LOS is unknown: no per-day items, so that no reading of C05/T02 is involved.
    e = b.stay(inst, b.patient(), day, 4, daily=False)
    for d in range(4):
        b.line(e, IP_CONSULT, at(day + dt.timedelta(days=d), 8, 30))
    e.discharge, e.settled = None, at(day + dt.timedelta(days=4), 12)
    b.hit("R05", e.encounter_id)
    e = b.stay(inst, b.patient(), day, 4)
    e.disposition = None
    b.hit("R05", e.encounter_id)
    e = b.stay(inst, b.patient(), day, 4, dx=())
    e.main = ""
    b.hit("R05", e.encounter_id)


PLANTS = (plant_r01, plant_r02, plant_r03, plant_r04, plant_r05)
