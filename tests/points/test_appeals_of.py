"""points.service.appeals_of: the appeals of the records a user has read, by record id."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from sanjianguan.errors import PermissionDeniedError
from sanjianguan.points import service
from sanjianguan.points.config import load_points_config
from tests.workflow_db.fixtures import seed_org

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def test_appeals_of_the_records_read(session: Session) -> None:
    org = seed_org(session)
    county, hospital = org.users["county"], org.users["hospital1"]
    config = load_points_config()
    made = [
        service.record_points(
            session,
            county,
            config,
            party_kind=service.PartyKind.STAFF,
            party_id=f"D{i}",
            institution_id="H1",
            item_code="S101",
            responsibility="一般",
            event_date=date(2026, 3, 1),
            approved_on=date(2026, 3, 16),
            department="医政医管科",
            description="事实",
            now=NOW,
        )
        for i in (1, 2)
    ]
    service.serve_notice(session, county, config, made[0].id, received_on=date(2026, 3, 16), now=NOW)
    service.file_appeal(session, hospital, config, made[0].id, reason="不服", now=NOW)
    records = service.list_records(session, county)
    found = service.appeals_of(session, county, records)
    assert set(found) == {made[0].id}
    assert found[made[0].id].reason == "不服"
    assert service.appeals_of(session, county, []) == {}
    with pytest.raises(PermissionDeniedError):
        service.appeals_of(session, org.users["expert"], records)
