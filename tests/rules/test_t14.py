"""T14 重点人群住院: focus patients' stays that are frequent, clustered by village, or alike in amount.

A focus stay is a stay settled in the period of a poverty-registered patient, or of a
patient aged ≥ 65 (周岁) on the admission day with a minor main diagnosis. Every test
runs on DuckDB and on Spark (the Spark run is checked against DuckDB).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits

FREQUENT, CLUSTERED, ALIKE = "住院频次较高", "入院时间较为集中", "出院报销金额接近"
DAY = dt.date(2025, 3, 20)


def _stay(build: StoreBuilder, encounter_id: str, patient: str, day: dt.date | str, **kw: Any) -> None:
    """An inpatient stay admitted on `day`; each stay its own diagnosis unless told (no alike group)."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    kw.setdefault("period", f"{day:%Y-%m}" if day < dt.date(2025, 3, 1) else build.period)
    kw.setdefault("main_diagnosis", f"Z{encounter_id}")
    kw.setdefault("total_amount", Decimal(len(encounter_id) * 1000 + sum(map(ord, encounter_id))))
    build.encounter(encounter_id, patient_id=patient, admit=f"{day} 09:00:00", discharge=None, **kw)


def _signs(hits: list[Any]) -> dict[str, list[str]]:
    return {h.hit_key: json.loads(h.evidence)["signs"] for h in hits}


def test_frequent_admissions_at_the_edges_of_the_window(build: StoreBuilder, run_hits: RunHits) -> None:
    # F1: three admissions, the first 364 days before (inside the 365 days up to the day).
    # F2: the first 365 days before (outside: the window is d − 364 … d, as T10's).
    # F3: the first 366 days before. F4: only two admissions (2 against 3).
    for patient, first in (("F1", 364), ("F2", 365), ("F3", 366), ("F4", None)):
        build.patient(patient, poverty_registered=True)
        if first is not None:
            build.institution(f"H{patient}")
            _stay(build, f"{patient}a", patient, DAY - dt.timedelta(days=first), institution_id=f"H{patient}")
        _stay(build, f"{patient}b", patient, DAY - dt.timedelta(days=100))
        _stay(build, f"{patient}c", patient, DAY)

    hits = run_hits("T14")

    assert _signs(hits) == {"F1c": [FREQUENT]}
    [hit] = hits
    assert (hit.patient_id, str(hit.event_date), hit.amount_involved) == ("F1", str(DAY), Decimal("0.00"))
    evidence = json.loads(hit.evidence)
    assert {k: v for k, v in evidence.items() if v is not None} == {
        "signs": [FREQUENT],
        "poverty_registered": True,
        "age": "45",
        "min_age": "65",
        "main_diagnosis": "ZF1c",
        "admissions": "3",
        "frequent_encounters": ["F1a", "F1b", "F1c"],
        "first_admit_day": str(DAY - dt.timedelta(days=364)),
        "min_admissions": "3",
        "window_days": "365",
        "min_patients": "3",
        "cluster_days": "3",
        "total_amount": evidence["total_amount"],
        "min_similar_stays": "3",
        "tolerance": "0.02",
    }
    # The signs that do not hold leave their fields empty.
    assert evidence["clustered_encounters"] is None
    assert evidence["similar_encounters"] is None


def test_who_is_a_focus_patient(build: StoreBuilder, run_hits: RunHits) -> None:
    build.ref("ref_minor_diagnoses", icd10_prefix="J06")
    patients = {
        "OLD65": "1960-03-20",  # 65 exactly on the admission day
        "OLD64": "1960-03-21",  # 65 the day after: 64
        "OLDMAJ": "1940-01-01",  # 85 but a major diagnosis
        "POOR": "1990-01-01",  # young, poverty-registered, a major diagnosis
        "YOUNG": "1990-01-01",  # neither
    }
    for patient, born in patients.items():
        build.patient(patient, birth_date=born, poverty_registered=patient == "POOR")
        minor = patient in ("OLD65", "OLD64", "YOUNG")
        for n, back in enumerate((200, 100, 0)):
            diagnosis = "J06.900" if minor else f"I2{n}.000"
            _stay(build, f"{patient}{n}", patient, DAY - dt.timedelta(days=back), main_diagnosis=diagnosis)

    hits = run_hits("T14")

    assert _signs(hits) == {"OLD652": [FREQUENT], "POOR2": [FREQUENT]}
    old = json.loads(next(h for h in hits if h.hit_key == "OLD652").evidence)
    assert (old["age"], old["poverty_registered"], old["minor_prefixes"]) == ("65", False, ["J06"])
    poor = json.loads(next(h for h in hits if h.hit_key == "POOR2").evidence)
    assert (poor["age"], poor["poverty_registered"], poor["minor_prefixes"]) == ("35", True, None)


def test_clustered_admissions(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("OTHER", address_code="V9")  # not a focus patient
    for n in range(1, 13):
        build.patient(f"C{n}", poverty_registered=True, address_code=f"V{(n - 1) // 3 + 1}")
    # V1: admitted 03-10, 03-11, 03-13: latest − earliest = 3 days → a cluster.
    for n, day in ((1, "2025-03-10"), (2, "2025-03-11"), (3, "2025-03-13")):
        _stay(build, f"A{n}", f"C{n}", day)
    # V2: spread over 4 days → none.
    for n, day in ((4, "2025-03-10"), (5, "2025-03-11"), (6, "2025-03-14")):
        _stay(build, f"B{n}", f"C{n}", day)
    # V3: C7 twice and C8 → two patients; V4: C10, C11 and a non-focus patient → two focus patients.
    _stay(build, "D1", "C7", "2025-03-10")
    _stay(build, "D2", "C7", "2025-03-11")
    _stay(build, "D3", "C8", "2025-03-12")
    build.patient("NF", address_code="V4")
    _stay(build, "G1", "C10", "2025-03-10")
    _stay(build, "G2", "C11", "2025-03-10")
    _stay(build, "G3", "NF", "2025-03-10")
    # V3 again, C9 at another institution, and a V3 stay settled in April: still two patients.
    build.institution("H2")
    _stay(build, "D4", "C9", "2025-03-11", institution_id="H2")
    _stay(build, "D5", "C9", "2025-03-11", period="2025-04")

    assert _signs(run_hits("T14")) == {f"A{n}": [CLUSTERED] for n in (1, 2, 3)}

    # A third V3 patient: C7's two stays and C8's are all in the cluster, which counts C7 once.
    build.patient("C13", poverty_registered=True, address_code="V3")
    _stay(build, "D6", "C13", "2025-03-13")
    hits = run_hits("T14")
    assert _signs(hits) == {key: [CLUSTERED] for key in ("A1", "A2", "A3", "D1", "D2", "D3", "D6")}
    first = json.loads(next(h for h in hits if h.hit_key == "D1").evidence)
    assert {k: first[k] for k in ("address_code", "window_start", "window_end", "patients")} == {
        "address_code": "V3",
        "window_start": "2025-03-10",
        "window_end": "2025-03-13",
        "patients": "3",
    }
    assert first["clustered_encounters"] == ["D1", "D2", "D3", "D6"]
    assert first["admissions"] is None
    assert first["similar_stays"] is None


def test_alike_amounts(build: StoreBuilder, run_hits: RunHits) -> None:
    for n in range(1, 13):
        build.patient(f"L{n}", poverty_registered=True)
    build.patient("NF")

    def stay(encounter_id: str, patient: str, diagnosis: str, total: str, **kw: Any) -> None:
        kw.setdefault("total_amount", Decimal(total))
        _stay(build, encounter_id, patient, kw.pop("day", "2025-03-05"), main_diagnosis=diagnosis, **kw)

    # K: 1000, 1010, 1030.2 → median 1010, 2 % = 20.2, inclusive → three alike stays.
    for n, total in ((1, "1000"), (2, "1010"), (3, "1030.2")):
        stay(f"K{n}", f"L{n}", "K29.700", total)
    # Q: 1000, 1010, 1030.3 → 20.3 from the median: two alike stays only.
    for n, total in ((10, "1000"), (11, "1010"), (12, "1030.3")):
        stay(f"Q{n}", f"L{n}", "Q99.000", total)
    # M: 10 % apart → none; a non-focus patient's near stay does not join.
    for n, total in ((4, "1000"), (5, "1100"), (6, "1210")):
        stay(f"M{n}", f"L{n}", "M54.500", total)
    stay("M7", "NF", "M54.500", "1100")
    # N: two equal stays settled in March and one settled in February → none.
    stay("N7", "L7", "N39.000", "500", day="2025-02-25", period="2025-02")
    for n in (8, 9):
        stay(f"N{n}", f"L{n}", "N39.000", "500")

    hits = run_hits("T14")

    assert _signs(hits) == {"K1": [ALIKE], "K2": [ALIKE], "K3": [ALIKE]}
    evidence = json.loads(next(h for h in hits if h.hit_key == "K3").evidence)
    shown = ("total_amount", "group_median", "similar_stays", "similar_encounters")
    assert {k: evidence[k] for k in shown} == {
        "total_amount": "1030.2",
        "group_median": "1010",
        "similar_stays": "3",
        "similar_encounters": ["K1", "K2", "K3"],
    }
    assert run_hits("T14", period="2025-02") == []


def test_the_signs_together(build: StoreBuilder, run_hits: RunHits) -> None:
    # Three poor neighbours admitted the same day with the same diagnosis and amount; S1 also
    # had two earlier stays: S1 shows all three signs, the others two.
    for n in (1, 2, 3):
        build.patient(f"S{n}", poverty_registered=True, address_code="V1")
        _stay(build, f"S{n}", f"S{n}", DAY, main_diagnosis="J18.900", total_amount=Decimal("2000"))
    _stay(build, "S1a", "S1", DAY - dt.timedelta(days=30))
    _stay(build, "S1b", "S1", DAY - dt.timedelta(days=60))

    signs = _signs(run_hits("T14"))

    assert signs == {
        "S1": sorted([FREQUENT, CLUSTERED, ALIKE]),
        "S2": sorted([CLUSTERED, ALIKE]),
        "S3": sorted([CLUSTERED, ALIKE]),
    }
