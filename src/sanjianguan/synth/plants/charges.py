"""Planted cases of the charge rules C01-C14 (不合理收费)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sanjianguan.synth.plants.builder import PlantBook, at, day_of
from sanjianguan.synth.templates import (
    BED,
    CT,
    CT_ENHANCED,
    DR,
    ER_CONSULT,
    HBA1C,
    ICU_BED,
    IP_CONSULT,
    OP_CONSULT,
)

ICU_MONITOR = "001103000010000"  # 急诊监护费 includes 急诊诊查费
HEARING = "003402000350000"  # 儿童听力障碍语言训练: once per ISO week, children only
SCALP_IV = "001204000070000"  # 小儿头皮静脉输液: age ≤ 6
PROSTATE = "002501040130000"  # 前列腺液常规检查: men only
ANGONG = "ZA07AAA0061010100166"  # 安宫牛黄丸: inpatients only


def plant_c01(b: PlantBook) -> None:
    """Ward round charged twice on one day (net 2 > 1); near miss: the second refunded (net 1)."""
    inst, d = b.inst("l3"), day_of(b.target, 5)
    pos = b.stay(inst, b.patient(), d, 4)
    b.line(pos, IP_CONSULT, at(d + dt.timedelta(days=1), 15))
    b.hit("C01", pos.encounter_id)
    neg = b.stay(inst, b.patient(), d, 4)
    b.line(neg, IP_CONSULT, at(d + dt.timedelta(days=1), 15))
    b.line(neg, IP_CONSULT, at(d + dt.timedelta(days=1), 16), qty=-1)
    b.hit("C01", neg.encounter_id, positive=False)


def plant_c02(b: PlantBook) -> None:
    """Price 1 yuan above the cap; near misses: exactly cap + 0.01, and a level-0 clinic at the l1 cap."""
    inst = b.inst("l2")
    cap = Decimal(b.cat.row(OP_CONSULT)["price_cap_l2"])
    for price, positive in ((cap + 1, True), (cap + Decimal("0.01"), False)):
        e = b.visit(inst, b.patient(), at(day_of(b.target, 6), 9), consult=False)
        b.line(e, OP_CONSULT, e.admit, price=str(price))
        b.hit("C02", e.encounter_id, positive)
    clinic = b.clinic()
    e = b.visit(clinic, b.patient(), at(day_of(b.target, 6), 10), consult=False)
    b.line(e, OP_CONSULT, e.admit, price=b.cat.row(OP_CONSULT)["price_cap_l1"])
    b.hit("C02", e.encounter_id, positive=False)
    # An item without any cap (a drug) is never over-priced, whatever its price.
    e = b.visit(inst, b.patient(), at(day_of(b.target, 6), 11))
    b.line(e, "XN02BEA163A001010100174", e.admit + dt.timedelta(minutes=9), qty=9, price="9.99")
    b.hit("C02", e.encounter_id, positive=False)


def plant_c03(b: PlantBook) -> None:
    """Emergency monitoring billed with the consultation it includes; near miss: that refunded in full."""
    inst = b.inst("l3")
    for positive in (True, False):
        e = b.visit(
            inst, b.patient(), at(day_of(b.target, 7), 21), etype="emergency", dept="急诊科", consult=False
        )
        b.line(e, ICU_MONITOR, e.admit + dt.timedelta(minutes=10))
        b.line(e, ER_CONSULT, e.admit + dt.timedelta(minutes=5))
        if not positive:
            b.line(e, ER_CONSULT, e.admit + dt.timedelta(minutes=50), qty=-1)
        b.hit("C03", e.encounter_id, positive)


def plant_c04(b: PlantBook) -> None:
    """ICU bed and ward bed on one day; near miss: ICU on day 1, ward bed from day 2."""
    inst, d = b.inst("l3"), day_of(b.target, 8)
    pos = b.stay(inst, b.patient(), d, 4)
    b.line(pos, ICU_BED, at(d + dt.timedelta(days=1), 20))
    b.hit("C04", pos.encounter_id)
    neg = b.stay(inst, b.patient(), d, 4)
    first_bed = next(r for r in neg.lines if r["item_code"] == BED)
    first_bed["item_code"], first_bed["item_name"] = ICU_BED, b.cat.row(ICU_BED)["name"]
    first_bed["unit_price"] = Decimal(b.cat.base_price_cents(ICU_BED, inst.level)) / 100
    first_bed["amount"] = first_bed["unit_price"] * first_bed["quantity"]
    b.hit("C04", neg.encounter_id, positive=False)


def plant_c05(b: PlantBook) -> None:
    """Bed billed LOS + 1 times (the extra on the discharge day); near miss: the extra refunded."""
    inst, d = b.inst("l2"), day_of(b.target, 9)
    for positive in (True, False):
        e = b.stay(inst, b.patient(), d, 5)
        b.line(e, BED, at(d + dt.timedelta(days=5), 9))
        if not positive:
            b.line(e, BED, at(d + dt.timedelta(days=5), 9, 30), qty=-1)
        b.hit("C05", e.encounter_id, positive)


def plant_c06(b: PlantBook) -> None:
    """A prostate-fluid test for a woman; near miss: the same for a patient of unknown sex (9)."""
    inst = b.inst("l2")
    for sex, positive in (("2", True), ("9", False)):
        e = b.visit(inst, b.patient(sex=sex), at(day_of(b.target, 10), 9))
        b.line(e, PROSTATE, e.admit + dt.timedelta(minutes=20))
        b.hit("C06", e.encounter_id, positive)


def plant_c07(b: PlantBook) -> None:
    """Scalp IV (age ≤ 6): a 30-year-old and a child on their 7th birthday fire; the day before does not."""
    inst = b.inst("l2")
    day = day_of(b.target, 11)
    cases = (
        (dt.date(day.year - 30, 1, 1), True),
        (_birthday(day, 7), True),
        (_birthday(day + dt.timedelta(days=1), 7), False),
    )
    for birth, positive in cases:
        e = b.visit(inst, b.patient(birth=birth), at(day, 10), dx=("J06.900",), dept="儿科")
        b.line(e, SCALP_IV, e.admit + dt.timedelta(minutes=30))
        b.hit("C07", e.encounter_id, positive)


def _birthday(day: dt.date, years: int) -> dt.date:
    """The birth date of someone who turns `years` on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def plant_c08(b: PlantBook) -> None:
    """A lab charged the day after discharge; near miss: charged on the discharge day at 23:59."""
    inst, d = b.inst("l2"), day_of(b.target, 12)
    for positive in (True, False):
        e = b.stay(inst, b.patient(), d, 4)
        when = at(d + dt.timedelta(days=5), 9) if positive else at(d + dt.timedelta(days=4), 23, 59)
        b.line(e, "002503020010000", when)
        b.hit("C08", e.encounter_id, positive)


def plant_c09(b: PlantBook) -> None:
    """A visit at the same hospital during a stay; near misses: on the admission day, and an emergency."""
    inst, d = b.inst("l3"), day_of(b.target, 5)
    for offset, etype, positive in (
        (3, "outpatient", True),
        (0, "outpatient", False),
        (3, "emergency", False),
    ):
        pid = b.patient()
        b.stay(inst, pid, d, 6)
        v = b.visit(inst, pid, at(d + dt.timedelta(days=offset), 15), etype=etype)
        b.hit("C09", v.encounter_id, positive)


def plant_c10(b: PlantBook) -> None:
    """A chest DR without report at a hospital that uploads reports; near misses: a clinic that uploads
    none, and a DR refunded in full."""
    inst, day = b.inst("l2"), day_of(b.target, 13)
    e = b.visit(inst, b.patient(), at(day, 9), dx=("J20.900",))
    b.line(e, DR, e.admit + dt.timedelta(minutes=20))
    e.no_report.add(DR)
    b.hit("C10", e.encounter_id)
    e = b.visit(b.clinic(), b.patient(), at(day, 10), dx=("J20.900",))
    b.line(e, DR, e.admit + dt.timedelta(minutes=20))
    e.no_report.add(DR)
    b.hit("C10", e.encounter_id, positive=False)
    e = b.visit(inst, b.patient(), at(day, 11), dx=("J20.900",))
    b.line(e, DR, e.admit + dt.timedelta(minutes=20))
    b.line(e, DR, e.admit + dt.timedelta(minutes=50), qty=-1)
    e.no_report.add(DR)
    b.hit("C10", e.encounter_id, positive=False)


def plant_c11(b: PlantBook) -> None:
    """An inpatient-only drug in a visit, and the outpatient consultation fee in a stay; near miss: the
    inpatient-only drug in a stay."""
    inst, day = b.inst("l3"), day_of(b.target, 14)
    e = b.visit(inst, b.patient(), at(day, 9), dx=("I63.900",))
    b.line(e, ANGONG, e.admit + dt.timedelta(minutes=10))
    b.hit("C11", e.encounter_id)
    s = b.stay(inst, b.patient(), day, 4, dx=("I63.900",))
    b.line(s, OP_CONSULT, at(day, 9, 5))
    b.hit("C11", s.encounter_id)
    s = b.stay(inst, b.patient(), day, 4, dx=("I63.900",))
    b.line(s, ANGONG, at(day, 11))
    b.hit("C11", s.encounter_id, positive=False)


def plant_c12(b: PlantBook) -> None:
    """HbA1c twice in one calendar month (two hospitals); near miss: a weekly item on a Sunday and the
    next Monday (two ISO weeks)."""
    pid = b.patient(age=60)
    first = b.visit(b.inst("l2"), pid, at(day_of(b.target, 3), 9), dx=("E11.900",))
    b.line(first, HBA1C, first.admit + dt.timedelta(minutes=20))
    second = b.visit(b.inst("l3"), pid, at(day_of(b.target, 20), 9), dx=("E11.900",))
    b.line(second, HBA1C, second.admit + dt.timedelta(minutes=20))
    b.hit("C12", pid)
    kid = b.patient(age=8)
    sunday = next(day_of(b.target, n) for n in range(1, 8) if day_of(b.target, n).weekday() == 6)
    for day in (sunday, sunday + dt.timedelta(days=1)):
        v = b.visit(b.inst("l2"), kid, at(day, 10), dx=("R51.x00",), dept="儿科")
        b.line(v, HEARING, v.admit + dt.timedelta(minutes=20))
    b.hit("C12", kid, positive=False)


def plant_c13(b: PlantBook) -> None:
    """A stay settled 181 days after its last charge; near miss: its first charge exactly 180 days before."""
    inst = b.inst("l2")
    settle = at(day_of(b.target, 15), 11)
    e = b.stay(inst, b.patient(), settle.date() - dt.timedelta(days=183), 3, settled=settle)
    b.hit("C13", e.encounter_id)
    e = b.stay(inst, b.patient(), settle.date() - dt.timedelta(days=180), 3, settled=settle)
    b.hit("C13", e.encounter_id, positive=False)


def plant_c14(b: PlantBook) -> None:
    """Contrast CT charged at a level-3 hospital whose report is of a plain CT (cap 180 < 260: 串换收费);
    near misses: a report of the contrast CT as well, and a plain CT charged with a report of the dearer
    contrast CT. The positive and the second near miss charge an exam with no report of its own, so
    C10 (检查无报告) fires on them too, as rules.md allows."""
    inst, day = b.inst("l3"), day_of(b.target, 17)
    for charged, reported, own_report in (
        (CT_ENHANCED, CT, False),
        (CT_ENHANCED, CT, True),
        (CT, CT_ENHANCED, False),
    ):
        e = b.visit(inst, b.patient(age=52), at(day, 9), dx=("R51.x00",))
        line = b.line(e, charged, e.admit + dt.timedelta(minutes=20))
        if not own_report:
            e.no_report.add(charged)
            b.hit("C10", e.encounter_id)
        e.reports.append(
            {
                "encounter_id": e.encounter_id,
                "report_id": f"{line['line_id']}-S",
                "item_code": reported,
                "performed_at": line["charged_at"] + dt.timedelta(minutes=40),
                "positive": False,
                "doctor_id": e.doctor,
            }
        )
        b.hit("C14", e.encounter_id, positive=charged == CT_ENHANCED and not own_report)


PLANTS = (
    plant_c01,
    plant_c02,
    plant_c03,
    plant_c04,
    plant_c05,
    plant_c06,
    plant_c07,
    plant_c08,
    plant_c09,
    plant_c10,
    plant_c11,
    plant_c12,
    plant_c13,
)
