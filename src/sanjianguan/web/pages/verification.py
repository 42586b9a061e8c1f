"""调查核实 (the investigator's queue): sampled clues to verify, and where materials may be requested.

The numbers are `cases.verification.verification_queue` for the signed-in user, under the
same jurisdiction scope as the API: its count of sampled clues equals
`GET /api/v1/clues?status=sampled` for the same user. Each clue links to its detail page
and to the forms of its actions (`/clues/{id}/act/verify`, `/clues/{id}/act/request_evidence`,
built with the clue detail); this page itself changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.cases.verification import LIMIT, QueueItem, verification_queue
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Labels, Rules

router = APIRouter(include_in_schema=False)
VERIFICATION_PAGE = "/verification"
DRAWN_ZH = {"random": "随机抽中", "selected": "办公室加选"}


def _row(item: QueueItem, labels: Labels) -> dict[str, Any]:
    clue = item.clue
    return {
        "id": clue.id,
        "rule": f"{clue.rule_id} {labels.rule_name(clue) or ''}".strip(),
        "institution": f"{labels.institutions.get(clue.institution_id) or ''}（{clue.institution_id}）",
        "period": clue.period,
        "amount": clue.amount_involved,
        "status_zh": STATUS_ZH[ClueStatus(clue.status)],
        "drawn_on": item.drawn_on,
        "drawn_zh": DRAWN_ZH.get(item.drawn_reason or "", "—"),
        "days_since": item.working_days_since_drawn,
        "evidence_due": item.evidence_due,
        "days_left": item.evidence_days_left,
    }


@router.get(VERIFICATION_PAGE)
def queue(request: Request, user: PageUser, session: SessionDep, now: Now, rules: Rules) -> Response:
    """调查核实: the sampled clues of the user's jurisdiction awaiting verification."""
    found = verification_queue(session, user, today=china_date(now))
    labels = Labels.of(session, rules, [i.clue for i in found.to_verify + found.may_request])
    context = frame(session, user, page_token(request) or "", active=VERIFICATION_PAGE) | {
        "today": china_date(now),
        "to_verify": [_row(i, labels) for i in found.to_verify],
        "to_verify_total": found.to_verify_total,
        "may_request": [_row(i, labels) for i in found.may_request],
        "may_request_total": found.may_request_total,
        "limit": LIMIT,
    }
    return render("verification.html", context)
