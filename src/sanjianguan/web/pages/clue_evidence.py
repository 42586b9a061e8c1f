"""线索详情 · 规则与证据: what the page reads of the analytic store for one clue.

The rule's sheet (`clues.rule_sheet`, the catalogue loaded once per app: `pages.catalogue`), and, from the
DuckDB store of the data folder opened read-only for the request: the parameters the
hit's run used, the encounter(s) behind the hit (`clues.encounter`), the patient's stay
timeline for stay rules, the DRG reference of S01-S04 and the peers of an indicator
clue (`clues.peers`). A store that is missing, busy or purged of the encounter gives a
sentence on the page instead of an error. The stay timeline keeps the patient's
encounters at institutions the user may see (and those the evidence itself names, which
the API shows too); the others are only counted.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import institution_filter
from sanjianguan.analytic_store.database import salt
from sanjianguan.clues.encounter import Stay, encounter_detail, stay_timeline
from sanjianguan.clues.peers import drg_reference, peer_distribution
from sanjianguan.clues.rule_sheet import RuleSheet, run_params
from sanjianguan.context import Context
from sanjianguan.errors import StoreBusyError, StoreError
from sanjianguan.web.configuration import WebConfig
from sanjianguan.web.pages.catalogue import rule_catalogue
from sanjianguan.workflow_db.models import Clue, Institution, SourceKind, User

STORE_WAIT = 2.0  # seconds a page waits for a store another process is writing
STORE_MISSING = "数据目录中还没有分析库（尚未导入数据），无法显示就诊明细。"
STORE_BUSY = "分析库正在写入（如正在导入数据），请稍后刷新本页查看就诊明细。"


def evidence_context(request: Request, session: Session, user: User, clue: Clue) -> dict[str, Any]:
    """Everything sections 规则 and 证据 show (`store_note`: why store figures are absent)."""
    book = rule_catalogue(request)
    config: WebConfig = request.app.state.config
    found: dict[str, Any] = {"store_note": None, "detail": None, "stays": None, "hidden_stays": 0}
    found |= {"drg": None, "peers": None, "used": None}
    try:
        with Context(home=config.home, settings=config.settings).store(
            read_only=True, wait=STORE_WAIT
        ) as con:
            if clue.source_kind == SourceKind.HIT.value:
                found["used"] = run_params(con, clue.source_id, clue.rule_id)
                found["detail"] = encounter_detail(con, clue, salt(config.home))
                found["stays"] = stay_timeline(con, clue)
                found["drg"] = drg_reference(con, clue)
            else:
                found["peers"] = peer_distribution(con, clue)
    except StoreBusyError:
        found["store_note"] = STORE_BUSY
    except StoreError:
        found["store_note"] = STORE_MISSING
    if found["stays"]:
        found["stays"], found["hidden_stays"] = _visible_stays(session, user, found["stays"])
    sheet: RuleSheet | None = book.sheet(clue.rule_id, found["used"])
    return found | {"sheet": sheet, "chart": _chart(found)}


def _visible_stays(session: Session, user: User, stays: list[Stay]) -> tuple[list[Stay], int]:
    ids = sorted({s.institution_id for s in stays})
    visible = set(
        session.execute(
            select(Institution.id).where(Institution.id.in_(ids), institution_filter(user))
        ).scalars()
    )
    kept = [s for s in stays if s.hit or s.institution_id in visible]
    return kept, len(stays) - len(kept)


def institution_names(session: Session, stays: list[Stay] | None) -> dict[str, str]:
    """Names of the institutions of the timeline (the workflow store's, by id)."""
    ids = sorted({s.institution_id for s in stays or []})
    if not ids:
        return {}
    rows = session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids)))
    return {str(i): str(n) for i, n in rows if n}


def _chart(found: dict[str, Any]) -> dict[str, Any] | None:
    """The numbers the page's charts draw (the same as its tables), or None for no chart."""
    peers = found["peers"]
    if peers is not None:
        return {
            "kind": "peers",
            "summary": [str(v) for v in peers.summary],
            "value": str(peers.value),
            "target": None if peers.target is None else str(peers.target),
        }
    stays = found["stays"]
    if stays:
        return {
            "kind": "stays",
            "stays": [
                {
                    "encounter_id": s.encounter_id,
                    "admit": s.admit_day.isoformat() if s.admit_day else None,
                    "discharge": s.discharge_day.isoformat() if s.discharge_day else None,
                    "hit": s.hit,
                    "type": s.type_zh,
                }
                for s in stays
            ],
        }
    return None
