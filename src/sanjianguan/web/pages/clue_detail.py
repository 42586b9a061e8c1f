"""线索详情 (the clue detail page): one clue as a reviewer reads it, and what the user may do now.

`GET /clues/{clue_id}` shows, for a clue the user may see (else the 404 page, exactly as
`GET /api/v1/clues/{id}`): 概要 (the clue as the API shows it), 规则 (definition, policy
basis, parameters), 证据 (the encounter's fee lines, orders and diagnoses with the lines
the evidence names marked, a stay timeline, DRG figures or the peer distribution:
`clue_evidence`), 期限 (open deadlines with working days left), 办理记录 (the case file and
history: `clue_record`) and 可办理事项 (`cases.views.allowed_actions`, as links to the
action pages `/clues/{id}/act/{action}`). Experts never see identities (双盲): they are
sent to their anonymised package page instead. `?done=<action>` names an action just
taken, in words looked up from `ACTION_ZH` (the query text is never echoed).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from sanjianguan.access.jurisdiction import sees_identities
from sanjianguan.access.permissions import Action, can
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.cases.transitions import ACTION_ZH, CaseAction
from sanjianguan.cases.views import case_file, history
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.clues.queries import read_clue
from sanjianguan.rules.model import Category, Grade
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.clue_evidence import evidence_context, institution_names
from sanjianguan.web.pages.clue_record import case_labels, history_rows, open_deadlines
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.notices import clue_notices
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Labels, Rules
from sanjianguan.workflow_db.models import Clue

router = APIRouter(include_in_schema=False)
DETAIL = "/clues/{clue_id}"
EXPERT_PACKAGE = "/expert/packages/{clue_id}"  # the expert's anonymised package page
ACTION_PAGE = "/clues/{clue_id}/act/{action}"  # the action form pages
LIST_PAGE = "/clues"
EVIDENCE_FILE = "/api/v1/clues/{clue_id}/evidence/{file_id}"


def done_label(done: str | None) -> str | None:
    """已办理：<label> for a known action (anything else: nothing)."""
    try:
        return ACTION_ZH[CaseAction(done)] if done else None
    except ValueError:
        return None


def summary(clue: Clue, labels: Labels) -> dict[str, Any]:
    """概要: the clue's fields as the API's full view gives them, with names in Chinese."""
    info = labels.rules.get(clue.rule_id)
    category = info.category if info else None
    grade = info.grade if info else None
    return {
        "rule_name": labels.rule_name(clue),
        "category": Category(category).label_zh if category else None,
        "grade": Grade(grade).label_zh if grade else None,
        "institution_name": labels.institutions.get(clue.institution_id),
        "status_zh": STATUS_ZH[ClueStatus(clue.status)],
        "source_zh": "指标线索（二级指标不达标）" if clue.source_kind == "indicator" else "规则命中",
    }


@router.get(DETAIL)
def clue_detail(
    request: Request,
    clue_id: Annotated[str, Path(max_length=160)],
    user: PageUser,
    session: SessionDep,
    rules: Rules,
    now: Now,
    done: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """线索详情."""
    if not sees_identities(user):  # 双盲: the expert's page shows the anonymised package only
        return redirect(EXPERT_PACKAGE.format(clue_id=quote(clue_id, safe="")))
    clue = read_clue(session, user, resolve_clue_id(session, user, clue_id))
    today = china_date(now)
    case = case_file(session, user, clue.id, today=today)
    events = history(session, user, clue.id) if can(user, Action.CASE_HISTORY) else None
    evidence = evidence_context(request, session, user, clue)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=LIST_PAGE) | {
        "clue": clue,
        "summary": summary(clue, Labels.of(session, rules, [clue])),
        "case": case,
        "labels": case_labels(case),
        "deadlines": open_deadlines(session, case["deadlines"], today),
        "history": None if events is None else history_rows(events),
        "actions": [
            a | {"href": ACTION_PAGE.format(clue_id=quote(clue.id, safe=""), action=a["action"])}
            for a in case["allowed_actions"]
        ],
        "done": done_label(done),
        "today": today,
        "file_href": lambda file_id: EVIDENCE_FILE.format(clue_id=quote(clue.id, safe=""), file_id=file_id),
        "names": institution_names(session, evidence["stays"]),
        "evidence": evidence,
        "notice_buttons": clue_notices(session, user, clue.id),
    }
    return render("clue_detail.html", context)
