"""办理 (acting on a clue): one form per action of the loop, `GET`/`POST /clues/{id}/act/{action}`.

The clue's page links each action the user may take now (`cases.views.allowed_actions`)
here. The form is drawn from its row in `clue_action_forms.FORMS`; the POST checks the
form on the server (errors next to the fields, input kept, 400), then calls the very
service function of the JSON API's route (`web/routes/cases.py`), which checks
jurisdiction (404), role (403), state, guard and deadline (409) again and audits the
change; success answers 303 to `/clues/{id}?done=<action>`.

A form is only offered for an action allowed now: otherwise the page answers 409 and
says, in words, why and what is allowed instead. The form carries the clue's stamp
(`cases.form_stamp`): posted a second time (double submit), the clue has moved on and
the page answers the same 409, changing nothing. Upload forms read files with the API's
checks (`cases.evidence.read_uploads`: count, size, name; types when stored); a refused
file is named next to the file input. Whatever a service refuses is rolled back before
the page is shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.jurisdiction import get_clue
from sanjianguan.access.permissions import require
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import service
from sanjianguan.cases.evidence import (
    ALLOWED_EXTENSIONS,
    EvidenceRejectedError,
    EvidenceStore,
    Upload,
    read_uploads,
)
from sanjianguan.cases.form_stamp import form_stamp
from sanjianguan.cases.states import (
    STATUS_ZH,
    ClueStatus,
    ReviewResult,
    SelfCheckOutcome,
    VerificationConclusion,
)
from sanjianguan.cases.steps import begin, open_deadline
from sanjianguan.cases.transitions import PERMISSIONS, CaseAction, InvalidTransitionError, find
from sanjianguan.cases.views import allowed_actions
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    WorkflowError,
)
from sanjianguan.web.deps import EvidenceDep, Now, SessionDep
from sanjianguan.web.pages.clue_action_forms import ELSEWHERE, FORMS, ActionForm, kept, validate
from sanjianguan.web.pages.deadlines import due_text
from sanjianguan.web.pages.forms import PageFiles, SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import Clue, Institution, User

router = APIRouter(include_in_schema=False)
PATH = "/clues/{clue_id}/act/{action}"
STAMP = "stamp"
FILES_AGAIN = "出于安全原因，已选择的文件不会保留，请重新选择"
A = CaseAction
ClueId = Annotated[str, Path(max_length=160)]  # as the API's clue id
ActionName = Annotated[str, Path(max_length=64)]


@dataclass(frozen=True)
class Submission:
    """A checked form of one action, ready for its service call."""

    session: Session
    user: User
    clue_id: str
    values: dict[str, str]
    uploads: list[Upload]
    store: EvidenceStore
    now: datetime

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def seed(self) -> str | None:
        return self["seed"].strip() or None


def _panel(s: Submission) -> None:
    size = int(s["panel_size"])
    service.draw_panel(
        s.session, s.user, s.clue_id, specialty=s["specialty"], size=size, seed=s.seed, now=s.now
    )


def _open_adjudication(s: Submission) -> None:
    service.open_adjudication(s.session, s.user, s.clue_id, reason=s["reason"], now=s.now)
    _panel(s)


def _self_check(s: Submission) -> None:
    service.self_check(
        s.session,
        s.user,
        s.clue_id,
        outcome=SelfCheckOutcome(s["outcome"]),
        explanation=s["explanation"],
        handling=s["handling"],
        files=s.uploads,
        store=s.store,
        now=s.now,
    )


def _verify(s: Submission) -> None:
    conclusion = VerificationConclusion(s["outcome"])
    service.verify(
        s.session,
        s.user,
        s.clue_id,
        conclusion=conclusion,
        record_text=s["explanation"],
        files=s.uploads,
        store=s.store,
        now=s.now,
    )


def _rectification(s: Submission) -> None:
    service.report_rectification(
        s.session,
        s.user,
        s.clue_id,
        report=s["report"],
        handling=s["handling"],
        files=s.uploads,
        store=s.store,
        now=s.now,
    )


# The service call of each action: the same call, with the same arguments, as its API route.
HANDLERS: dict[CaseAction, Callable[[Submission], Any]] = {
    A.REMIND: lambda s: service.remind(s.session, s.user, s.clue_id, now=s.now, reason=s["reason"] or None),
    A.SELF_CHECK: _self_check,
    A.REQUEST_EVIDENCE: lambda s: service.request_evidence(
        s.session, s.user, s.clue_id, text=s["text"], now=s.now
    ),
    A.SUPPLY_EVIDENCE: lambda s: service.supply_evidence(
        s.session, s.user, s.clue_id, note=s["note"], files=s.uploads, store=s.store, now=s.now
    ),
    A.VERIFY: _verify,
    A.OPEN_ADJUDICATION: _open_adjudication,
    A.DRAW_PANEL: _panel,
    A.RULE: lambda s: service.rule(s.session, s.user, s.clue_id, text=s["text"], now=s.now),
    A.DECIDE: lambda s: service.decide(s.session, s.user, s.clue_id, reason=s["reason"], now=s.now),
    A.NOTIFY: lambda s: service.notify(s.session, s.user, s.clue_id, text=s["text"], now=s.now),
    A.APPEAL: lambda s: service.appeal(
        s.session, s.user, s.clue_id, reason=s["reason"], files=s.uploads, store=s.store, now=s.now
    ),
    A.REVIEW: lambda s: service.review(
        s.session, s.user, s.clue_id, result=ReviewResult(s["outcome"]), text=s["explanation"], now=s.now
    ),
    A.ISSUE_RESPONSIBILITY_NOTICE: lambda s: service.issue_responsibility_notice(
        s.session, s.user, s.clue_id, text=s["text"], now=s.now
    ),
    A.REPORT_RECTIFICATION: _rectification,
    A.CLOSE: lambda s: service.close(s.session, s.user, s.clue_id, reason=s["reason"], now=s.now),
}
assert set(HANDLERS) == set(FORMS), "every form has its service call"


def _form_of(action: str) -> ActionForm:
    """The form of `action`; 404 (in words) for an unknown action or one done on another page."""
    try:
        member = CaseAction(action)
    except ValueError:
        raise NotFoundError(
            "没有这个办理事项", f"no such action: {action}", code="action_not_found"
        ) from None
    if member not in FORMS:
        where = ELSEWHERE.get(member, "此处不办理该事项")
        raise NotFoundError(where, f"{member.value} is not done on this page", code="action_elsewhere")
    return FORMS[member]


def _clue(session: Session, user: User, clue_id: str, form: ActionForm) -> Clue:
    """The clue inside the user's jurisdiction (404), for a role that may take the action (403)."""
    clue = get_clue(session, user, resolve_clue_id(session, user, clue_id))
    require(user, PERMISSIONS[form.action])
    return clue


def _allowed(session: Session, user: User, clue: Clue, now: datetime) -> list[dict[str, str]]:
    moves = allowed_actions(session, user, clue, china_date(now))
    return [
        move | {"href": f"/clues/{clue.id}/act/{move['action']}"}
        if CaseAction(move["action"]) in FORMS
        else move
        for move in moves
    ]


def _base(request: Request, session: Session, user: User, clue: Clue, form: ActionForm) -> dict[str, Any]:
    institution = session.get(Institution, clue.institution_id)
    return frame(session, user, page_token(request) or "", active="") | {
        "clue": clue,
        "clue_href": f"/clues/{clue.id}",
        "due": due_text(request, session),
        "status_zh": STATUS_ZH[ClueStatus(clue.status)],
        "institution": institution.name if institution and institution.name else clue.institution_id,
        "form": form,
    }


def _refused(
    request: Request, session: Session, user: User, clue: Clue, form: ActionForm, now: datetime, reason: str
) -> Response:
    """409: the action cannot be taken now; why, in words, and what may be done instead."""
    context = _base(request, session, user, clue, form) | {
        "reason": reason,
        "allowed": _allowed(session, user, clue, now),
    }
    return render("clue_action_refused.html", context, status=409)


def _why_not(session: Session, user: User, clue: Clue, action: CaseAction, now: datetime) -> str:
    """The service's own reason for refusing `action` now (its checks change nothing)."""
    try:
        begin(session, user, clue.id, action, now)
    except InvalidTransitionError:
        return ""  # the page says it already: this state has no such move
    except WorkflowError as exc:
        return exc.message_zh
    return ""


def _form_page(
    request: Request,
    session: Session,
    user: User,
    clue: Clue,
    form: ActionForm,
    store: EvidenceStore,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    files_chosen: bool = False,
) -> Response:
    row = find(clue.status, form.action)
    deadline = open_deadline(session, clue.id, row.deadline) if row.deadline else None
    context = _base(request, session, user, clue, form) | {
        "values": values if values is not None else kept(form, {}),
        "errors": errors or {},
        "form_error": form_error,
        "files_again": FILES_AGAIN if files_chosen else None,
        "stamp": form_stamp(session, clue),
        "deadline": deadline,
        "accept": ",".join(ALLOWED_EXTENSIONS),
        "types": "、".join(ext.removeprefix(".").upper() for ext in ALLOWED_EXTENSIONS),
        "max_mb": f"{store.max_bytes / (1024 * 1024):g}",
        "max_files": store.max_files,
    }
    status = 400 if errors or form_error else 200
    return render("clue_action.html", context, status=status)


@router.get(PATH)
def action_form(
    request: Request,
    clue_id: ClueId,
    action: ActionName,
    user: PageUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
) -> Response:
    """办理表单: the form of `action` on the clue, if the user may take it now (else 409)."""
    form = _form_of(action)
    clue = _clue(session, user, clue_id, form)
    if not any(
        move["action"] == form.action for move in allowed_actions(session, user, clue, china_date(now))
    ):
        return _refused(
            request, session, user, clue, form, now, _why_not(session, user, clue, form.action, now)
        )
    return _form_page(request, session, user, clue, form, store)


@router.post(PATH)
def act(
    request: Request,
    clue_id: ClueId,
    action: ActionName,
    user: PageUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
    posted: SignedForm,
    files: PageFiles = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> Response:
    """办理: check the form, call the action's service, 303 to the clue's page (or show why not)."""
    form = _form_of(action)
    clue = _clue(session, user, clue_id, form)
    if posted.get(STAMP) != form_stamp(session, clue):
        reason = "此表单已经提交过，或在您打开表单后线索已有变化；本次提交未作任何修改。"
        return _refused(
            request, session, user, clue, form, now, reason + _why_not(session, user, clue, form.action, now)
        )
    values = kept(form, posted)
    page = _Page(request, session, user, clue, form, store, values, files_chosen=bool(files))
    errors = validate(form, posted, len(files))
    if errors:
        return page.invalid(errors)
    try:
        uploads = read_uploads(files, store) if form.uploads else []
        HANDLERS[form.action](Submission(session, user, clue.id, values, uploads, store, now))
    except WorkflowError as exc:
        session.rollback()  # nothing of a refused action stays (open_adjudication + draw_panel are one)
        return page.refused(exc, now)
    return redirect(f"/clues/{clue.id}?done={form.action.value}")


@dataclass(frozen=True)
class _Page:
    """The form page again, after a refused POST."""

    request: Request
    session: Session
    user: User
    clue: Clue
    form: ActionForm
    store: EvidenceStore
    values: dict[str, str]
    files_chosen: bool

    def invalid(self, errors: dict[str, str], form_error: str | None = None) -> Response:
        return _form_page(
            self.request,
            self.session,
            self.user,
            self.clue,
            self.form,
            self.store,
            values=self.values,
            errors=errors,
            form_error=form_error,
            files_chosen=self.files_chosen,
        )

    def refused(self, exc: WorkflowError, now: datetime) -> Response:
        """400 next to the field (a refused file: next to the file input), 409 with what is allowed
        now; 404/403 (jurisdiction, role) as the error page."""
        if isinstance(exc, ConflictError):
            return _refused(self.request, self.session, self.user, self.clue, self.form, now, exc.message_zh)
        if isinstance(exc, NotFoundError | PermissionDeniedError | AuthenticationError):
            raise exc
        files = next((f.name for f in self.form.fields if f.kind == "files"), None)
        if files and (isinstance(exc, EvidenceRejectedError) or exc.code == "files_required"):
            return self.invalid({files: exc.message_zh})
        return self.invalid({}, exc.message_zh)
