"""The seed indicators added later: 重点监控药品收入占比 (2C) and 中医优势病种比例 (level 3),
hand-computed on both engines (every run on Spark is compared with DuckDB).

重点监控药品收入占比 store (H1, 2025-03); KM, HPK are key_monitored drugs, D is not,
KMX is a key_monitored item charged on a treatment line (not a drug line):

| encounter | type | dept / doctor | lines (qty × price) | key-monitored | drugs |
|---|---|---|---|---|---|
| E1 | inpatient | 内科 / D1 | KM 2 × 50, D 1 × 100, HPK 10 × 2 (herbal pieces) | 120 | 220 |
| E2 | outpatient | 外科 / D2 | KM 2 × 50 then 1 refunded, D 3 × 50 | 50 | 200 |
| E3 | outpatient | 内科 / D1 | KMX 1 × 300 (treatment), D 1 × 100 | 0 | 100 |
| E4 | inpatient | 内科 / D1 | KMX 1 × 300 (treatment) only | — | — (no drug line: no case) |

中医优势病种比例 stores: the inpatients' main diagnoses against the region's list.
"""

from __future__ import annotations

from decimal import Decimal

from sanjianguan.indicators.compute import IndicatorValue
from sanjianguan.indicators.evaluate import FailingReason, InstitutionInfo, judge
from sanjianguan.indicators.model import Level
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.targets import load_settings
from tests.indicators.conftest import RunIndicators, num_den_value, values
from tests.rules.builder import StoreBuilder

SHARE = "key_monitored_drug_share"
TCM = "tcm_advantage_disease_ratio"
DAY = "2025-03-02 08:00:00"


def key_monitored_store(build: StoreBuilder) -> None:
    build.item("KM", kind="drug", key_monitored=True).item("D", kind="drug", key_monitored=False)
    build.item("HPK", kind="drug", key_monitored=True).item("KMX", key_monitored=True)
    western = {"item_type": "drug_western"}
    visit = {"encounter_type": "outpatient", "discharge": None}
    build.encounter("E1")
    build.encounter("E2", department="外科", attending_doctor_id="D2", **visit)
    build.encounter("E3", **visit)
    build.encounter("E4")
    build.fee("E1", "KM", DAY, 2, 50, **western)
    build.fee("E1", "D", DAY, 1, 100, **western)
    build.fee("E1", "HPK", DAY, 10, 2, item_type="herbal_pieces")
    build.fee("E2", "KM", DAY, 2, 50, **western)
    build.fee("E2", "KM", "2025-03-03 08:00:00", -1, 50, **western)  # a refund line
    build.fee("E2", "D", DAY, 3, 50, **western)
    build.fee("E3", "KMX", DAY, 1, 300)  # key_monitored, but not a drug line
    build.fee("E3", "D", DAY, 1, 100, **western)
    build.fee("E4", "KMX", DAY, 1, 300)


def test_key_monitored_drug_share(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    key_monitored_store(build)
    judged = run_indicators(SHARE)

    # (100 + 20 + 50) / (220 + 200 + 100): the refund nets E2's KM to 50, KMX counts on neither
    # side, E4 (no drug line) is no case.
    assert num_den_value(judged, SHARE, "H1") == (170, 520, Decimal("0.326923076923076923"))
    assert values(judged, SHARE)["H1"].value.cases == 3
    # 内科 E1 + E3: 120 / 320; 外科 E2: 50 / 200; per doctor as per department here.
    assert num_den_value(judged, SHARE, ("H1", "内科"), "department") == (120, 320, Decimal("0.375"))
    assert num_den_value(judged, SHARE, ("H1", "外科"), "department") == (50, 200, Decimal("0.25"))
    assert num_den_value(judged, SHARE, ("H1", "D1"), "doctor") == (120, 320, Decimal("0.375"))
    assert num_den_value(judged, SHARE, ("H1", "D2"), "doctor") == (50, 200, Decimal("0.25"))
    # No sample target, one institution (no peers): not failing.
    share = values(judged, SHARE)["H1"]
    assert (share.target, share.failing, share.group.value) == (None, False, "2C")


def test_key_monitored_drug_share_without_drug_lines_has_no_value(
    build: StoreBuilder, run_indicators: RunIndicators
) -> None:
    # Only a key_monitored item on a treatment line: no drug revenue, so no row (never 0).
    build.item("KMX", key_monitored=True).encounter("E4")
    build.fee("E4", "KMX", DAY, 1, 300)
    assert values(run_indicators(SHARE, "clinical_pathway_ratio"), SHARE) == {}


def test_key_monitored_drug_share_is_judged_by_its_peers() -> None:
    """No sample target: an institution far above its peers (same level and category, 30 cases)
    fails as a peer outlier (median 0.12, MAD 0.01: the band ends at 0.149652)."""
    indicators = builtin_indicators()
    shares = ("0.10", "0.11", "0.12", "0.12", "0.13", "0.14", "0.40")
    institution = Level.INSTITUTION
    found = [
        IndicatorValue(SHARE, institution, f"H{n}", None, None, Decimal(v) * 30, Decimal(30), 30, Decimal(v))
        for n, v in enumerate(shares)
    ]
    institutions = {v.institution_id: InstitutionInfo(3, "综合医院") for v in found}
    judged = judge(found, indicators, institutions, load_settings(None, indicators))
    failing = {j.value.institution_id: j.reason for j in judged if j.failing}
    assert failing == {"H6": FailingReason.PEER_OUTLIER}
    assert all(j.target is None for j in judged)


def tcm_store(build: StoreBuilder) -> None:
    bone = {"department": "骨科", "attending_doctor_id": "D2"}
    build.encounter("S1", main_diagnosis="I63.900")  # 中风
    build.encounter("S2", main_diagnosis="m51.202", **bone)  # matches M51 and M51.2: counted once
    build.encounter("S3", main_diagnosis="J18.900")
    build.encounter("S4", main_diagnosis="I10.x00")
    # Not an inpatient: neither numerator nor denominator.
    build.encounter("V1", encounter_type="outpatient", discharge=None, main_diagnosis="I63.900")


def test_tcm_advantage_disease_ratio(build: StoreBuilder, run_indicators: RunIndicators) -> None:
    tcm_store(build)
    build.item("X")  # knowledge-base version 1 exists, its TCM-advantage list is empty

    # An empty list gives no value at any level, while other indicators of the run have theirs.
    empty = run_indicators(TCM, "clinical_pathway_ratio")
    assert [j for j in empty if j.value.indicator == TCM] == []
    assert num_den_value(empty, "clinical_pathway_ratio", "H1") == (0, 4, 0)

    for prefix, name in (("I63", "中风"), ("M51", "腰痛"), ("M51.2", "腰椎间盘突出")):
        build.ref("ref_tcm_advantage_diseases", icd10_prefix=prefix, name=name)
    judged = run_indicators(TCM)
    # S1 (I63) and S2 (M51 and M51.2, once) of the inpatients S1-S4 → 2 / 4
    assert num_den_value(judged, TCM, "H1") == (2, 4, Decimal("0.5"))
    assert num_den_value(judged, TCM, ("H1", "骨科"), "department") == (1, 1, 1)
    assert num_den_value(judged, TCM, ("H1", "内科"), "department") == (1, 3, Decimal("0.333333333333333333"))
    assert num_den_value(judged, TCM, ("H1", "D2"), "doctor") == (1, 1, 1)
    ratio = values(judged, TCM)["H1"]
    assert (ratio.group.value, ratio.failing) == ("3", False)
