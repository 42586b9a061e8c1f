"""R01 诊断编码无效: a non-empty main diagnosis that is malformed or not in the loaded ICD-10 catalogue."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_well_formed_without_a_catalogue(build: StoreBuilder, run_hits: RunHits) -> None:
    codes = {
        "E1": "K35.800x003",  # 医保版 extension: well-formed
        "E2": "K35",  # category only: well-formed
        "E3": "k35.1",  # lower-case category letter: malformed
        "E4": "K35.",  # dot without extension
        "E5": "K351",  # missing dot
        "E6": "",  # empty: R05's case, not R01's
        "E7": "K35.123456789",  # extension longer than 8
        "E8": " K35.1",  # leading blank
    }
    for encounter_id, code in codes.items():
        build.encounter(encounter_id, main_diagnosis=code, encounter_type="outpatient", discharge=None)

    hits = run_hits("R01")

    assert sorted(h.hit_key for h in hits) == ["E3", "E4", "E5", "E7", "E8"]
    e3 = next(h for h in hits if h.hit_key == "E3")
    assert json.loads(e3.evidence) == {
        "catalogue_loaded": False,
        "main_diagnosis": "k35.1",
        "reason": "malformed",
    }
    assert (e3.amount_involved, str(e3.event_date), e3.doctor_id) == (0, "2025-03-01", "D1")


def test_loaded_catalogue_is_checked(build: StoreBuilder, run_hits: RunHits) -> None:
    build.ref("ref_icd10", icd10_code="K35.800", name="急性阑尾炎").ref("ref_icd10", icd10_code="J18.900")
    build.encounter("E1", main_diagnosis="K35.800")  # in the catalogue
    build.encounter("E2", main_diagnosis="K35.801")  # well-formed, unknown
    build.encounter("E3", main_diagnosis="K35.800 ")  # trailing blank: malformed
    build.encounter("E4", main_diagnosis="J18.900", period="2025-02")  # other period
    build.encounter("E5", main_diagnosis="X99.999", period="2025-02")

    hits = run_hits("R01")

    assert {h.hit_key: json.loads(h.evidence)["reason"] for h in hits} == {
        "E2": "not_in_catalogue",
        "E3": "malformed",
    }
    assert str(hits[0].event_date) == "2025-03-05"  # the discharge day
    assert [h.hit_key for h in run_hits("R01", period="2025-02")] == ["E5"]
