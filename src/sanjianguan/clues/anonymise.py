"""匿名化: the expert's view of a clue carries no institution, doctor or patient identity.

Double-blind adjudication (双盲) by field allow-list (`FIELDS`): an evidence field reaches
the expert only if it is listed, in the form its kind allows; every other field is
dropped. The kinds:
- 事实 (FACT): amounts, quantities, limits, item / drug / diagnosis / procedure codes,
  dates of care (admission, charge, visit), sex, age, levels: shown, text masked;
- 标识 (ids of lines, orders, exam reports, encounters, institutions, doctors): replaced by
  per-package pseudonyms (`明细#1`, `医嘱#2`, `报告#1`, `就诊#3`, `他院#1`, `医师#1`; the
  clue's own encounter, institution and doctor are `本次就诊`, `本机构`, `本线索医师`), numbered in the order
  they appear, so that the expert can still tell which lines or stays go together;
- 个人日期: a birth date becomes the age at the event (`age_at_event`), a death date the
  days from death to the event (`event_days_after_death`);
- 遮蔽 (address code): the field is kept with `MASK`, so the expert knows it was compared.

Every string shown (facts included) also goes through the text masker
(`sanjianguan.clues.masking`): institution names and ids, known person ids and names,
phone and ID numbers. The clue's department is not shown (it can identify a small
hospital); the panel's specialty says the clinical field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, object_session

from sanjianguan.clues.masking import MASK, TextMasker, store_terms
from sanjianguan.workflow_db.models import Clue

__all__ = ["FIELDS", "MASK", "expert_evidence", "masker_for"]

LINE, ORDER, ENCOUNTER, INSTITUTION, DOCTOR = "明细", "医嘱", "就诊", "机构", "医师"
REPORT = "报告"  # an exam report's number (C14): hospitals number reports with their own prefixes
OWN = {ENCOUNTER: "本次就诊", INSTITUTION: "本机构", DOCTOR: "本线索医师"}
OTHER_PREFIX = {INSTITUTION: "他院"}


@dataclass
class Package:
    """The per-package state: the clue, its masker and the pseudonyms handed out so far."""

    clue: Clue
    masker: TextMasker
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)

    def own(self, kind: str) -> str | None:
        return {
            ENCOUNTER: self.clue.encounter_id,
            INSTITUTION: self.clue.institution_id,
            DOCTOR: self.clue.doctor_id,
        }.get(kind)

    def alias(self, kind: str, raw: str) -> str:
        """The pseudonym of `raw` (an id of `kind`) in this package."""
        if raw and raw == self.own(kind):
            return OWN[kind]
        key = (kind, raw)
        if key not in self.aliases:
            count = sum(1 for k, _ in self.aliases if k == kind)
            self.aliases[key] = f"{OTHER_PREFIX.get(kind, kind)}#{count + 1}"
        return self.aliases[key]


Handler = Callable[[Any, Package], Any]


def fact(value: Any, package: Package) -> Any:
    """Shown as is; its text masked."""
    if isinstance(value, list):
        return [fact(item, package) for item in value]
    if isinstance(value, dict):
        return {str(k): fact(v, package) for k, v in value.items()}
    if isinstance(value, str):
        return package.masker.mask(value)
    return value


def ids(kind: str) -> Handler:
    """Each id (or list of ids) replaced by its pseudonym."""

    def handle(value: Any, package: Package) -> Any:
        if isinstance(value, list):
            return [handle(item, package) for item in value]
        if value is None or value == "":
            return value
        return package.alias(kind, str(value))

    return handle


def parts(separators: str, *kinds: str | None) -> Handler:
    """A composite string (`date|encounter|institution`): each part by its kind (None: a fact)."""
    splitter = re.compile(f"([{re.escape(separators)}])")

    def handle(value: Any, package: Package) -> Any:
        if isinstance(value, list):
            return [handle(item, package) for item in value]
        if not isinstance(value, str):
            return fact(value, package)
        pieces = splitter.split(value)
        out, position = [], 0
        for piece in pieces:
            if splitter.fullmatch(piece):
                out.append(piece)
                continue
            kind = kinds[min(position, len(kinds) - 1)]
            out.append(fact(piece, package) if kind is None else package.alias(kind, piece))
            position += 1
        return "".join(out)

    return handle


def masked(value: Any, package: Package) -> Any:
    return None if value is None else MASK


@dataclass(frozen=True)
class Field:
    """How one evidence field reaches the expert: its handler, and the key it is shown under."""

    handler: Handler
    shown_as: str | None = None


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_at_event(value: Any, package: Package) -> Any:
    born, on = _date(value), package.clue.event_date
    return None if born is None or on is None else _years_between(born, on)


def days_after_death(value: Any, package: Package) -> Any:
    died, on = _date(value), package.clue.event_date
    return None if died is None or on is None else (on - died).days


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


F = Field(fact)
FACTS = (
    # amounts, quantities, limits and ratios
    "amount", "avg_los", "benchmark_stays", "charge_days", "cost_lower", "cost_median", "cost_upper",
    "count_before", "daily_dose", "days", "days_after_death", "days_apart", "days_between",
    "days_supply", "drug_cost", "early_charge_days", "earlier_days_supply", "emergency_visits",
    "exam_lab_amount", "flagged_sessions", "freq_limit", "gap_days", "group_average", "group_median",
    "group_stays", "idle_days", "item_amount", "line_amount", "longest_run", "lookback_days", "los",
    "los_limit", "los_lower", "los_median", "los_upper", "material_amount", "material_cost",
    "max_admissions", "max_daily_dose", "max_days", "max_gap_days", "max_per_day",
    "max_sessions_per_week", "max_visits", "min_admissions", "min_cost", "min_days", "min_patients",
    "min_share", "min_visits", "net_quantity", "oe", "oe_limit", "other_clinical_items",
    "outpatient_visits", "patients", "percentile", "price_cap", "quantity", "ratio", "ratio_limit",
    "region_encounters", "reported_item_cap", "reports_in_period", "share", "similar_stays", "supply_limit",
    "threshold_days", "tolerance", "total_amount", "unit_count", "unit_price", "units_beyond",
    "upper_limit", "visit_total", "visits", "weekly_excess_sessions", "window_days", "admissions",
    # codes, categories and flags
    "allowed_routes", "antibiotic_grade", "catalogue_loaded", "category", "consent_items",
    "discharge_before_admission", "discharge_disposition", "diagnoses", "dose_unit", "drg_code",
    "drug_a", "drug_b", "drug_code", "earlier_disposition", "earlier_main_diagnosis",
    "encounter_type", "excluding_items", "freq_window", "icd10_code", "icd9cm3_code",
    "including_items", "indication_icd", "ingredient", "institution_level", "item_code",
    "item_codes", "kind", "limit_source", "main_diagnosis", "min_level", "minor_prefixes",
    "missing", "modality", "mutual_recognition", "no_renal_diagnosis", "order_routes", "procedure_seqs",
    "procedures", "reason", "reported_item_code", "requires", "restricted_to", "seq", "setting", "sex_limit",
    "patient_sex", "surgery_level", "surgery_privilege", "two_institutions", "unit", "age",
    "age_max", "age_min", "dose", "route",
    # T14: its signs (the seed's words), the focus reason and its thresholds
    "signs", "poverty_registered", "min_age", "cluster_days", "min_similar_stays",
    # dates of care (the clue's event date and period are shown anyway)
    "admit_day", "admit_time", "benchmark_from", "benchmark_to", "charge_day", "days_beyond",
    "discharge_day", "discharge_time", "earlier_admit_day", "earlier_charge_day",
    "earlier_discharge_day", "earlier_start_day", "first_admit_day", "first_charge_day",
    "flagged_days", "later_start", "latest_admit_day", "performed_at", "runs", "settlement_day",
    "start_day", "stay_admit_time", "stay_discharge_time", "unit_start", "visit_day",
    "visit_period", "window_end", "window_start",
    # failing indicators (二级指标不达标)
    "indicator_name", "group", "value", "target",
)  # fmt: skip

FIELDS: dict[str, Field] = {
    **dict.fromkeys(FACTS, F),
    # fee lines and orders
    "line_id": Field(ids(LINE)),
    "line_ids": Field(ids(LINE)),
    "including_line_ids": Field(ids(LINE)),
    "excluding_line_ids": Field(ids(LINE)),
    "earlier_line_id": Field(ids(LINE)),
    "early_line_ids": Field(ids(LINE)),
    "bed_nursing_line_ids": Field(ids(LINE)),
    "order_id": Field(ids(ORDER)),
    "order_ids": Field(ids(ORDER)),
    "earlier_order_id": Field(ids(ORDER)),
    "source_ids": Field(ids(ORDER)),
    "report_id": Field(ids(REPORT)),
    "order_pairs": Field(parts(">+", ORDER)),
    # encounters, institutions, doctors
    "related_encounter_id": Field(ids(ENCOUNTER)),
    "encounters": Field(ids(ENCOUNTER)),
    "encounter_ids": Field(ids(ENCOUNTER)),
    "similar_encounters": Field(ids(ENCOUNTER)),
    "frequent_encounters": Field(ids(ENCOUNTER)),
    "clustered_encounters": Field(ids(ENCOUNTER)),
    "stays": Field(parts("|", None, ENCOUNTER, INSTITUTION)),
    "earlier_institution_id": Field(ids(INSTITUTION)),
    "stay_institution_id": Field(ids(INSTITUTION)),
    "institutions": Field(ids(INSTITUTION)),
    "operator_id": Field(ids(DOCTOR)),
    "prescribers": Field(parts(":", DOCTOR, None)),
    # the patient's own dates and place
    "birth_date": Field(age_at_event, "age_at_event"),
    "death_date": Field(days_after_death, "event_days_after_death"),
    "address_code": Field(masked),
}


def expert_evidence(clue: Clue, session: Session | None = None) -> dict[str, Any]:
    """The evidence an assigned expert may read (allow-listed fields, pseudonyms, masked text)."""
    package = Package(clue, masker_for(session or object_session(clue), clue))
    evidence = clue.evidence if isinstance(clue.evidence, dict) else {}
    shown: dict[str, Any] = {}
    for key in sorted(evidence):
        spec = FIELDS.get(key)
        if spec is None:
            continue  # not on the allow-list: dropped
        shown[spec.shown_as or key] = spec.handler(evidence[key], package)
    return shown


PERSONAL_DATES = frozenset({"birth_date", "death_date"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def clue_terms(clue: Clue) -> set[str]:
    """The clue's identity values, and the ids and personal dates its evidence carries."""
    terms = {clue.institution_id, clue.department, clue.doctor_id, clue.patient_id, clue.encounter_id}
    evidence = clue.evidence if isinstance(clue.evidence, dict) else {}
    for key, value in evidence.items():
        spec = FIELDS.get(key)
        if spec is not None and spec.handler is fact:
            continue  # codes and figures: not identities
        for text in _strings(value):
            for piece in {text, *re.split(r"[|>+:]", text)}:
                has_digit = any(ch.isdigit() for ch in piece)
                if has_digit and (key in PERSONAL_DATES or not ISO_DATE.match(piece)):
                    terms.add(piece)
    return {t for t in terms if t}


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def masker_for(session: Session | None, clue: Clue) -> TextMasker:
    """The masker of texts about `clue` (with the store's names and ids when a session is at hand)."""
    terms = clue_terms(clue)
    if session is not None:
        terms |= store_terms(session, clue)
    return TextMasker.of(terms)
