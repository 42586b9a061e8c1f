"""An analytic store for the analytic pages' tests (指标、数据采集、规则), built in the test's data folder.

Institutions H1 (county 511502) and H2 (511503) of the sample organisation, both level 3
综合医院; March 2025 encounters at H1 (two inpatients, two outpatients: the store of
tests/indicators/test_store_cli.py) and the indicators of `IDS` computed and stored by the
real runner (`sjg indicators`' code path).
"""

from __future__ import annotations

from decimal import Decimal

import duckdb

from sanjianguan.context import Context
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.indicators.runner import catalogue, run
from sanjianguan.indicators.scope import month
from tests.rules.builder import StoreBuilder

IDS = ("inpatient_antibiotic_rate", "outpatient_emergency_antibiotic_rate")
PERIOD = "2025-03"


def build_store(ctx: Context) -> None:
    """The store above, with the indicators of March 2025 run and stored."""
    with ctx.store() as con:
        build = StoreBuilder(con, PERIOD)
        build.institution("H1", region_code="511502").institution("H2", region_code="511503")
        build.patient()
        build.item("AB", kind="drug", antibiotic_grade="非限制使用级", ddd=Decimal(1))
        build.encounter("I1").encounter("I2")
        build.encounter("O1", encounter_type="outpatient", discharge=None, attending_doctor_id="D2")
        build.encounter("O2", encounter_type="outpatient", discharge=None)
        build.encounter("X1", institution_id="H2")
        build.order("I1", "OR1", "AB", "2025-03-02 08:00:00")
        build.fee("O1", "AB", "2025-03-01 09:00:00", 1, 5, item_type="drug_western")
        indicators, settings = catalogue(ctx.home, IDS)
        run(con, DuckDBEngine(con), indicators, month(PERIOD), settings)


def store(ctx: Context) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(ctx.home / "store.duckdb"), read_only=True)


def add_collection(ctx: Context) -> None:
    """Batches (H1 on time, H2 late for March 2025), two unmapped local codes at H1 and one at H2,
    and the quality record refreshed as `sjg quality` does."""
    import datetime as dt

    from sanjianguan.quality.record import refresh_quality, store_pairs

    with ctx.store() as con:
        for batch, inst, received in (
            ("B1", "H1", "2025-04-03 10:00:00"),
            ("B2", "H2", "2025-04-10 10:00:00"),
        ):
            con.execute(
                "INSERT INTO batches (batch_id, institution_id, period, kind, received_at, status) "
                "VALUES (?, ?, ?, 'full', ?, 'accepted')",
                [batch, inst, PERIOD, received],
            )
        build = StoreBuilder(con, PERIOD)
        build._encounters = {  # the encounters of build_store, for the fee lines below
            "I2": {"institution_id": "H1", "period": PERIOD},
            "X1": {"institution_id": "H2", "period": PERIOD},
        }
        for enc, local, n in (("I2", "LOC-9", 1), ("I2", "LOC-7", 3), ("X1", "LOC-H2", 1)):
            for k in range(n):
                build.fee(
                    enc,
                    None,
                    f"2025-03-0{k + 2} 09:00:00",
                    1,
                    100,
                    local_code=local,
                    item_name=f"项目{local}",
                )
        refresh_quality(con, ctx.settings, store_pairs(con, PERIOD), dt.date(2026, 3, 16))
