"""Planted cases of the drug rules D01-D10 (不合理药品使用)."""

from __future__ import annotations

import datetime as dt

from sanjianguan.synth.plants.builder import PlantBook, at, day_of

NBP = "XN07XXD130E002010102774"  # 丁苯酞软胶囊: indication I63
SHENFU = "ZA05CAC0029010102312"  # 参附注射液: level ≥ 2
AMLODIPINE = "XC08CAA138A001010101549"  # max 10 mg a day, oral only
LEVO_TAB = "XJ01MAZ064A001010102283"  # 左氧氟沙星片 (限制使用级)
LEVO_IV = "XJ01MAZ064B002010100352"  # 左氧氟沙星氯化钠注射液: same ingredient
OZAGREL = "XB01AXA223B002010100156"  # 奥扎格雷钠注射液: payable 14 days, I63
CEFUROXIME = "XJ01DCT086B001010101905"
CALCIUM = "XB05XAL075B002010100350"  # incompatible with cefuroxime
AMOXICILLIN = "XJ01CAA040A001010100120"  # 非限制使用级
OMEPRAZOLE = "XA02BCA211E001010101445"


def plant_d01(b: PlantBook) -> None:
    """丁苯酞 for an upper-respiratory infection; near miss: cerebral infarction as a secondary diagnosis."""
    inst, day = b.inst("l3"), day_of(b.target, 4)
    for dx, positive in ((("J06.900",), True), (("R51.x00", "I63.900"), False)):
        e = b.visit(inst, b.patient(age=70), at(day, 9), dx=dx)
        b.line(e, NBP, e.admit + dt.timedelta(minutes=10), qty=18)
        b.hit("D01", e.encounter_id, positive)


def plant_d02(b: PlantBook) -> None:
    """参附注射液 at a township health centre (level 1); near miss: at a level-2 hospital."""
    for inst, positive in ((b.inst("l1"), True), (b.inst("l2"), False)):
        e = b.stay(inst, b.patient(), day_of(b.target, 6), 4)
        for d in range(2):
            b.line(e, SHENFU, at(e.admit.date() + dt.timedelta(days=d), 11), qty=5)
        b.hit("D02", e.encounter_id, positive)


def plant_d03(b: PlantBook) -> None:
    """Amlodipine 10 mg twice a day (20 > 10); near misses: 10 mg a day, and 0.02 g twice (other unit)."""
    inst, day = b.inst("l2"), day_of(b.target, 7)
    for dose, unit, times, positive in (
        ("10", "mg", 2, True),
        ("5", "mg", 2, False),
        ("0.02", "g", 2, False),
    ):
        e = b.visit(inst, b.patient(age=66), at(day, 9), dx=("I10.x00",))
        b.line(e, AMLODIPINE, e.admit + dt.timedelta(minutes=10), qty=7)
        b.order(
            e, AMLODIPINE, e.admit + dt.timedelta(minutes=10), supply=7, dose=dose, unit=unit, times=times
        )
        b.hit("D03", e.encounter_id, positive)


def plant_d04(b: PlantBook) -> None:
    """Outpatient supply 8 days and chronic 31 days fire; 7 and 30 days do not."""
    inst, day = b.inst("l2"), day_of(b.target, 8)
    for etype, supply, positive in (
        ("outpatient", 8, True),
        ("outpatient", 7, False),
        ("chronic_outpatient", 31, True),
        ("chronic_outpatient", 30, False),
    ):
        e = b.visit(inst, b.patient(age=66), at(day, 9), dx=("I10.x00",), etype=etype)
        b.line(e, AMLODIPINE, e.admit + dt.timedelta(minutes=10), qty=supply)
        b.order(e, AMLODIPINE, e.admit + dt.timedelta(minutes=10), supply=supply)
        b.hit("D04", e.encounter_id, positive)


def plant_d05(b: PlantBook) -> None:
    """Levofloxacin tablets and infusion overlapping a day; near miss: tablets start as the infusion stops."""
    inst, day = b.inst("l3"), day_of(b.target, 9)
    for gap, positive in ((2, True), (3, False)):
        e = b.stay(inst, b.patient(), day, 6, dx=("J18.000",))
        start = at(day, 10)
        switch = at(day + dt.timedelta(days=gap), 10)
        for d in range(3):
            b.line(e, LEVO_IV, at(day + dt.timedelta(days=d), 10, 5))
        for d in range(gap, 6):
            b.line(e, LEVO_TAB, at(day + dt.timedelta(days=d), 10, 6))
        b.order(e, LEVO_IV, start, end=at(day + dt.timedelta(days=3), 10))
        b.order(e, LEVO_TAB, switch, end=at(day + dt.timedelta(days=6), 8))
        b.hit("D05", e.encounter_id, positive)


def plant_d06(b: PlantBook) -> None:
    """Omeprazole capsules ordered as an intramuscular injection."""
    e = b.visit(b.inst("l2"), b.patient(), at(day_of(b.target, 10), 9), dx=("K29.700",))
    b.line(e, OMEPRAZOLE, e.admit + dt.timedelta(minutes=10), qty=14)
    b.order(e, OMEPRAZOLE, e.admit + dt.timedelta(minutes=10), supply=7, route="肌内注射")
    b.hit("D06", e.encounter_id)


def plant_d07(b: PlantBook) -> None:
    """Restricted-grade levofloxacin by a doctor with the non-restricted privilege, and amoxicillin by one
    with none; near misses: a non-antibiotic by the doctor with none, and a graded drug by a doctor missing
    from staff."""
    inst, day = b.inst("l2"), day_of(b.target, 11)
    cases = (
        (LEVO_TAB, b.doctor(inst, antibiotic="非限制使用级", surgery=None), True),
        (AMOXICILLIN, b.doctor(inst, antibiotic=None, surgery=None), True),
        (OMEPRAZOLE, b.doctor(inst, antibiotic=None, surgery=None), False),
        (LEVO_TAB, b.doctor(inst, antibiotic=None, surgery=None, listed=False), False),
    )
    for drug, doctor, positive in cases:
        e = b.visit(inst, b.patient(), at(day, 9), dx=("J20.900",), doctor=doctor)
        b.line(e, drug, e.admit + dt.timedelta(minutes=10), qty=3 if drug == LEVO_TAB else 6)
        b.hit("D07", e.encounter_id, positive)


def plant_d08(b: PlantBook) -> None:
    """Ozagrel charged on 15 days of a 16-day stroke stay (payable 14); near miss: exactly 14 days."""
    inst, day = b.inst("l3"), day_of(b.target, 2)
    for days, positive in ((15, True), (14, False)):
        e = b.stay(inst, b.patient(age=68), day, 16, dx=("I63.900",))
        for d in range(days):
            b.line(e, OZAGREL, at(day + dt.timedelta(days=d), 10, 30), qty=2)
        b.hit("D08", e.encounter_id, positive)


def plant_d09(b: PlantBook) -> None:
    """Amlodipine refilled 5 days into a 7-day supply (< 5.6); near miss: after 6 days."""
    late = 3 if len(b.months) > 1 else 20
    for gap, positive in ((5, True), (6, False)):
        pid = b.patient(age=64)
        second_day = day_of(b.target, late)
        first_day = second_day - dt.timedelta(days=gap)
        first = b.visit(b.inst("l1"), pid, at(first_day, 9), dx=("I10.x00",))
        b.line(first, AMLODIPINE, first.admit + dt.timedelta(minutes=10), qty=7)
        second = b.visit(b.inst("l2"), pid, at(second_day, 9), dx=("I10.x00",))
        b.line(second, AMLODIPINE, second.admit + dt.timedelta(minutes=10), qty=7)
        b.hit("D09", second.encounter_id, positive)


def plant_d10(b: PlantBook) -> None:
    """Cefuroxime and calcium gluconate started the same day; near miss: calcium started the next day."""
    inst, day = b.inst("l2"), day_of(b.target, 12)
    for offset, positive in ((0, True), (1, False)):
        e = b.stay(inst, b.patient(), day, 4, dx=("J18.000",))
        for d in range(3):
            b.line(e, CEFUROXIME, at(day + dt.timedelta(days=d), 10), qty=4)
        b.line(e, CALCIUM, at(day + dt.timedelta(days=offset), 15))
        b.hit("D10", e.encounter_id, positive)


PLANTS = (
    plant_d01,
    plant_d02,
    plant_d03,
    plant_d04,
    plant_d05,
    plant_d06,
    plant_d07,
    plant_d08,
    plant_d09,
    plant_d10,
)
