"""The declarations match the spec's stable ids, the docs page is generated from them, and
targets files are validated with errors naming the file and the entry."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sanjianguan.indicators.docs import DOC_PATH, current
from sanjianguan.indicators.model import IndicatorError
from sanjianguan.indicators.registry import builtin_indicators, parse_indicator, select
from sanjianguan.indicators.targets import load_settings

ROOT = Path(__file__).resolve().parents[2]

# The spec's "Stable ids and precise readings" table: id → group (O/E is stored as OE).
SPEC_IDS = {
    "low_risk_mortality": "2A",
    "antibiotic_ddds_per_100_patient_days": "2A",
    "surgical_complication_rate": "2A",
    "class_i_ssi_rate": "2A",
    "key_disease_mortality": "2A",
    "readmission_31d_unplanned_rate": "2B",
    "drg_time_index": "2B",
    "drg_cost_index": "2B",
    "ct_positive_rate": "2B",
    "mri_positive_rate": "2B",
    "inpatient_antibiotic_rate": "2B",
    "outpatient_emergency_antibiotic_rate": "2B",
    "high_value_material_share": "2B",
    "two_way_referral_rate": "2C",
    "outpatient_appointment_rate": "2C",
    "outpatient_tcm_nondrug_ratio": "2C",
    "tcm_nondrug_item_count": "2C",
    "outpatient_tcm_prescription_ratio": "2C",
    "outpatient_herbal_pieces_ratio": "2C",
    "inpatient_herbal_pieces_rate": "2C",
    "key_monitored_drug_share": "2C",
    "doctor_nurse_ratio": "3",
    "bed_nurse_ratio": "3",
    "outpatient_visits_per_doctor_day": "3",
    "inpatient_days_per_doctor_day": "3",
    "drg_group_count": "3",
    "cmi": "3",
    "clinical_pathway_ratio": "3",
    "tcm_advantage_disease_ratio": "3",
    "oe_cost": "OE",
    "oe_los": "OE",
    "oe_drug_cost": "OE",
    "oe_material_cost": "OE",
}
COUNTS = {"tcm_nondrug_item_count", "drg_group_count"}


def test_catalogue_is_the_specs_stable_ids() -> None:
    indicators = builtin_indicators()
    assert {i.id: i.group.value for i in indicators} == SPEC_IDS
    for indicator in indicators:
        # Counts have no denominator; everything else says what it divides by.
        assert bool(indicator.denominator) is (indicator.id not in COUNTS), indicator.id
        assert indicator.policy.startswith("《四川省医疗机构、医务人员、医疗行为责任追究办法》")
        assert indicator.needs


def test_docs_page_is_current_and_complete() -> None:
    page = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert page == current(), "docs/indicators.md is stale: run `python -m sanjianguan.indicators.docs`"
    for indicator in builtin_indicators():
        assert f"### `{indicator.id}` {indicator.name_zh}" in page
        assert f"- 分子 / numerator: {indicator.numerator}" in page


def test_select_rejects_unknown_ids() -> None:
    with pytest.raises(IndicatorError, match="unknown indicator: nope"):
        select(builtin_indicators(), ["cmi", "nope"])


def test_declaration_errors_name_the_file() -> None:
    text = (ROOT / "src/sanjianguan/indicators/catalogue/cmi.toml").read_text(encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"region/cmi\.toml: 指标定义无效 .*direction"):
        parse_indicator(text.replace('direction = "higher"', 'direction = "up"'), "region/cmi.toml")
    with pytest.raises(IndicatorError, match=r"file must be named cmi\.toml"):
        parse_indicator(text, "region/other.toml")
    with pytest.raises(IndicatorError, match="query must return"):
        parse_indicator(text.replace("1 AS cases", "1 AS n"), "region/cmi.toml")


def test_region_targets_override_per_category(home: Path) -> None:
    indicators = builtin_indicators()
    home.mkdir(parents=True)
    (home / "targets.toml").write_text(
        '["综合医院".antibiotic_ddds_per_100_patient_days]\ntarget = 35\nsource = "市卫健委 2025"\n'
        '[default.ct_positive_rate]\ntarget = "none"\nsource = "不设标值"\n'
        "[peer_outliers]\nmin_peers = 7\n"
        '[params.key_disease_mortality]\nkey_prefixes = ["I21"]\n',
        encoding="utf-8",
    )
    settings = load_settings(home, indicators)
    ddd = "antibiotic_ddds_per_100_patient_days"
    general = settings.target("综合医院", ddd)
    assert general is not None
    assert (general.value, general.source) == (Decimal(35), "市卫健委 2025")
    # Other categories keep the built-in sample target; the 妇幼保健院 entry is its own.
    other = settings.target("中医医院", ddd)
    assert other is not None
    assert (other.value, other.source.startswith("卫办医政发")) == (Decimal(40), True)
    assert settings.target("综合医院", "ct_positive_rate") is None  # "none": peers decide
    assert settings.peers.min_peers == 7
    assert settings.peers.min_cases == 30
    disease = next(i for i in indicators if i.id == "key_disease_mortality")
    assert settings.values_for(disease) == {"key_prefixes": ["I21"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('["医院".cmi]\ntarget = 1\nsource = "x"\n', r"\[医院\] 未知机构类别"),
        ('[default.nope]\ntarget = 1\nsource = "x"\n', r"\[default.nope\] 未知指标"),
        ("[default.cmi]\ntarget = 1\n", r"\[default.cmi\]: 须有 target 与 source"),
        ('[default.cmi]\ntarget = "high"\nsource = "x"\n', r"target 须为数值"),
        ("[peer_outliers]\nrobust_sd = 0\n", r"robust_sd 须为正数"),
        ('[params.key_disease_mortality]\nkey_prefixes = "I21"\n', r"key_prefixes 未知参数或类型不符"),
        ("[default.cmi\n", "TOML 无法解析"),
    ],
)
def test_bad_targets_file_names_file_and_entry(home: Path, text: str, message: str) -> None:
    home.mkdir(parents=True)
    (home / "targets.toml").write_text(text, encoding="utf-8")
    with pytest.raises(IndicatorError, match=rf"targets\.toml: .*{message}"):
        load_settings(home, builtin_indicators())
