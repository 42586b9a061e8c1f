"""Fee lines, drug orders, reports, consents and procedures of background encounters.

Everything is built as integer arrays (item index, time in seconds, quantity in
tenths, price in cents), so that amount = quantity × unit price is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from sanjianguan.synth.catalog import Catalog
from sanjianguan.synth.schedule import CHRONIC, EMERGENCY, INPATIENT, OUTPATIENT, Encounters
from sanjianguan.synth.templates import (
    ADMISSION_LABS,
    ANESTHESIA,
    BED,
    CBC,
    DOSES,
    ER_CONSULT,
    IP_CONSULT,
    IV,
    IV_ROUTES,
    IV_SET,
    NURSING2,
    OP_CONSULT,
    SIGNATURE_LABS,
    STAYS,
    VISITS,
    StayProfile,
    VisitProfile,
)
from sanjianguan.synth.templates import (
    CHRONIC as CHRONIC_VISITS,
)

Ints = npt.NDArray[np.int64]
DAY, HOUR, MINUTE = 86_400, 3_600, 60


@dataclass
class Parts:
    """Growing lists of array parts of one kind of row."""

    cols: dict[str, list[Ints]] = field(default_factory=dict)

    def add(self, **arrays: Ints) -> None:
        for name, arr in arrays.items():
            self.cols.setdefault(name, []).append(np.asarray(arr, dtype=np.int64))

    def done(self, names: tuple[str, ...]) -> dict[str, Ints]:
        return {
            n: (np.concatenate(self.cols[n]) if n in self.cols else np.zeros(0, dtype=np.int64))
            for n in names
        }


LINE_COLS = ("enc", "item", "t", "qty10", "price", "doctor")
ORDER_COLS = ("enc", "item", "start", "end", "supply", "doctor")
PROC_COLS = ("enc", "profile", "t", "operator")


@dataclass
class Built:
    lines: dict[str, Ints]
    orders: dict[str, Ints]
    procedures: dict[str, Ints]


class LineBuilder:
    """Builds the child rows of a chunk's encounters."""

    def __init__(self, cat: Catalog, level: Ints, factor: Ints, surgeon_first: Ints, surgeons: Ints) -> None:
        self.cat = cat
        self.inst_level = level
        self.inst_factor = factor
        self.surgeon_first = surgeon_first
        self.surgeons = surgeons
        n = len(cat.codes)
        self.base = np.array(
            [[cat.base_price_cents(c, lvl) for lvl in range(4)] for c in cat.codes], dtype=np.int64
        )
        self.idx = cat.index
        self.upd = np.zeros(n, dtype=np.int64)
        self.course = np.zeros(n, dtype=np.int64)
        for code, d in DOSES.items():
            self.upd[self.idx[code]] = d.units_per_day
            self.course[self.idx[code]] = d.course

    # ------------------------------------------------------------------ helpers
    def _line(self, parts: Parts, enc: Encounters, pos: Ints, code: str | Ints, t: Ints, qty10: Ints) -> None:
        item = np.full(len(pos), self.idx[code], dtype=np.int64) if isinstance(code, str) else code
        inst = enc.inst[pos]
        price = self.base[item, self.inst_level[inst]] * self.inst_factor[inst] // 100
        parts.add(enc=pos, item=item, t=t, qty10=qty10, price=price, doctor=enc.doctor[pos])

    @staticmethod
    def _expand(pos: Ints, days: Ints) -> tuple[Ints, Ints]:
        rep = np.repeat(pos, days)
        starts = np.repeat(np.cumsum(days) - days, days)
        return rep, np.arange(len(rep), dtype=np.int64) - starts

    # ------------------------------------------------------------------ times
    @staticmethod
    def admit_seconds(enc: Encounters) -> Ints:
        """Visit time, or admission time (admission day = discharge day - LOS)."""
        minutes = (enc.u * 540).astype(np.int64)
        inpatient = enc.etype == INPATIENT
        base = (enc.day - enc.los) * DAY + np.where(inpatient, 9 * HOUR, 8 * HOUR)
        return base + minutes * MINUTE

    @staticmethod
    def discharge_seconds(enc: Encounters) -> Ints:
        return enc.day * DAY + 10 * HOUR + ((enc.u * 977) % 1 * 180).astype(np.int64) * MINUTE

    # ------------------------------------------------------------------ build
    def build(self, enc: Encounters, child: npt.NDArray[np.bool_], signature: Ints) -> Built:
        lines, orders, procs = Parts(), Parts(), Parts()
        admit = self.admit_seconds(enc)
        for etype, profiles in ((OUTPATIENT, VISITS), (EMERGENCY, VISITS), (CHRONIC, CHRONIC_VISITS)):
            for p, prof in enumerate(profiles):
                pos = np.flatnonzero((enc.etype == etype) & (enc.profile == p))
                if len(pos):
                    self._visit(lines, orders, enc, pos, admit, prof, etype, child)
        for p, stay in enumerate(STAYS):
            pos = np.flatnonzero((enc.etype == INPATIENT) & (enc.profile == p))
            if len(pos):
                self._stay(lines, orders, procs, enc, pos, admit, stay, signature)
        return Built(lines.done(LINE_COLS), orders.done(ORDER_COLS), procs.done(PROC_COLS))

    def _visit(
        self,
        lines: Parts,
        orders: Parts,
        enc: Encounters,
        pos: Ints,
        admit: Ints,
        prof: VisitProfile,
        etype: int,
        child: npt.NDArray[np.bool_],
    ) -> None:
        t0 = admit[pos] + 5 * MINUTE
        ten = np.full(len(pos), 10, dtype=np.int64)
        if prof.consult:
            self._line(lines, enc, pos, ER_CONSULT if etype == EMERGENCY else OP_CONSULT, t0, ten)
        for j, code in enumerate(prof.extra):
            self._line(lines, enc, pos, code, t0 + (40 + j) * MINUTE, ten)
        supply_days = np.where(
            etype == CHRONIC, 28 + (enc.u[pos] * 3).astype(np.int64), 3 + (enc.u[pos] * 5).astype(np.int64)
        )
        kids = child[pos] if prof.child_drugs else np.zeros(len(pos), dtype=bool)
        for group, drugs in ((~kids, prof.drugs), (kids, prof.child_drugs)):
            sel = pos[group]
            for j, code in enumerate(drugs):
                item = self.idx[code]
                days = supply_days[group]
                t = t0[group] + (j + 1) * MINUTE
                qty = self.upd[item] * days * 10
                self._line(lines, enc, sel, code, t, qty)
                orders.add(
                    enc=sel,
                    item=np.full(len(sel), item),
                    start=t,
                    end=np.full(len(sel), -1),
                    supply=days,
                    doctor=enc.doctor[sel],
                )
                # A few patients hand back part of their drugs (退药): a negative line.
                refund = ((enc.u[sel] * 613 + j) % 1 < 0.03) & (qty >= 30)
                if refund.any():
                    back = -(qty[refund] // 30) * 10
                    self._line(lines, enc, sel[refund], code, t[refund] + HOUR, back)
        lvl = self.inst_level[enc.inst[pos]]
        with_tests = pos[(lvl >= 1) & ((enc.u[pos] * 131) % 1 < 0.6)]
        tt = admit[with_tests] + 20 * MINUTE
        for code in prof.labs:
            self._line(lines, enc, with_tests, code, tt, np.full(len(with_tests), 10))
        if prof.exam:
            self._line(lines, enc, with_tests, prof.exam, tt + MINUTE, np.full(len(with_tests), 10))
        if prof.treatment:
            self._line(lines, enc, pos, prof.treatment, t0 + 30 * MINUTE, np.full(len(pos), 10))

    def _day_time(self, admit: Ints, pos: Ints, day: Ints, slot: int) -> Ints:
        first = admit[pos] + (30 + slot) * MINUTE
        later = (admit[pos] // DAY + day) * DAY + 9 * HOUR + slot * MINUTE
        return np.where(day == 0, first, later)

    def _stay(
        self,
        lines: Parts,
        orders: Parts,
        procs: Parts,
        enc: Encounters,
        pos: Ints,
        admit: Ints,
        stay: StayProfile,
        signature: Ints,
    ) -> None:
        los = enc.los[pos]
        rep, day = self._expand(pos, los)
        ones = np.full(len(rep), 10, dtype=np.int64)
        for slot, code in enumerate((BED, NURSING2, IP_CONSULT)):
            self._line(lines, enc, rep, code, self._day_time(admit, rep, day, slot), ones)
        for j, (code, per_day) in enumerate(stay.daily):
            self._line(
                lines, enc, rep, code, self._day_time(admit, rep, day, 5 + j), np.full(len(rep), per_day * 10)
            )
        iv_count = np.zeros((len(pos), 28), dtype=np.int64)
        for j, code in enumerate(stay.drugs):
            item, dose = self.idx[code], DOSES[code]
            days = np.minimum(los, dose.course)
            r, d = self._expand(pos, days)
            t = self._day_time(admit, r, d, 10 + j)
            self._line(lines, enc, r, code, t, np.full(len(r), dose.units_per_day * 10))
            start = admit[pos] + (40 + j) * MINUTE
            end = (admit[pos] // DAY + days) * DAY + 8 * HOUR
            orders.add(
                enc=pos,
                item=np.full(len(pos), item),
                start=start,
                end=end,
                supply=np.full(len(pos), -1),
                doctor=enc.doctor[pos],
            )
            if dose.route in IV_ROUTES:
                iv_count[:, : dose.course] += np.arange(28)[None, : dose.course] < days[:, None]
        r, d = np.nonzero(iv_count)
        if len(r):
            qty = iv_count[r, d] * 10
            rp = pos[r]
            self._line(lines, enc, rp, IV, self._day_time(admit, rp, d, 20), qty)
            self._line(lines, enc, rp, IV_SET, self._day_time(admit, rp, d, 21), qty)
        zero = np.zeros(len(pos), dtype=np.int64)
        for j, code in enumerate(ADMISSION_LABS):
            self._line(lines, enc, pos, code, self._day_time(admit, pos, zero, 25 + j), np.full(len(pos), 10))
        for b, code in enumerate(SIGNATURE_LABS):
            on = pos[(signature[pos] >> b) & 1 == 1]
            self._line(
                lines,
                enc,
                on,
                code,
                self._day_time(admit, on, np.ones(len(on), dtype=np.int64), 30 + b),
                np.full(len(on), 10),
            )
        self._line(lines, enc, pos, CBC, self._day_time(admit, pos, los - 1, 50), np.full(len(pos), 10))
        for j, code in enumerate(stay.exams):
            self._line(lines, enc, pos, code, self._day_time(admit, pos, zero, 60 + j), np.full(len(pos), 10))
        if stay.surgery is not None:
            self._surgery(lines, procs, enc, pos, admit, stay)

    def _surgery(
        self, lines: Parts, procs: Parts, enc: Encounters, pos: Ints, admit: Ints, stay: StayProfile
    ) -> None:
        assert stay.surgery is not None
        t = (admit[pos] // DAY + 1) * DAY + 10 * HOUR
        ten = np.full(len(pos), 10, dtype=np.int64)
        self._line(lines, enc, pos, stay.surgery.item, t, ten)
        self._line(lines, enc, pos, ANESTHESIA, t + MINUTE, ten * 2)
        if stay.surgery.material:
            self._line(lines, enc, pos, stay.surgery.material, t + 2 * MINUTE, ten)
        inst = enc.inst[pos]
        pick = ((enc.u[pos] * 389) % 1 * self.surgeons[inst]).astype(np.int64)
        procs.add(enc=pos, profile=enc.profile[pos], t=t, operator=self.surgeon_first[inst] + pick)


def dose_units(text: str) -> int:
    """A dose as integer 1/10 000 units."""
    return int(Decimal(text) * 10_000)
