"""The expert's evidence carries no identity: allow-listed fields, pseudonyms, masked text."""

from __future__ import annotations

from datetime import date

from sanjianguan.clues.anonymise import MASK, expert_evidence
from sanjianguan.workflow_db.models import Clue


def _clue(evidence: dict[str, object], **kw: object) -> Clue:
    values: dict[str, object] = {
        "id": "c",
        "rule_id": "r",
        "period": "2026-02",
        "institution_id": "H1",
        "department": "儿科",
        "doctor_id": "D7",
        "patient_id": "P9",
        "encounter_id": "E5",
        "event_date": date(2026, 2, 11),
        **kw,
    }
    return Clue(evidence=evidence, **values)


def test_fields_off_the_allow_list_are_dropped() -> None:
    clue = _clue({"patient_id": "P9", "doctor_name": "张三", "note": "D7 开具", "quantity": "2"})
    assert expert_evidence(clue) == {"quantity": "2"}


def test_ids_become_per_package_pseudonyms() -> None:
    clue = _clue(
        {
            "similar_encounters": ["E5", "E6", "E7"],
            "line_ids": ["L1", "L2"],
            "earlier_line_id": "L2",
            "institutions": ["H1", "H2"],
            "stays": ["2026-01-03|E6|H2", "2026-02-03|E5|H1"],
            "prescribers": ["D7:非限制使用级", "D8:限制使用级"],
            "order_pairs": ["E5-O1>E5-O2"],
        }
    )
    shown = expert_evidence(clue)
    assert shown["similar_encounters"] == ["本次就诊", "就诊#1", "就诊#2"]
    assert shown["stays"] == ["2026-01-03|就诊#1|他院#1", "2026-02-03|本次就诊|本机构"]
    assert shown["institutions"] == ["本机构", "他院#1"]
    assert shown["earlier_line_id"] == "明细#1"
    assert shown["line_ids"] == ["明细#2", "明细#1"]
    assert shown["prescribers"] == ["本线索医师:非限制使用级", "医师#1:限制使用级"]
    assert shown["order_pairs"] == ["医嘱#1>医嘱#2"]


def test_personal_dates_and_address_are_replaced() -> None:
    clue = _clue({"birth_date": "2018-02-12", "death_date": "2026-02-09", "address_code": "511502998001"})
    assert expert_evidence(clue) == {"age_at_event": 7, "event_days_after_death": 2, "address_code": MASK}


def test_text_of_facts_is_masked() -> None:
    clue = _clue({"reason": "h1 的 13812345678 与 D7", "item_code": "001102000050000"})
    assert expert_evidence(clue) == {"reason": f"{MASK} 的 {MASK} 与 {MASK}", "item_code": "001102000050000"}
