"""Planted cases stamped many times (批量植入): a plant recorded once, placed column-wise.

At city size `sjg synth --hit-rate 0.03` repeats the plants about 157 000 times a month;
calling the row-by-row plant functions that often took about 15 minutes. Yet two
placements of one plant in one month differ only in identifiers: patients, villages,
encounters, lines, doctors, and the institution each of the plant's tier slots lands on.
So each (plant, month) is recorded once by a `TemplateBook` that writes tokens in place
of those identifiers, and all its placements are produced at once as Arrow columns
(`Stamp`), one settlement month at a time, when that month's batch is written.

Two things are decided per placement rather than per template:
- the signature labs of a planted stay (T07 费用雷同): a stay's number is its rank among
  the planted stays of its institution, settlement month and main diagnosis, so no two
  planted stays share an item set there (2^14 of them per institution, month and
  diagnosis, else a clear error) and no unplanted template-billing group can form;
- the plants' everyday doctors rotate every 40 encounters per institution (T09), as
  `PlantBook.attending` does row by row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sanjianguan.errors import ConfigError
from sanjianguan.synth.arrowcols import decimal_units, ids
from sanjianguan.synth.catalog import Catalog
from sanjianguan.synth.plants.builder import PATIENT_VILLAGES, PlantBook, PlantEncounter, at
from sanjianguan.synth.plants.rows import as_columns, rows_of
from sanjianguan.synth.region import Institution, Region
from sanjianguan.synth.schedule import Month
from sanjianguan.synth.templates import SIGNATURE_LABS
from sanjianguan.synth.writer import to_table

Ints = npt.NDArray[np.int64]
Plant = Callable[[PlantBook], None]
MonthKey = tuple[int, int]

MARK = "\x01"
_TOKEN = re.compile("^\x01([a-z])([0-9]+)\x01(.*)$", re.S)
# Plant patients per home village at most (T05 needs five distinct villagers in a cluster).
MAX_PER_VILLAGE = 4
SIGNATURES = 1 << len(SIGNATURE_LABS)


def token(kind: str, n: int) -> str:
    """A placeholder for the n-th identifier of a kind within one template."""
    return f"{MARK}{kind}{n}{MARK}"


def parse(value: object) -> tuple[str, int, str] | None:
    """(kind, local number, suffix) of a tokened value, None for a literal."""
    if not isinstance(value, str) or not value.startswith(MARK):
        return None
    m = _TOKEN.match(value)
    if m is None:
        raise ValueError(f"malformed token {value!r}")
    return m.group(1), int(m.group(2)), m.group(3)


class TemplateBook(PlantBook):
    """Records one plant placed in month k, with tokens for everything a placement renames.

    Institutions are tier slots (the n-th of a tier, shifted by the placement's offset);
    doctors are either the plant's own (listed or not) or an everyday-doctor use; a signed
    stay gets all signature labs, of which each placement keeps those of its own number.
    """

    def __init__(self, cat: Catalog, region: Region, months: list[Month], k: int) -> None:
        super().__init__(cat, region, months, 0)
        self.at_scale = True
        self.months = months[: k + 1]
        self.target = self.months[-1]
        self.lookback = self.months[-2] if len(self.months) > 1 else self.months[-1]
        self.k = k
        self.slots: list[tuple[str, int]] = []  # (tier, n) or ("fixed", institution index)
        self._slot_insts: dict[tuple[str, int], Institution] = {}
        self.attending_slots: list[int] = []
        self.own_doctors: list[tuple[int, str | None, int | None, str]] = []
        self.unlisted = 0
        self.signed: list[PlantEncounter] = []
        self.signature_lines: dict[str, tuple[PlantEncounter, int]] = {}  # line token → (stay, bit)

    def _slot(self, key: tuple[str, int], real: Institution) -> Institution:
        if key not in self._slot_insts:
            s = len(self.slots)
            self.slots.append(key)
            self._slot_insts[key] = dataclasses.replace(real, index=s, institution_id=token("i", s))
        return self._slot_insts[key]

    def inst(self, tier: str, n: int = 0) -> Institution:
        insts = [i for i in self.region.institutions if i.tier == tier]
        return self._slot((tier, n % len(insts)), insts[n % len(insts)])

    def clinic(self) -> Institution:
        real = next(i for i in self.region.institutions if i.category == "诊所")
        return self._slot(("fixed", real.index), real)

    def patient(
        self,
        sex: str = "1",
        birth: dt.date | None = None,
        age: int = 45,
        death: dt.date | None = None,
        address: str | None = None,
    ) -> str:
        j = self._next_patient
        self._next_patient += 1
        pid = token("p", j)
        self.patients[pid] = {
            "patient_id": pid,
            "sex": sex,
            "birth_date": birth or dt.date(self.target.year - age, 3, 15),
            "insurance_type": "居民",
            "poverty_registered": False,
            "address_code": address or token("h", j),
            "death_date": death,
        }
        return pid

    def village(self) -> str:
        v = self._n_village
        self._n_village += 1
        return token("v", v)

    def doctor(
        self,
        inst: Institution,
        antibiotic: str | None = "特殊使用级",
        surgery: int | None = 4,
        listed: bool = True,
        title: str = "主治医师",
    ) -> str:
        if not listed:
            self.unlisted += 1
            return token("u", self.unlisted - 1)
        self.own_doctors.append((inst.index, antibiotic, surgery, title))
        return token("d", len(self.own_doctors) - 1)

    def attending(self, inst: Institution) -> str:
        self.attending_slots.append(inst.index)
        return token("a", len(self.attending_slots) - 1)

    def _encounter_id(self) -> str:
        self._n_enc += 1
        return token("e", self._n_enc - 1)

    def _line_id(self) -> str:
        self._n_line += 1
        return token("l", self._n_line - 1)

    def sign(self, enc: PlantEncounter, day: dt.date) -> None:
        self.signed.append(enc)
        for b, code in enumerate(SIGNATURE_LABS):
            row = self.line(enc, code, at(day, 10, 1 + b))
            self.signature_lines[row["line_id"]] = (enc, b)


@dataclass
class _Table:
    """One contract table of a template month: typed literal columns, tokens by row."""

    table: pa.Table
    tokens: dict[str, list[tuple[str, int, str] | None]]


@dataclass
class _Part:
    """A template's rows settled in one month, and what a placement recomputes in them."""

    tables: dict[str, _Table]
    enc_local: Ints  # encounters table row → template encounter number
    inpatient: npt.NDArray[np.bool_]
    line_enc: Ints  # fee row → encounters table row
    line_units: Ints  # fee row amount in 1/10 000 yuan
    line_row: Ints  # template line number → fee row (-1: in another month)
    sig_stay: Ints  # fee row → signed-stay number (-1: not a signature lab)
    sig_bit: Ints
    stays: list[tuple[int, int, str]]  # signed stays here: (number, slot, main diagnosis)


@dataclass
class Template:
    """A plant recorded in month k: its rows by settlement month, truth and sizes."""

    plant: str
    k: int
    n_enc: int
    n_pat: int
    n_village: int
    slots: list[tuple[str, int]]
    attending_slots: list[int]
    own_doctors: list[tuple[int, str | None, int | None, str]]
    unlisted: int
    truth: list[tuple[str, str, str]]
    units: int
    parts: dict[MonthKey, _Part] = field(default_factory=dict)


def _units(value: Decimal) -> int:
    return int(value * 10_000)


def record(
    cat: Catalog, region: Region, months: list[Month], plant: Plant, k: int, units: Callable[..., int]
) -> Template:
    """Run `plant` once in month k with tokens for identifiers, and keep its rows column-wise."""
    book = TemplateBook(cat, region, months, k)
    plant(book)
    book.finish()
    for code in SIGNATURE_LABS:
        row = cat.row(code)
        if row["item_type"] == "exam" or row["requires_consent"] == "1" or cat.is_drug(code):
            raise AssertionError(f"signature lab {code} would need a report, consent or order")
    t = Template(
        plant.__name__,
        k,
        book._n_enc,
        book._next_patient,
        book._n_village,
        book.slots,
        book.attending_slots,
        book.own_doctors,
        book.unlisted,
        list(book.truth),
        units(book.truth),
    )
    by_month: dict[MonthKey, list[PlantEncounter]] = {}
    for e in book.encounters:
        by_month.setdefault((e.settlement.year, e.settlement.month), []).append(e)
    signed = {id(e): n for n, e in enumerate(book.signed)}
    for key, encs in by_month.items():
        rows = rows_of(book, encs)
        tables: dict[str, _Table] = {}
        for name, table_rows in rows.items():
            if not table_rows:
                continue
            columns = as_columns(table_rows)
            tokens = {}
            for col, values in columns.items():
                parsed = [parse(v) for v in values]
                if any(p is not None for p in parsed):
                    tokens[col] = parsed
                    columns[col] = [None if p is not None else v for v, p in zip(values, parsed, strict=True)]
            tables[name] = _Table(to_table(name, columns), tokens)
        row_of_enc = {e.encounter_id: i for i, e in enumerate(encs)}
        fees = rows["fee_items"]
        sig = [book.signature_lines.get(r["line_id"]) for r in fees]
        t.parts[key] = _Part(
            tables,
            np.array([_local(e.encounter_id) for e in encs], dtype=np.int64),
            np.array([e.etype == "inpatient" for e in encs], dtype=bool),
            np.array([row_of_enc[r["encounter_id"]] for r in fees], dtype=np.int64),
            np.array([_units(r["amount"]) for r in fees], dtype=np.int64),
            _line_rows([_local(r["line_id"]) for r in fees], book._n_line),
            np.array([signed[id(s[0])] if s else -1 for s in sig], dtype=np.int64),
            np.array([s[1] if s else 0 for s in sig], dtype=np.int64),
            [
                (signed[id(e)], e.inst.index, e.main if e.main is not None else (e.dx[0] if e.dx else ""))
                for e in encs
                if id(e) in signed
            ],
        )
    return t


def _line_rows(locals_: list[int], n_lines: int) -> Ints:
    out = np.full(n_lines, -1, dtype=np.int64)
    out[np.array(locals_, dtype=np.int64)] = np.arange(len(locals_), dtype=np.int64)
    return out


def _local(value: str) -> int:
    p = parse(value)
    if p is None:
        raise ValueError(f"not a token: {value!r}")
    return p[1]


@dataclass
class Stamp:
    """All placements of one template: identifiers allocated, rows produced month by month."""

    t: Template
    n: int  # placements
    insts: Ints  # (placement, slot) → institution index
    enc_base: int
    pat_base: int
    village_base: int
    unlisted_base: int
    own_doctors: Ints  # (placement, doctor) → staff number
    attending: Ints  # (placement, use) → staff number

    def tables(self, key: MonthKey, ctx: StampContext) -> Iterator[tuple[str, pa.Table]]:
        """The rows of every placement settled in month `key`, by contract table."""
        part = self.t.parts.get(key)
        if part is None:
            return
        n = self.n
        fee_n = len(part.line_enc)
        keep = np.ones((n, fee_n), dtype=bool)
        if part.stays:
            numbers = ctx.signatures(self, part, key)
            is_sig = part.sig_stay >= 0
            bits = (numbers[:, np.maximum(part.sig_stay, 0)] >> part.sig_bit[None, :]) & 1
            keep = ~is_sig[None, :] | (bits == 1)
        line_no = np.full((n, fee_n), -1, dtype=np.int64)
        kept = int(keep.sum())
        line_no[keep] = ctx.book._n_line + 1 + np.arange(kept, dtype=np.int64)
        ctx.book._n_line += kept
        totals = np.zeros((n, len(part.enc_local)), dtype=np.int64)
        for j in range(fee_n):
            totals[:, part.line_enc[j]] += np.where(keep[:, j], part.line_units[j], 0)
        target = ctx.months[self.t.k]
        ym = f"{target.year:04d}{target.month:02d}"
        for name, tt in part.tables.items():
            rows = tt.table.num_rows
            mask = keep if name == "fee_items" else np.ones((n, rows), dtype=bool)
            rep, row = np.nonzero(mask)
            arrays = []
            for f in tt.table.schema:
                if f.name in tt.tokens:
                    arrays.append(self._resolve(tt.tokens[f.name], rep, row, ym, line_no, part, ctx))
                elif name == "encounters" and f.name in ("total_amount", "insurance_paid", "self_paid"):
                    total = totals[rep, row]
                    paid = np.where(part.inpatient[row], _seventy_percent(total), 0)
                    value = {"total_amount": total, "insurance_paid": paid, "self_paid": total - paid}[f.name]
                    arrays.append(decimal_units(value))
                else:
                    arrays.append(pc.take(tt.table.column(f.name).combine_chunks(), pa.array(row)))
            yield name, pa.Table.from_arrays(arrays, schema=tt.table.schema)

    def _resolve(
        self,
        spec: list[tuple[str, int, str] | None],
        rep: Ints,
        row: Ints,
        ym: str,
        line_no: npt.NDArray[np.int64],
        part: _Part,
        ctx: StampContext,
    ) -> pa.Array:
        """A tokened column: every row's identifier, computed per (kind, suffix) for all placements."""
        groups: dict[tuple[str, str] | None, int] = {}
        keys = [None if x is None else (x[0], x[2]) for x in spec]
        group_of = np.array([groups.setdefault(k, len(groups)) for k in keys], dtype=np.int64)
        local_of = np.array([-1 if x is None else x[1] for x in spec], dtype=np.int64)
        g = group_of[row]
        order = np.argsort(g, kind="stable")
        pieces = []
        for key, gid in groups.items():
            sel = order[g[order] == gid]
            if not len(sel):
                continue
            if key is None:
                pieces.append(pa.nulls(len(sel), pa.string()))
                continue
            kind, suffix = key
            value = self._identifier(kind, local_of[row[sel]], rep[sel], ym, line_no, part, ctx)
            if suffix:
                value = pc.binary_join_element_wise(value, pa.scalar(suffix), "")
            pieces.append(value)
        joined = pa.concat_arrays(pieces)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return pc.take(joined, pa.array(inverse))

    def _identifier(
        self,
        kind: str,
        local: Ints,
        reps: Ints,
        ym: str,
        line_no: npt.NDArray[np.int64],
        part: _Part,
        ctx: StampContext,
    ) -> pa.Array:
        t = self.t
        if kind == "e":
            return ids(f"E{ym}9", self.enc_base + reps * t.n_enc + local + 1, 8)
        if kind == "l":
            return ids(f"L{ym}9", line_no[reps, part.line_row[local]], 9)
        if kind == "p":
            return ids("P", self.pat_base + reps * t.n_pat + local, 10)
        if kind == "h":
            return ctx.village_codes(self.pat_base + reps * t.n_pat + local, 900)
        if kind == "v":
            return ctx.village_codes(self.village_base + reps * t.n_village + local, 800)
        if kind == "i":
            return pc.take(ctx.institution_ids, pa.array(self.insts[reps, local]))
        if kind == "d":
            return ids("D9", self.own_doctors[reps, local], 6)
        if kind == "u":
            return ids("D8", self.unlisted_base + reps * t.unlisted + local + 1, 6)
        if kind == "a":
            return ids("D9", self.attending[reps, local], 6)
        raise ValueError(f"unknown token kind {kind!r}")


def _seventy_percent(total: Ints) -> Ints:
    """70 % of an amount (1/10 000 yuan) rounded half-even to the fen, as Decimal.quantize does."""
    q, rem = np.divmod(total * 7, 1000)  # q in fen: total × 0.7 / 100
    up = (rem > 500) | ((rem == 500) & (q % 2 == 1))
    return np.asarray((q + up) * 100, dtype=np.int64)


class StampContext:
    """What stamping shares across templates: the book's counters, lookups, signature ranks."""

    def __init__(self, book: PlantBook) -> None:
        self.book = book
        self.months = book.all_months
        insts = book.region.institutions
        self.institution_ids = pa.array([i.institution_id for i in insts], type=pa.string())
        self.counties = pa.array([c for c, _ in book.region.counties], type=pa.string())
        self._diagnoses: dict[str, int] = {}
        self._ranks: dict[MonthKey, dict[int, int]] = {}
        self._n_inst = len(insts)

    def village_codes(self, numbers: Ints, township: int) -> pa.Array:
        """Village address codes as `PlantBook.patient` / `village` write them."""
        county = pc.take(self.counties, pa.array(numbers // PATIENT_VILLAGES % len(self.counties)))
        town = ids("", township + numbers // 1000 % 100, 3)
        village = ids("", numbers % 1000, 3)
        return pc.binary_join_element_wise(county, town, village, "")

    def signatures(self, stamp: Stamp, part: _Part, key_month: MonthKey) -> Ints:
        """Per placement and signed stay: its rank (from 1) among the planted stays of its
        institution, settlement month and main diagnosis, so their item sets all differ."""
        width = max(s for s, _, _ in part.stays) + 1
        out = np.zeros((stamp.n, width), dtype=np.int64)
        ranks = self._ranks.setdefault(key_month, {})
        for number, slot, main in part.stays:
            dx = self._diagnoses.setdefault(main, len(self._diagnoses))
            keys = stamp.insts[:, slot] * 1_000_000 + dx
            # Placements in order; each placement's stay takes the next number of its key.
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            first = np.searchsorted(sorted_keys, sorted_keys, side="left")
            rank = np.empty_like(keys)
            rank[order] = np.arange(len(keys)) - first
            uniq, counts = np.unique(keys, return_counts=True)
            base = np.array([ranks.get(int(u), 0) for u in uniq], dtype=np.int64)
            out[:, number] = base[np.searchsorted(uniq, keys)] + rank + 1
            for u, c, b in zip(uniq.tolist(), counts.tolist(), base.tolist(), strict=True):
                ranks[u] = b + c
        if out.max() >= SIGNATURES:  # check_signatures refused this before writing
            raise _crowded(key_month)
        return out


def stamp(book: PlantBook, t: Template, offsets: list[int]) -> Stamp:
    """Allocate the identifiers of `len(offsets)` placements of `t` (each shifted by its offset
    along every tier), add their doctors to the book and their truth rows."""
    n = len(offsets)
    region = book.region
    tiers: dict[str, list[int]] = {}
    for inst in region.institutions:
        tiers.setdefault(inst.tier, []).append(inst.index)
    off = np.array(offsets, dtype=np.int64)
    insts = np.zeros((n, len(t.slots)), dtype=np.int64)
    for s, (tier, m) in enumerate(t.slots):
        if tier == "fixed":
            insts[:, s] = m
        else:
            members = np.array(tiers[tier], dtype=np.int64)
            insts[:, s] = members[(m + off) % len(members)]
    pat_base, village_base, unlisted_base = book._next_patient, book._n_village, book._n_unlisted
    book._next_patient += n * t.n_pat
    book._n_village += n * t.n_village
    book._n_unlisted += n * t.unlisted
    enc_base = book._n_enc
    book._n_enc += n * t.n_enc
    own = np.zeros((n, len(t.own_doctors)), dtype=np.int64)
    attending = np.zeros((n, len(t.attending_slots)), dtype=np.int64)
    objects = region.institutions
    for r in range(n):
        for j, (slot, antibiotic, surgery, title) in enumerate(t.own_doctors):
            sid = book.doctor(objects[insts[r, slot]], antibiotic=antibiotic, surgery=surgery, title=title)
            own[r, j] = int(sid[2:])
        for j, slot in enumerate(t.attending_slots):
            attending[r, j] = int(book.attending(objects[insts[r, slot]])[2:])
    placed = Stamp(t, n, insts, enc_base, pat_base, village_base, unlisted_base, own, attending)
    _check_villages(book, region)
    ctx = StampContext(book)
    ym = f"{book.all_months[t.k].year:04d}{book.all_months[t.k].month:02d}"
    reps = np.arange(n, dtype=np.int64)
    no_lines = np.zeros((0, 0), dtype=np.int64)
    for rule, key, kind in t.truth:
        parsed = parse(key)
        if parsed is None:
            book.truth.extend((rule, key, kind) for _ in range(n))
            continue
        k_, local, suffix = parsed
        locals_ = np.full(n, local, dtype=np.int64)
        keys = placed._identifier(k_, locals_, reps, ym, no_lines, _Part(**_EMPTY), ctx).to_pylist()
        book.truth.extend((rule, f"{k}{suffix}", kind) for k in keys)
    return placed


_EMPTY: dict[str, Any] = {
    "tables": {},
    "enc_local": np.zeros(0, dtype=np.int64),
    "inpatient": np.zeros(0, dtype=bool),
    "line_enc": np.zeros(0, dtype=np.int64),
    "line_units": np.zeros(0, dtype=np.int64),
    "line_row": np.zeros(0, dtype=np.int64),
    "sig_stay": np.zeros(0, dtype=np.int64),
    "sig_bit": np.zeros(0, dtype=np.int64),
    "stays": [],
}


def check_signatures(stamps: list[Stamp]) -> None:
    """Before anything is written: refuse a region whose planted stays of one institution,
    settlement month and main diagnosis outnumber the signature-lab combinations (T07)."""
    counts: dict[tuple[MonthKey, int, str], int] = {}
    for st in stamps:
        for key, part in st.t.parts.items():
            for _, slot, main in part.stays:
                insts, n = np.unique(st.insts[:, slot], return_counts=True)
                for i, c in zip(insts.tolist(), n.tolist(), strict=True):
                    counts[(key, i, main)] = counts.get((key, i, main), 0) + c
    for (key, _, _), c in counts.items():
        if c >= SIGNATURES:
            raise _crowded(key)


def _crowded(key: MonthKey) -> ConfigError:
    return ConfigError(
        f"植入病例过密 / too many planted stays of one diagnosis at one institution in "
        f"{key[0]:04d}-{key[1]:02d} to keep their item sets apart (T07): "
        "lower --hit-rate or give more --institutions"
    )


def _check_villages(book: PlantBook, region: Region) -> None:
    """Plant patients share a home village only this rarely (never five: T05), and T05's own
    cluster villages never repeat."""
    villages = PATIENT_VILLAGES * len(region.counties)
    patients = book._next_patient - (region.scale.population + 1000)
    if patients > MAX_PER_VILLAGE * villages or book._n_village > villages:
        raise ConfigError(
            f"植入病例过多 / too many planted patients ({patients}) for their villages: "
            "lower --hit-rate or --months"
        )


__all__ = ["Stamp", "StampContext", "Template", "TemplateBook", "check_signatures", "record", "stamp"]
