"""One status style: every state column is typed with its StrEnum, stored as the same text as before."""

from __future__ import annotations

import enum

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from sanjianguan.analytic_store.batch_status import BATCH_STATUS_ZH, BatchStatus
from sanjianguan.workflow_db.base import string_enum
from sanjianguan.workflow_db.models import (
    Campaign,
    CampaignStatus,
    InspectionVisit,
    PointRecord,
    PointState,
    Referral,
    ReferralStatus,
    VisitStatus,
)
from sanjianguan.workflow_db.models.jointwork import CAMPAIGN_STATUS_ZH, REFERRAL_STATUS_ZH, VISIT_STATUS_ZH
from sanjianguan.workflow_db.models.points import POINT_STATE_ZH

# The text each status was stored as before it became an enum: it must not change (no data migration).
STORED: dict[type[enum.StrEnum], tuple[str, ...]] = {
    VisitStatus: ("planned", "done"),
    CampaignStatus: ("open", "closed"),
    ReferralStatus: ("sent", "received", "answered"),
    PointState: ("active", "revoked"),
    BatchStatus: ("accepted", "rejected", "unchanged"),
}
LABELS: dict[type[enum.StrEnum], dict] = {  # type: ignore[type-arg]
    VisitStatus: VISIT_STATUS_ZH,
    CampaignStatus: CAMPAIGN_STATUS_ZH,
    ReferralStatus: REFERRAL_STATUS_ZH,
    PointState: POINT_STATE_ZH,
    BatchStatus: BATCH_STATUS_ZH,
}
COLUMNS = [
    (InspectionVisit.__table__.c.status, VisitStatus),
    (Campaign.__table__.c.status, CampaignStatus),
    (Referral.__table__.c.status, ReferralStatus),
    (PointRecord.__table__.c.state, PointState),
]


@pytest.mark.parametrize("status", list(STORED), ids=lambda s: s.__name__)
def test_values_are_the_stored_text(status: type[enum.StrEnum]) -> None:
    assert tuple(m.value for m in status) == STORED[status]


@pytest.mark.parametrize("status", list(LABELS), ids=lambda s: s.__name__)
def test_every_member_has_a_chinese_label(status: type[enum.StrEnum]) -> None:
    assert set(LABELS[status]) == set(status)
    assert all(label and label.isascii() is False for label in LABELS[status].values())
    assert [m.label_zh for m in status] == [LABELS[status][m] for m in status]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("column", "status"), COLUMNS, ids=lambda c: getattr(c, "name", None))
def test_column_is_typed_with_its_enum_in_the_migrated_width(
    column: Column, status: type[enum.StrEnum]
) -> None:
    assert column.type.enum_class is status  # type: ignore[attr-defined]
    assert column.type.length == 16  # type: ignore[attr-defined]
    assert not column.type.native_enum  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", [VisitStatus, CampaignStatus, ReferralStatus, PointState])
def test_a_member_is_stored_as_its_text_and_read_back_as_the_member(status: type[enum.StrEnum]) -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("s", string_enum(status, 16))
    )
    table.create(engine)
    with engine.begin() as conn:
        for member in status:
            conn.execute(insert(table).values(s=member))
        assert [r[0] for r in conn.execute(text("SELECT s FROM t ORDER BY id"))] == list(STORED[status])
        read = list(conn.execute(select(table.c.s).order_by(table.c.id)).scalars())
        assert read == list(status)
        assert all(type(v) is status for v in read)


@pytest.mark.parametrize("status", [VisitStatus, CampaignStatus, ReferralStatus, PointState])
def test_a_stray_text_in_the_column_fails_loudly_when_read(status: type[enum.StrEnum]) -> None:
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("s", string_enum(status, 16)))
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES ('not_a_status')"))
        with pytest.raises(LookupError):
            conn.execute(select(table.c.s)).scalars().all()
