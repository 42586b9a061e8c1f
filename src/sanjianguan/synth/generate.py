"""Generate a synthetic region: background care month by month, planted cases, truth."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from sanjianguan.errors import ConfigError
from sanjianguan.kb import sample
from sanjianguan.synth.catalog import Catalog, load_catalog
from sanjianguan.synth.lines import LineBuilder
from sanjianguan.synth.patients import load_patients
from sanjianguan.synth.plants import PLANTS, PlantBook, benchmark, plant_s01_s02
from sanjianguan.synth.plants.rows import as_columns, month_rows
from sanjianguan.synth.plants.stamp import StampContext
from sanjianguan.synth.plants.volume import check_rate, plant_at_rate
from sanjianguan.synth.readme import PLANTED_AT_RATE, PLANTED_ONCE, README
from sanjianguan.synth.region import CITY_CODE, SCALES, Region, build_region, sized
from sanjianguan.synth.rng import stream_key, uniform
from sanjianguan.synth.schedule import (
    INPATIENT,
    Encounters,
    Month,
    concat,
    dialysis_sessions,
    month_encounters,
)
from sanjianguan.synth.tables import Ids, TableMaker
from sanjianguan.synth.templates import SIGNATURE_LABS, STAYS
from sanjianguan.synth.truth import write_truth
from sanjianguan.synth.writer import BatchWriter

Ints = npt.NDArray[np.int64]
Progress = Callable[[int, int, str], None]
EPOCH = dt.date(1970, 1, 1)
BENCHMARK_MONTHS = 12
MIN_BENCHMARK = 30
FLUSH_ROWS = 200_000  # stamped plant rows gathered per table before a row group is written


def _fence(values: npt.NDArray[np.float64]) -> float:
    """P75 + 1.5 × IQR with linear interpolation, as the benchmark clues define the upper limit."""
    p25, p75 = np.percentile(values, [25, 75])
    return float(p75 + 1.5 * (p75 - p25))


@dataclass
class SynthSummary:
    """What was generated, and how long it took."""

    out: Path
    scale: str
    months: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    truth_rows: int = 0
    hit_rate: float | None = None
    placed: dict[str, int] = field(default_factory=dict)
    institutions: int = 0
    seconds_per_month: list[float] = field(default_factory=list)


def make_months(start: str, count: int) -> list[Month]:
    """`count` consecutive calendar months from `start` (YYYY-MM)."""
    try:
        year, month = (int(p) for p in start.split("-"))
        dt.date(year, month, 1)
    except ValueError as exc:
        raise ConfigError(f"起始月份格式应为 YYYY-MM / --start must be YYYY-MM: {start!r}") from exc
    if count < 1:
        raise ConfigError("月份数至少为 1 / --months must be ≥ 1")
    months = []
    for k in range(count):
        y, m = year + (month - 1 + k) // 12, (month - 1 + k) % 12 + 1
        first = dt.date(y, m, 1)
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        months.append(Month(k, y, m, (first - EPOCH).days, (nxt - first).days))
    return months


def generate(
    out: Path,
    scale: str,
    months: int,
    seed: int,
    start: str = "2025-01",
    progress: Progress | None = None,
    fmt: str = "parquet",
    kb: Path | None = None,
    hit_rate: float | None = None,
    institutions: int | None = None,
) -> SynthSummary:
    """Write a synthetic region to `out` (see README.txt in the output); deterministic for a seed.

    Without `hit_rate` one set of planted cases lies in the last month; with it, plants are
    repeated across months and institutions until about that share of each month's
    encounters has a hit (0: none at all, a clean region). `institutions` sizes the region
    between the presets (it replaces `scale`; a preset's own size gives that preset).
    """
    size = sized(institutions) if institutions is not None else None
    scale = size.name if size is not None else scale
    if size is None and scale not in SCALES:
        raise ConfigError(f"未知规模 / unknown scale {scale!r}: choose {', '.join(SCALES)}")
    if fmt not in ("parquet", "csv"):
        raise ConfigError(f"未知格式 / unknown format {fmt!r}: parquet or csv")
    if hit_rate is not None:
        check_rate(hit_rate)
    kb_dir = kb or sample.path()
    cat = load_catalog(kb_dir)
    region = build_region(size or SCALES[scale], seed)
    month_list = make_months(start, months)
    out.mkdir(parents=True, exist_ok=True)
    _copy_kb(kb_dir, out / "ref")
    book = PlantBook(cat, region, month_list, region.scale.population + 1000)
    summary = SynthSummary(out, scale, months, seed, hit_rate=hit_rate, institutions=len(region.institutions))
    gen = _MonthGenerator(region, cat, seed, month_list, book, fmt)
    if hit_rate is None:
        for plant in PLANTS:
            plant(book)
    else:
        expected = [gen.expected_encounters(m) for m in month_list]
        summary.placed = plant_at_rate(book, PLANTS, hit_rate, expected, seed)
        gen.plant_benchmark = hit_rate > 0
    book.finish()
    for month in month_list:
        began = time.perf_counter()
        rows = gen.write_month(out / "batches" / month.label, month, progress)
        for name, n in rows.items():
            summary.rows[name] = summary.rows.get(name, 0) + n
        summary.seconds_per_month.append(time.perf_counter() - began)
    summary.truth_rows = write_truth(out / "truth.csv", book.truth)
    _write_readme(out, summary, region, month_list, fmt, "planted" if gen.planted_s12 else "not planted")
    return summary


def _copy_kb(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("ref_*.csv")):
        shutil.copyfile(path, dst / path.name)


def _write_readme(
    out: Path, s: SynthSummary, region: Region, months: list[Month], fmt: str, s12: str
) -> None:
    if s.hit_rate is None:
        planting = PLANTED_ONCE.format(target=months[-1].label, s12=s12)
    else:
        planting = PLANTED_AT_RATE.format(
            rate=s.hit_rate,
            placed=sum(s.placed.values()),
            kinds=len(s.placed),
            target=months[-1].label,
            s12=s12,
        )
    text = README.format(
        scale=s.scale,
        months=s.months,
        start=months[0].label,
        seed=s.seed,
        city=CITY_CODE,
        counties="、".join(f"{name} {code}" for code, name in region.counties),
        institutions=len(region.institutions),
        staff=len(region.staff),
        fmt=fmt,
        planting=planting,
        rows=", ".join(f"{k} {v}" for k, v in s.rows.items()),
    )
    (out / "README.txt").write_text(text, encoding="utf-8")


class _MonthGenerator:
    """Writes one batch per month: masters, background chunks, then that month's plants."""

    def __init__(
        self, region: Region, cat: Catalog, seed: int, months: list[Month], book: PlantBook, fmt: str
    ) -> None:
        self.region, self.cat, self.seed, self.months, self.book, self.fmt = (
            region,
            cat,
            seed,
            months,
            book,
            fmt,
        )
        self.inst_arr = region.arrays()
        self.builder = LineBuilder(
            cat,
            self.inst_arr["level"],
            self.inst_arr["price_factor"],
            self.inst_arr["surgeon_first"],
            self.inst_arr["surgeons"],
        )
        self.maker = TableMaker(region, cat, self.builder, seed)
        self.dx_codes = sorted({s.dx for s in STAYS})
        self.stay_dx = np.array([self.dx_codes.index(s.dx) for s in STAYS], dtype=np.int64)
        drg_codes = [r["drg_code"] for r in cat.drg]
        self.stay_drg = np.array([drg_codes.index(s.drg) for s in STAYS], dtype=np.int64)
        self.los_limit = np.zeros(0)
        self.cost_limit = np.zeros(0)
        self.stays: list[tuple[int, dict[str, Ints]]] = []
        self.planted_s12 = False
        self.plant_benchmark = True
        self.stamp_ctx: StampContext | None = None

    def _chunk_size(self) -> int:
        scale = self.region.scale
        return max(scale.village_size, scale.chunk // scale.village_size * scale.village_size)

    def expected_encounters(self, month: Month) -> int:
        """Background encounters of `month`, from its first chunk of patients (all of them up to
        county size), before the few stays left out for the DRG limits."""
        scale = self.region.scale
        n = min(self._chunk_size(), scale.population)
        pat = load_patients(self.seed, scale, 0, n, self.months[0].first_day)
        enc = month_encounters(self.seed, self.region, self.cat, pat, month, self.months, self.inst_arr)
        sessions = dialysis_sessions(self.seed, self.region, pat, month, self.inst_arr, self.months)
        return round((len(enc) + len(sessions)) * scale.population / n)

    def write_month(self, folder: Path, month: Month, progress: Progress | None) -> dict[str, int]:
        scale = self.region.scale
        chunk = self._chunk_size()
        starts = list(range(0, scale.population, chunk))
        self.limits(month)
        with BatchWriter(folder, month.label, self._produced_at(month), self.fmt) as writer:
            self._masters(writer)
            counters = Ids(f"E{month.year:04d}{month.month:02d}")
            sig = np.zeros((len(self.region.institutions), len(self.dx_codes)), dtype=np.int64)
            for i, first in enumerate(starts):
                n = min(chunk, scale.population - first)
                self._chunk(writer, month, first, n, counters, sig)
                if progress:
                    progress(month.k * len(starts) + i + 1, len(self.months) * len(starts), month.label)
            if month is self.months[-1] and self.plant_benchmark:
                self._plant_benchmark_cases(month)
            self._plants(writer, month)
            return dict(writer.rows)

    def _produced_at(self, month: Month) -> str:
        day = 2 + int(uniform(stream_key(self.seed, 90), month.k)[()] * 3)
        y, m = month.year + (month.month == 12), month.month % 12 + 1
        return f"{y:04d}-{m:02d}-{day:02d}T10:00:00+08:00"

    def _masters(self, writer: BatchWriter) -> None:
        inst = self.region.institutions
        writer.write(
            "institutions",
            {
                "institution_id": [i.institution_id for i in inst],
                "name": [i.name for i in inst],
                "region_code": [i.region_code for i in inst],
                "level": [i.level for i in inst],
                "grade": [i.grade or None for i in inst],
                "category": [i.category for i in inst],
                "ownership": [i.ownership for i in inst],
                "insurance_designated": [i.category != "村卫生室" for i in inst],
                "beds_approved": [i.beds for i in inst],
                "beds_open": [i.beds * 9 // 10 for i in inst],
                "connected_on": [dt.date(2024, 1 + i.index % 12, 1) for i in inst],
            },
        )
        staff = self.region.staff + self.book.staff
        ids = [i.institution_id for i in inst]
        writer.write(
            "staff",
            {
                "staff_id": [s.staff_id for s in staff],
                "institution_id": [ids[s.institution] for s in staff],
                "role": [s.role for s in staff],
                "name": [s.name for s in staff],
                "sex": [s.sex for s in staff],
                "department": [s.department for s in staff],
                "title": [s.title for s in staff],
                "antibiotic_privilege": [s.antibiotic for s in staff],
                "surgery_privilege": [s.surgery for s in staff],
            },
        )

    def _chunk(self, writer: BatchWriter, month: Month, first: int, n: int, counters: Ids, sig: Ints) -> None:
        pat = load_patients(self.seed, self.region.scale, first, n, self.months[0].first_day)
        enc = month_encounters(self.seed, self.region, self.cat, pat, month, self.months, self.inst_arr)
        enc = concat(enc, dialysis_sessions(self.seed, self.region, pat, month, self.inst_arr, self.months))
        # Under 14 full years at the start of the month: still ≤ 14 on any day of it.
        signature = self._signature(enc, sig)
        built = self.builder.build(
            enc, (month.first_day - pat.birth_day[enc.patient]) // 365 <= 13, signature
        )
        keep = self._within_benchmark(enc, built.lines)
        if not keep.all():
            enc = enc.subset(keep)
            signature = signature[keep]
            built = self.builder.build(
                enc, (month.first_day - pat.birth_day[enc.patient]) // 365 <= 13, signature
            )
        tables = self.maker.chunk(pat, enc, built, counters)
        for name in (
            "patients",
            "encounters",
            "diagnoses",
            "procedures",
            "fee_items",
            "orders",
            "exam_reports",
            "consents",
        ):
            writer.write(name, tables.tables[name])
        self.stays.append((month.k, tables.stays))

    def limits(self, month: Month) -> None:
        """The DRG limits a rule engine will apply to stays settled in `month` (see rules.md S03/S04)."""
        los_up = np.array([float(r["los_upper"] or 1e9) for r in self.cat.drg])
        cost_up = np.array([float(r["cost_upper"] or 1e12) for r in self.cat.drg]) * 10_000
        parts = [st for k, st in self.stays if month.k - BENCHMARK_MONTHS <= k < month.k]
        if parts:
            drg = np.concatenate([p["drg"] for p in parts])
            los = np.concatenate([p["los"] for p in parts])
            total = np.concatenate([p["total"] for p in parts])
            for g in np.unique(drg):
                sel = drg == g
                if sel.sum() >= MIN_BENCHMARK:
                    los_up[g] = _fence(los[sel].astype(np.float64))
                    cost_up[g] = _fence(total[sel].astype(np.float64))
        self.los_limit, self.cost_limit = los_up, cost_up

    def _within_benchmark(self, enc: Encounters, lines: dict[str, Ints]) -> npt.NDArray[np.bool_]:
        """False for the rare background stay that would cross its DRG's LOS or cost limit.

        Costs are bounded but institutions' price levels differ, so a long stay at a dear
        hospital can still cross the limit drawn from an earlier month; it is left out
        (that patient simply has no care that month), keeping the background clean.
        """
        keep = np.ones(len(enc), dtype=bool)
        inp = np.flatnonzero(enc.etype == INPATIENT)
        if not len(inp):
            return keep
        total = np.zeros(len(enc), dtype=np.int64)
        np.add.at(total, lines["enc"], lines["qty10"] * lines["price"] * 10)
        drg = self.stay_drg[enc.profile[inp]]
        margin = 0.97  # stay clear of the limits, not just under them
        bad = (enc.los[inp] > self.los_limit[drg] * margin) | (total[inp] > self.cost_limit[drg] * margin)
        keep[inp[bad]] = False
        return keep

    def _signature(self, enc: Encounters, sig: Ints) -> Ints:
        """Per stay: a number unique within (institution, main diagnosis, month) → its optional labs."""
        out = np.zeros(len(enc), dtype=np.int64)
        inp = np.flatnonzero(enc.etype == INPATIENT)
        if not len(inp):
            return out
        key = enc.inst[inp] * len(self.dx_codes) + self.stay_dx[enc.profile[inp]]
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        first = np.searchsorted(sorted_key, sorted_key, side="left")
        rank = np.arange(len(order)) - first
        flat = sig.reshape(-1)
        out[inp[order]] = flat[sorted_key] + rank
        np.add.at(flat, key, 1)
        if out.max() >= 1 << len(SIGNATURE_LABS):
            raise ConfigError("too many stays of one diagnosis at one institution for distinct item sets")
        return out

    def _plant_benchmark_cases(self, month: Month) -> None:
        es35 = next(i for i, r in enumerate(self.cat.drg) if r["drg_code"] == "ES35")
        parts = [s for k, s in self.stays if month.k - BENCHMARK_MONTHS <= k < month.k]
        if not parts:
            return
        pick = {
            f: np.concatenate([p[f][p["drg"] == es35] for p in parts])
            for f in ("los", "total", "drug", "material")
        }
        if len(pick["los"]) < MIN_BENCHMARK:
            return
        plant_s01_s02(self.book, benchmark(pick["los"], pick["total"], pick["drug"], pick["material"]))
        self.book.finish()
        self.planted_s12 = True

    def _plants(self, writer: BatchWriter, month: Month) -> None:
        """The month's stamped placements (gathered into row groups of about FLUSH_ROWS), then
        the plants built row by row (the default set, S01/S02)."""
        if self.book.stamps and self.stamp_ctx is None:
            self.stamp_ctx = StampContext(self.book)
        pending: dict[str, list[pa.Table]] = {}
        for st in self.book.stamps:
            assert self.stamp_ctx is not None
            for name, table in st.tables((month.year, month.month), self.stamp_ctx):
                pending.setdefault(name, []).append(table)
                if sum(t.num_rows for t in pending[name]) >= FLUSH_ROWS:
                    writer.write_table(name, pa.concat_tables(pending.pop(name)))
        for name, tables in pending.items():
            writer.write_table(name, pa.concat_tables(tables))
        rows = month_rows(self.book, month)
        for name, table_rows in rows.items():
            if table_rows:
                writer.write(name, as_columns(table_rows))


__all__ = ["SynthSummary", "generate", "make_months"]
