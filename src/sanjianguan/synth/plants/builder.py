"""A small row-oriented builder for planted cases (构造的问题病例) and their truth.

One set of planted encounters is small, so it is built as Python rows; at a hit rate
each (plant, month) is built so once, as a template, and stamped column-wise
(stamp.py). Every plant gets fresh patients (each in a village of their own), fresh
encounters and, where a rule looks at doctors, its own doctor; a default stay or visit
is clean with respect to every rule, and each plant then changes exactly what its rule
is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sanjianguan.synth.catalog import Catalog
from sanjianguan.synth.region import Institution, Region, Staff
from sanjianguan.synth.schedule import Month
from sanjianguan.synth.templates import BED, CBC, DOSES, IP_CONSULT, NURSING2, OP_CONSULT, SIGNATURE_LABS

EPOCH = dt.date(1970, 1, 1)
# At scale a plants' everyday doctor is replaced after this many encounters, so that no
# doctor of the plants sees more than 100 visits a day (T09) however many cases land on a day.
ATTENDING_ROTATION = 40
PATIENT_VILLAGES = 100_000  # villages of plant patients per county (townships 900-999)


def day_of(month: Month, n: int) -> dt.date:
    """Day n (1-based, may overflow either way) of a month."""
    return EPOCH + dt.timedelta(days=month.first_day + n - 1)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute)


@dataclass
class PlantEncounter:
    encounter_id: str
    inst: Institution
    patient_id: str
    etype: str
    admit: dt.datetime
    discharge: dt.datetime | None
    dx: list[str]
    doctor: str
    dept: str
    drg: str | None = None
    disposition: str | None = "1"
    planned: bool = False
    settled: dt.datetime | None = None
    main: str | None = None  # main_diagnosis when it must differ from dx[0] (e.g. empty)
    lines: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    procedures: list[dict[str, Any]] = field(default_factory=list)
    no_report: set[str] = field(default_factory=set)
    no_consent: set[str] = field(default_factory=set)
    no_order: set[str] = field(default_factory=set)

    @property
    def settlement(self) -> dt.datetime:
        return self.settled or self.discharge or self.admit


class PlantBook:
    """Collects planted rows by settlement month, and the truth rows."""

    def __init__(self, cat: Catalog, region: Region, months: list[Month], first_patient: int) -> None:
        self.cat = cat
        self.region = region
        self.all_months = months
        self.months = months
        self.target = months[-1]
        self.lookback = months[-2] if len(months) > 1 else months[-1]
        self.encounters: list[PlantEncounter] = []
        self.patients: dict[str, dict[str, Any]] = {}
        self.staff: list[Staff] = []
        self.truth: list[tuple[str, str, str]] = []
        self._next_patient = first_patient
        self._n_enc = 0
        self._n_line = 0
        self._n_stay = 0
        self._doctors: dict[int, str] = {}
        self._doctor_uses: dict[int, int] = {}
        self.stats: dict[str, Any] = {}
        # At scale (sjg synth --hit-rate) plants are repeated (stamped, see stamp.py): the plants
        # whose cases would interfere when repeated (T05's village, T07's near miss, M02's
        # regional P95) take their repeatable form.
        self.at_scale = False
        # The stamped placements (stamp.Stamp), whose rows are produced month by month.
        self.stamps: list[Any] = []
        self._n_village = 0
        self._n_unlisted = 0

    # ------------------------------------------------------------------ places and people
    def inst(self, tier: str, n: int = 0) -> Institution:
        """The n-th institution of a tier across the region."""
        insts = [i for i in self.region.institutions if i.tier == tier]
        return insts[n % len(insts)]

    def clinic(self) -> Institution:
        return next(i for i in self.region.institutions if i.category == "诊所")

    def patient(
        self,
        sex: str = "1",
        birth: dt.date | None = None,
        age: int = 45,
        death: dt.date | None = None,
        address: str | None = None,
    ) -> str:
        k = self._next_patient
        self._next_patient += 1
        pid = f"P{k:010d}"
        counties = self.region.counties
        county = counties[k // PATIENT_VILLAGES % len(counties)][0]
        self.patients[pid] = {
            "patient_id": pid,
            "sex": sex,
            "birth_date": birth or dt.date(self.target.year - age, 3, 15),
            "insurance_type": "居民",
            "poverty_registered": False,
            # A village of its own (township 9xx is not used by the background).
            "address_code": address or f"{county}{900 + k // 1000 % 100:03d}{k % 1000:03d}",
            "death_date": death,
        }
        return pid

    def village(self) -> str:
        """A village no one else lives in (township 8xx: neither the background's nor the patients')."""
        v = self._n_village
        self._n_village += 1
        counties = self.region.counties
        county = counties[v // PATIENT_VILLAGES % len(counties)][0]
        return f"{county}{800 + v // 1000 % 100:03d}{v % 1000:03d}"

    def doctor(
        self,
        inst: Institution,
        antibiotic: str | None = "特殊使用级",
        surgery: int | None = 4,
        listed: bool = True,
        title: str = "主治医师",
    ) -> str:
        sid = f"D9{len(self.staff) + 1:06d}"
        if not listed and self.at_scale:
            # Once, the next listed doctor may take this id; repeated, it would lend its
            # privileges to some other plant's doctor missing from staff (D07, T12).
            self._n_unlisted += 1
            sid = f"D8{self._n_unlisted:06d}"
        staff = Staff(sid, inst.index, "doctor", "测试医师", "1", "内科", title, antibiotic, surgery)
        if listed:
            self.staff.append(staff)
        return sid

    def attending(self, inst: Institution) -> str:
        """The plants' everyday doctor of an institution (full privileges)."""
        uses = self._doctor_uses.get(inst.index, 0)
        if inst.index not in self._doctors or (self.at_scale and uses >= ATTENDING_ROTATION):
            self._doctors[inst.index] = self.doctor(inst)
            uses = 0
        self._doctor_uses[inst.index] = uses + 1
        return self._doctors[inst.index]

    # ------------------------------------------------------------------ encounters
    def encounter(
        self,
        inst: Institution,
        patient: str,
        etype: str,
        admit: dt.datetime,
        discharge: dt.datetime | None = None,
        dx: tuple[str, ...] = ("K92.200",),
        doctor: str | None = None,
        dept: str = "内科",
        **kw: Any,
    ) -> PlantEncounter:
        eid = self._encounter_id()
        enc = PlantEncounter(
            eid, inst, patient, etype, admit, discharge, list(dx), doctor or self.attending(inst), dept, **kw
        )
        if etype != "inpatient":
            enc.disposition = None
        self.encounters.append(enc)
        return enc

    def _encounter_id(self) -> str:
        self._n_enc += 1
        return f"E{self.target.year:04d}{self.target.month:02d}9{self._n_enc:08d}"

    def _line_id(self) -> str:
        self._n_line += 1
        return f"L{self.target.year:04d}{self.target.month:02d}9{self._n_line:09d}"

    def line(
        self,
        enc: PlantEncounter,
        code: str,
        when: dt.datetime,
        qty: str | int = 1,
        price: str | None = None,
        doctor: str | None = None,
    ) -> dict[str, Any]:
        q = Decimal(str(qty))
        p = (
            Decimal(price)
            if price is not None
            else Decimal(self.cat.base_price_cents(code, enc.inst.level)) / 100
        )
        row = {
            "line_id": self._line_id(),
            "encounter_id": enc.encounter_id,
            "item_code": code,
            "item_name": self.cat.row(code)["name"],
            "item_type": self.cat.row(code)["item_type"],
            "charged_at": when,
            "quantity": q,
            "unit_price": p,
            "amount": q * p,
            "ordering_doctor_id": doctor or enc.doctor,
            "department": enc.dept,
            "insurance_class": "甲",
        }
        enc.lines.append(row)
        return row

    def order(
        self,
        enc: PlantEncounter,
        code: str,
        start: dt.datetime,
        end: dt.datetime | None = None,
        supply: int | None = None,
        dose: str | None = None,
        unit: str | None = None,
        route: str | None = None,
        times: int | None = None,
        doctor: str | None = None,
    ) -> None:
        d = DOSES[code]
        enc.orders.append(
            {
                "encounter_id": enc.encounter_id,
                "order_id": f"{enc.encounter_id}-O{len(enc.orders) + 1}",
                "drug_code": code,
                "dose": Decimal(dose or d.dose),
                "dose_unit": unit or d.unit,
                "route": route or d.route,
                "times_per_day": Decimal(times or d.times),
                "start_at": start,
                "end_at": end,
                "days_supply": supply,
                "doctor_id": doctor or enc.doctor,
                "prescription_id": enc.encounter_id if supply is not None else None,
            }
        )
        enc.no_order.add(code)

    def procedure(
        self, enc: PlantEncounter, icd9: str, when: dt.datetime, level: int, operator: str | None = None
    ) -> None:
        enc.procedures.append(
            {
                "encounter_id": enc.encounter_id,
                "seq": len(enc.procedures) + 1,
                "icd9cm3_code": icd9,
                "performed_at": when,
                "operator_id": operator or enc.doctor,
                "surgery_level": level,
                "incision_class": "I",
                "healing": "甲",
                "complication": False,
                "site_infection": False,
            }
        )

    # ------------------------------------------------------------------ clean templates
    def visit(
        self,
        inst: Institution,
        patient: str,
        when: dt.datetime,
        dx: tuple[str, ...] = ("K29.700",),
        etype: str = "outpatient",
        consult: bool = True,
        **kw: Any,
    ) -> PlantEncounter:
        """A clean visit: the consultation fee only."""
        enc = self.encounter(inst, patient, etype, when, None, dx, **kw)
        if consult:
            code = OP_CONSULT if etype != "emergency" else "001102000030000"
            self.line(enc, code, when + dt.timedelta(minutes=5))
        return enc

    def stay(
        self,
        inst: Institution,
        patient: str,
        admit: dt.date,
        los: int,
        dx: tuple[str, ...] = ("K92.200",),
        daily: bool = True,
        signature: bool = True,
        **kw: Any,
    ) -> PlantEncounter:
        """A clean stay: bed, nursing and the daily ward round for each of the LOS days, an
        admission blood count, and signature labs that make its item set unique."""
        enc = self.encounter(
            inst, patient, "inpatient", at(admit, 9), at(admit + dt.timedelta(days=los), 10), dx, **kw
        )
        if daily:
            for d in range(los):
                day = admit + dt.timedelta(days=d)
                for j, code in enumerate((BED, NURSING2, IP_CONSULT)):
                    self.line(enc, code, at(day, 9, 30 + j) if d == 0 else at(day, 8, j))
        self.line(enc, CBC, at(admit, 10))
        if signature:
            self.sign(enc, admit)
        else:
            self._n_stay += 1
        return enc

    def sign(self, enc: PlantEncounter, day: dt.date) -> None:
        """Signature labs on `day` (bits of a stay counter): a planted stay's own item set."""
        self._n_stay += 1
        for b, code in enumerate(SIGNATURE_LABS):
            if (self._n_stay >> b) & 1:
                self.line(enc, code, at(day, 10, 1 + b))

    def hit(self, rule: str, key: str, positive: bool = True) -> None:
        self.truth.append((rule, key, "positive" if positive else "negative"))

    # ------------------------------------------------------------------ finishing
    def finish(self) -> None:
        """Add the orders, reports and consents that a clean record has, unless a plant said not to."""
        for enc in self.encounters:
            self._auto_orders(enc)
            for row in enc.lines:
                code = row["item_code"]
                if row["quantity"] <= 0:
                    continue
                if (
                    row["item_type"] == "exam"
                    and code not in enc.no_report
                    and not any(r["item_code"] == code for r in enc.reports)
                ):
                    enc.reports.append(
                        {
                            "encounter_id": enc.encounter_id,
                            "report_id": f"{row['line_id']}-R",
                            "item_code": code,
                            "performed_at": row["charged_at"] + dt.timedelta(minutes=40),
                            "positive": True,
                            "doctor_id": enc.doctor,
                        }
                    )
                if (
                    self.cat.row(code)["requires_consent"] == "1"
                    and code not in enc.no_consent
                    and not any(c["item_code"] == code for c in enc.consents)
                ):
                    enc.consents.append(
                        {
                            "encounter_id": enc.encounter_id,
                            "item_code": code,
                            "signed_at": row["charged_at"] - dt.timedelta(hours=2),
                        }
                    )

    def _auto_orders(self, enc: PlantEncounter) -> None:
        by_code: dict[str, list[dict[str, Any]]] = {}
        for row in enc.lines:
            if self.cat.is_drug(row["item_code"]) and row["item_code"] not in enc.no_order:
                by_code.setdefault(row["item_code"], []).append(row)
        for code, rows in by_code.items():
            first = min(r["charged_at"] for r in rows)
            last = max(r["charged_at"] for r in rows)
            if enc.etype == "inpatient":
                end = at(last.date() + dt.timedelta(days=1), 8)
                self.order(enc, code, first, end=end)
            else:
                qty = sum(r["quantity"] for r in rows)
                supply = max(1, int(qty) // DOSES[code].units_per_day)
                self.order(enc, code, first, supply=supply)

    def encounters_of(self, month: Month) -> list[PlantEncounter]:
        return [
            e for e in self.encounters if (e.settlement.year, e.settlement.month) == (month.year, month.month)
        ]
