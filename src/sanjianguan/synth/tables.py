"""Turn a chunk's encounter and line arrays into contract table columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sanjianguan.synth.arrowcols import decimal_units, ids, take, timestamps
from sanjianguan.synth.catalog import Catalog
from sanjianguan.synth.lines import DAY, HOUR, MINUTE, Built, LineBuilder, dose_units
from sanjianguan.synth.patients import INSURANCE, Patients, address_codes
from sanjianguan.synth.region import Region
from sanjianguan.synth.rng import stream_key, uniform
from sanjianguan.synth.schedule import CHRONIC, ENCOUNTER_TYPES, INPATIENT, Encounters
from sanjianguan.synth.templates import CHRONIC as CHRONIC_VISITS
from sanjianguan.synth.templates import DOSES, STAYS, VISITS

Ints = npt.NDArray[np.int64]
Columns = dict[str, object]
# Share of the total paid by the fund, by insurance type, for (visits, stays).
FUND_SHARE = {"职工": (0.6, 0.85), "居民": (0.5, 0.7), "自费": (0.0, 0.0), "其他": (0.4, 0.6)}


@dataclass
class Ids:
    """Running id counters of one month (chunks are generated in order)."""

    prefix: str
    encounters: int = 0
    lines: int = 0
    orders: int = 0
    reports: int = 0


@dataclass
class ChunkTables:
    tables: dict[str, Columns]
    stays: dict[str, Ints]  # per grouped stay: drg index, los, total, drug and material cost (1/10 000 yuan)


class TableMaker:
    """Column builders bound to one region and catalogue."""

    def __init__(self, region: Region, cat: Catalog, builder: LineBuilder, seed: int) -> None:
        self.region = region
        self.cat = cat
        self.builder = builder
        self.seed = seed
        self.inst_ids = pa.array([i.institution_id for i in region.institutions])
        self.staff_ids = pa.array([s.staff_id for s in region.staff])
        self.county_codes = [c for c, _ in region.counties]
        kinds = [r["item_type"] for r in cat.rows]
        self.is_drug = np.array(
            [k in ("drug_western", "drug_chinese_patent", "herbal_pieces") for k in kinds]
        )
        self.is_material = np.array([k == "material" for k in kinds])
        self.is_exam = np.array([k == "exam" for k in kinds])
        self.needs_consent = np.array([r["requires_consent"] == "1" for r in cat.rows])
        self.drg_index = {r["drg_code"]: i for i, r in enumerate(cat.drg)}
        self.dose = np.zeros(len(cat.codes), dtype=np.int64)
        self.times = np.zeros(len(cat.codes), dtype=np.int64)
        units, routes = [""] * len(cat.codes), [""] * len(cat.codes)
        for code, d in DOSES.items():
            i = cat.index[code]
            self.dose[i], self.times[i], units[i], routes[i] = dose_units(d.dose), d.times, d.unit, d.route
        self.units, self.routes = pa.array(units), pa.array(routes)

    def chunk(self, pat: Patients, enc: Encounters, built: Built, counters: Ids) -> ChunkTables:
        n = len(enc)
        enc_no = np.arange(counters.encounters, counters.encounters + n, dtype=np.int64)
        counters.encounters += n
        enc_ids = ids(counters.prefix, enc_no, 9)
        lines = built.lines
        order = np.lexsort((lines["t"], lines["enc"]))
        lines = {k: v[order] for k, v in lines.items()}
        amount = lines["qty10"] * lines["price"] * 10
        total = np.zeros(n, dtype=np.int64)
        np.add.at(total, lines["enc"], amount)
        tables: dict[str, Columns] = {
            "fee_items": self._fees(lines, amount, enc, enc_ids, counters),
            "orders": self._orders(built.orders, enc_ids, counters),
            "procedures": self._procedures(built.procedures, enc_ids),
            "diagnoses": self._diagnoses(enc, enc_ids),
            "encounters": self._encounters(pat, enc, enc_ids, total),
            "patients": self._patients(pat, enc),
        }
        tables["exam_reports"] = self._reports(lines, enc_ids, counters)
        tables["consents"] = self._consents(lines, enc_ids)
        return ChunkTables(tables, self._stays(enc, lines, amount, total))

    # ---------------------------------------------------------------- tables
    def _fees(
        self, lines: dict[str, Ints], amount: Ints, enc: Encounters, enc_ids: pa.Array, c: Ids
    ) -> Columns:
        n = len(lines["enc"])
        line_no = np.arange(c.lines, c.lines + n, dtype=np.int64)
        c.lines += n
        item = lines["item"]
        dept = self._departments(enc)
        return {
            "line_id": ids("L" + c.prefix[1:], line_no, 10),
            "encounter_id": take(enc_ids, lines["enc"]),
            "item_code": take(self.cat.code_array, item),
            "item_name": take(self.cat.names, item),
            "item_type": take(self.cat.item_type, item),
            "charged_at": timestamps(lines["t"]),
            "quantity": decimal_units(lines["qty10"] * 1000),
            "unit_price": decimal_units(lines["price"] * 100),
            "amount": decimal_units(amount),
            "ordering_doctor_id": take(self.staff_ids, lines["doctor"]),
            "department": take(dept, lines["enc"]),
            "insurance_class": take(self.cat.insurance_class, item),
        }

    def _orders(self, o: dict[str, Ints], enc_ids: pa.Array, c: Ids) -> Columns:
        n = len(o["enc"])
        no = np.arange(c.orders, c.orders + n, dtype=np.int64)
        c.orders += n
        item = o["item"]
        outpatient = o["supply"] >= 0
        return {
            "encounter_id": take(enc_ids, o["enc"]),
            "order_id": ids("O" + c.prefix[1:], no, 10),
            "drug_code": take(self.cat.code_array, item),
            "dose": decimal_units(self.dose[item]),
            "dose_unit": take(self.units, item),
            "route": take(self.routes, item),
            "times_per_day": decimal_units(self.times[item] * 10_000),
            "start_at": timestamps(o["start"]),
            "end_at": pa.array(np.where(outpatient, 0, o["end"]).astype("datetime64[s]"), mask=outpatient),
            "days_supply": pa.array(o["supply"], mask=~outpatient, type=pa.int32()),
            "doctor_id": take(self.staff_ids, o["doctor"]),
            "prescription_id": pc.if_else(
                pa.array(outpatient), take(enc_ids, o["enc"]), pa.nulls(n, pa.string())
            ),
        }

    def _procedures(self, p: dict[str, Ints], enc_ids: pa.Array) -> Columns:
        surgery = [STAYS[i].surgery for i in p["profile"].tolist()]
        n = len(surgery)
        incision = {"47.0900": "II", "51.2300": "II", "74.1x00": "II", "81.5100": "I", "36.0600": "0"}
        return {
            "encounter_id": take(enc_ids, p["enc"]),
            "seq": pa.array(np.ones(n, dtype=np.int32)),
            "icd9cm3_code": pa.array([s.icd9 for s in surgery if s], type=pa.string()),
            "performed_at": timestamps(p["t"]),
            "operator_id": take(self.staff_ids, p["operator"]),
            "surgery_level": pa.array([s.level for s in surgery if s], type=pa.int32()),
            "incision_class": pa.array([incision.get(s.icd9, "I") for s in surgery if s], type=pa.string()),
            "healing": pa.array(["甲"] * n, type=pa.string()),
            "complication": pa.array(np.zeros(n, dtype=bool)),
            "site_infection": pa.array(np.zeros(n, dtype=bool)),
        }

    def _main_dx(self, enc: Encounters) -> pa.Array:
        table = ([v.dx for v in VISITS], [v.dx for v in CHRONIC_VISITS], [s.dx for s in STAYS])
        kind = np.where(enc.etype == INPATIENT, 2, np.where(enc.etype == CHRONIC, 1, 0))
        flat = table[0] + table[1] + table[2]
        offset = np.array([0, len(table[0]), len(table[0]) + len(table[1])])[kind]
        return take(pa.array(flat), offset + enc.profile)

    def _departments(self, enc: Encounters) -> pa.Array:
        flat = (
            [v.dept for v in VISITS] + [v.dept for v in CHRONIC_VISITS] + [s.dept for s in STAYS] + ["急诊科"]
        )
        kind = np.where(enc.etype == INPATIENT, 2, np.where(enc.etype == CHRONIC, 1, 0))
        offset = np.array([0, len(VISITS), len(VISITS) + len(CHRONIC_VISITS)])[kind] + enc.profile
        offset = np.where(enc.etype == 1, len(flat) - 1, offset)
        return take(pa.array(flat), offset)

    def _diagnoses(self, enc: Encounters, enc_ids: pa.Array) -> Columns:
        main = self._main_dx(enc)
        other_codes = [s.other_dx for s in STAYS]
        inp = np.flatnonzero(enc.etype == INPATIENT)
        has_other = inp[np.array([bool(other_codes[p]) for p in enc.profile[inp].tolist()], dtype=bool)]
        other = pa.array([other_codes[p] for p in enc.profile[has_other].tolist()], type=pa.string())
        n, m = len(enc), len(has_other)
        return {
            "encounter_id": pa.concat_arrays([enc_ids, take(enc_ids, has_other)]),
            "seq": pa.array(np.concatenate([np.ones(n, dtype=np.int32), np.full(m, 2, dtype=np.int32)])),
            "icd10_code": pa.concat_arrays([main, other]),
            "kind": pa.array(["main"] * n + ["other"] * m),
            "present_on_admission": pa.array(["1"] * (n + m)),
        }

    def _encounters(self, pat: Patients, enc: Encounters, enc_ids: pa.Array, total: Ints) -> Columns:
        inp = enc.etype == INPATIENT
        admit = self.builder.admit_seconds(enc)
        discharge = self.builder.discharge_seconds(enc)
        settled = np.where(inp, discharge + 2 * HOUR, admit + 20 * MINUTE)
        ins = pat.insurance[enc.patient]
        share = np.array([FUND_SHARE[t][0] for t in INSURANCE])[ins]
        share = np.where(inp, np.array([FUND_SHARE[t][1] for t in INSURANCE])[ins], share)
        paid = (np.floor(total * share / 100) * 100).astype(np.int64)
        drg = pa.array(
            [STAYS[p].drg if i else None for p, i in zip(enc.profile.tolist(), inp.tolist(), strict=True)],
            type=pa.string(),
        )
        disposition = pa.array(np.where(enc.died, "5", "1").astype(object), type=pa.string())
        route = np.where((enc.u * 53) % 1 < 0.2, "急诊", "门诊").astype(object)
        return {
            "encounter_id": enc_ids,
            "institution_id": take(self.inst_ids, enc.inst),
            "patient_id": ids("P", pat.index[enc.patient], 10),
            "encounter_type": take(pa.array(ENCOUNTER_TYPES), enc.etype),
            "department": self._departments(enc),
            "attending_doctor_id": take(self.staff_ids, enc.doctor),
            "admit_time": timestamps(admit),
            "discharge_time": pa.array(discharge.astype("datetime64[s]"), mask=~inp),
            "main_diagnosis": self._main_dx(enc),
            "admission_route": pa.array(route, mask=~inp, type=pa.string()),
            "discharge_disposition": pc.if_else(pa.array(inp), disposition, pa.nulls(len(enc), pa.string())),
            "readmission_planned": pa.array(np.zeros(len(enc), dtype=bool), mask=~inp),
            "drg_code": drg,
            "appointment": pa.array((enc.u * 17) % 1 < 0.3, mask=inp),
            "clinical_pathway": pa.array((enc.u * 23) % 1 < 0.4, mask=~inp),
            "total_amount": decimal_units(total),
            "insurance_paid": decimal_units(paid),
            "self_paid": decimal_units(total - paid),
            "settled_at": timestamps(settled),
        }

    def _patients(self, pat: Patients, enc: Encounters) -> Columns:
        who = np.unique(enc.patient)
        died_day = np.full(len(pat), -1, dtype=np.int64)
        died_day[enc.patient[enc.died]] = enc.day[enc.died]
        dd = died_day[who]
        return {
            "patient_id": ids("P", pat.index[who], 10),
            "sex": pa.array(pat.sex[who].astype(str)),
            "birth_date": pa.array(pat.birth_day[who].astype("datetime64[D]"), type=pa.date32()),
            "insurance_type": take(pa.array(INSURANCE), pat.insurance[who]),
            "poverty_registered": pa.array(pat.poverty[who]),
            "address_code": pa.array(
                address_codes(self.county_codes, pat.county[who], pat.village[who], self.region.scale)
            ),
            "death_date": pa.array(
                np.where(dd >= 0, dd, 0).astype("datetime64[D]"), mask=dd < 0, type=pa.date32()
            ),
        }

    def _reports(self, lines: dict[str, Ints], enc_ids: pa.Array, c: Ids) -> Columns:
        sel = np.flatnonzero(self.is_exam[lines["item"]] & (lines["qty10"] > 0))
        n = len(sel)
        no = np.arange(c.reports, c.reports + n, dtype=np.int64)
        c.reports += n
        positive = uniform(stream_key(self.seed, 40, int(c.prefix[1:])), no) < 0.62
        return {
            "encounter_id": take(enc_ids, lines["enc"][sel]),
            "report_id": ids("R" + c.prefix[1:], no, 10),
            "item_code": take(self.cat.code_array, lines["item"][sel]),
            "performed_at": timestamps(lines["t"][sel] + 40 * MINUTE),
            "positive": pa.array(positive),
            "doctor_id": take(self.staff_ids, lines["doctor"][sel]),
        }

    def _consents(self, lines: dict[str, Ints], enc_ids: pa.Array) -> Columns:
        sel = np.flatnonzero(self.needs_consent[lines["item"]] & (lines["qty10"] > 0))
        return {
            "encounter_id": take(enc_ids, lines["enc"][sel]),
            "item_code": take(self.cat.code_array, lines["item"][sel]),
            "signed_at": timestamps(lines["t"][sel] - 2 * HOUR),
        }

    def _stays(self, enc: Encounters, lines: dict[str, Ints], amount: Ints, total: Ints) -> dict[str, Ints]:
        n = len(enc)
        drug = np.zeros(n, dtype=np.int64)
        mat = np.zeros(n, dtype=np.int64)
        np.add.at(drug, lines["enc"], np.where(self.is_drug[lines["item"]], amount, 0))
        np.add.at(mat, lines["enc"], np.where(self.is_material[lines["item"]], amount, 0))
        inp = np.flatnonzero(enc.etype == INPATIENT)
        drg = np.array([self.drg_index[STAYS[p].drg] for p in enc.profile[inp].tolist()], dtype=np.int64)
        return {"drg": drg, "los": enc.los[inp], "total": total[inp], "drug": drug[inp], "material": mat[inp]}


__all__ = ["DAY", "ChunkTables", "Ids", "TableMaker"]
