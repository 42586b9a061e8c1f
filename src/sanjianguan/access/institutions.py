"""医疗机构 in the workflow store: registered from the analytic store's `institutions` table."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
from sqlalchemy.orm import Session

from sanjianguan.access.regions import ensure_region
from sanjianguan.audit.events import InstitutionSynced
from sanjianguan.audit.log import SYSTEM, Actor, record
from sanjianguan.workflow_db.models import Institution


def ensure_institution(
    session: Session, institution_id: str, *, name: str, region_code: str | None, actor: Actor = SYSTEM
) -> Institution:
    """Create or update one institution (audited when anything changes)."""
    if region_code:
        ensure_region(session, region_code, actor=actor)
    found = session.get(Institution, institution_id)
    before = None if found is None else {"name": found.name, "region_code": found.region_code}
    after = {"name": name, "region_code": region_code or None}
    if before == after:
        assert found is not None
        return found
    institution = found or Institution(id=institution_id)
    institution.name, institution.region_code = after["name"] or "", after["region_code"]
    session.add(institution)
    session.flush()
    record(session, InstitutionSynced(subject_id=institution_id, before=before, after=after), actor=actor)
    return institution


def sync_institutions(
    session: Session, con: duckdb.DuckDBPyConnection, ids: Iterable[str], *, actor: Actor = SYSTEM
) -> dict[str, Institution]:
    """Register the given institutions from the store; one unknown to the store gets no region."""
    wanted = sorted(set(ids))
    known = _store_rows(con, wanted)
    return {
        inst_id: ensure_institution(
            session,
            inst_id,
            name=known.get(inst_id, ("", None))[0],
            region_code=known.get(inst_id, ("", None))[1],
            actor=actor,
        )
        for inst_id in wanted
    }


def _store_rows(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    if not ids:
        return {}
    rows = con.execute(
        "SELECT institution_id, coalesce(name, ''), region_code FROM institutions "
        "WHERE institution_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall()
    return {str(row[0]): (str(row[1]), row[2]) for row in rows}
