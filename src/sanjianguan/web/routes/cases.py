"""The clue workflow (线索办理) over HTTP: one route per action, plus the case file and history.

Routes only translate HTTP to the services of `sanjianguan.cases` (which check
jurisdiction → 404, role → 403, state/guard/deadline → 409, input → 400/422); the
request's session commits when the route returns, so a refused request changes nothing.
Late actions answer 409 with code `deadline_passed`. Evidence is downloaded only as an
attachment, never shown inline.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import ValidationError

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import deadlines, service, views
from sanjianguan.cases.evidence import EvidenceStore, Upload, read_uploads
from sanjianguan.cases.states import SelfCheckOutcome, VerificationConclusion
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.web.deps import CurrentUser, EvidenceDep, Now, SessionDep
from sanjianguan.web.routes.clues import ClueIdPath, Labels, Rules, clue_view
from sanjianguan.web.schemas.cases import (
    ActionPublic,
    AdjudicationCreate,
    AppealCreate,
    CaseFile,
    ExpertConflictCreate,
    ExpertProfileCreate,
    HistoryItem,
    OverduePublic,
    PackagePublic,
    PushCreate,
    PushPublic,
    ReasonCreate,
    ReviewCreate,
    SampleCreate,
    SamplePublic,
    TextCreate,
    VoteCreate,
)
from sanjianguan.web.schemas.clues import ClueExpertView
from sanjianguan.web.schemas.common import MONTH, IdPath, SafeText
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.workflow_db.models import Clue

router = APIRouter(tags=["cases"])
T = TypeVar("T")

PeriodPath = Annotated[str, Path(pattern=MONTH, description="YYYY-MM")]
ClueId = ClueIdPath  # an old id (before migration 0006) resolves for those who may see the clue
ACTION_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


Files = Annotated[list[UploadFile], File(description="证明材料 / evidence files (pdf, jpg, png, docx, xlsx)")]
# A form field that the route requires itself (because a deprecated former name may stand in).
REQUIRED: dict[str, Any] = {"x-required": True}


def _uploads(files: list[UploadFile], store: EvidenceStore) -> list[Upload]:
    """Read each upload, stopping one byte past the limit (an oversize file is refused unread)."""
    return read_uploads(files, store)


def _done(session: SessionDep, clue_id: str, **detail: Any) -> ActionPublic:
    clue = session.get(Clue, clue_id)
    assert clue is not None
    return ActionPublic(clue_id=clue_id, status=clue.status, detail=detail)


# --- batches ---------------------------------------------------------------------------


@router.post("/periods/{period}/push", response_model=PushPublic, responses=ACTION_ERRORS)
def push(
    period: PeriodPath, body: PushCreate, user: CurrentUser, session: SessionDep, now: Now
) -> PushPublic:
    """推送 (office): the period's generated clues of a region, as one audited action."""
    result = service.push_period(session, user, period, body.region_code, now=now)
    return PushPublic(**result.__dict__)


@router.post("/periods/{period}/sample", response_model=SamplePublic, responses=ACTION_ERRORS)
def sample(
    period: PeriodPath, body: SampleCreate, user: CurrentUser, session: SessionDep, now: Now
) -> SamplePublic:
    """抽查 (office): a seeded, stratified draw of self-checked clues, plus selected disputes."""
    result = service.sample(
        session,
        user,
        period,
        body.region_code,
        rate=body.rate,
        seed=body.seed,
        include=[resolve_clue_id(session, user, clue_id) for clue_id in body.include_disputed],
        now=now,
    )
    return SamplePublic(**result.__dict__)


# --- reading -----------------------------------------------------------------------------


@router.get("/clues/{clue_id}/case", response_model=CaseFile, responses=error_responses(401, 403, 404))
def case_file(clue_id: ClueId, user: CurrentUser, session: SessionDep, now: Now) -> CaseFile:
    """线索案卷: each step's content as the caller may see it, deadlines and the caller's next moves."""
    return CaseFile(**views.case_file(session, user, clue_id, today=china_date(now)))


@router.get(
    "/clues/{clue_id}/history", response_model=list[HistoryItem], responses=error_responses(401, 403, 404)
)
def history(clue_id: ClueId, user: CurrentUser, session: SessionDep) -> list[HistoryItem]:
    """办理记录: the clue's audit events (experts: 403)."""
    return [HistoryItem(**item) for item in views.history(session, user, clue_id)]


@router.get(
    "/clues/{clue_id}/evidence/{file_id}",
    response_class=FileResponse,
    responses=error_responses(401, 403, 404),
)
def download_evidence(
    clue_id: ClueId, file_id: IdPath, user: CurrentUser, session: SessionDep, store: EvidenceDep
) -> FileResponse:
    """下载证明材料 (attachment only, never inline; experts: 403)."""
    row, path = views.evidence_file(session, user, clue_id, file_id, store)
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.original_name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
    )


@router.get("/clues/{clue_id}/adjudication", responses=error_responses(401, 403, 404))
def adjudication(clue_id: ClueId, user: CurrentUser, session: SessionDep, now: Now) -> dict[str, Any] | None:
    """裁定情况 (votes only after the ruling; the institution never sees the panel)."""
    found: dict[str, Any] | None = views.case_file(session, user, clue_id, today=china_date(now))[
        "adjudication"
    ]
    return found


@router.get("/deadlines/overdue", response_model=list[OverduePublic], responses=error_responses(401, 403))
def overdue(user: CurrentUser, session: SessionDep, now: Now) -> list[OverduePublic]:
    """逾期事项 (office): open deadlines past due in the caller's region."""
    return [OverduePublic.model_validate(item) for item in deadlines.overdue(session, user, china_date(now))]


@router.get("/experts/me/packages", response_model=list[PackagePublic], responses=error_responses(401, 403))
def packages(user: CurrentUser, session: SessionDep, now: Now, rules: Rules) -> list[PackagePublic]:
    """专家案卷包 (expert): the anonymised cases assigned to the caller."""
    found = views.expert_packages(session, user, today=china_date(now))
    labels = Labels(rules)  # no institution names: experts never see them
    result = []
    for item in found:
        clue = clue_view(user, item.clue, labels)
        assert isinstance(clue, ClueExpertView)
        result.append(PackagePublic(clue=clue, case=CaseFile(**item.case)))
    return result


# --- actions on one clue ------------------------------------------------------------------


@router.post("/clues/{clue_id}/remind", response_model=ActionPublic, responses=ACTION_ERRORS)
def remind(
    clue_id: ClueId, body: ReasonCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """催办 (office): a second, last self-check deadline."""
    due = service.remind(session, user, clue_id, now=now, reason=body.reason or None)
    return _done(session, clue_id, self_check_due=due)


@router.post("/clues/{clue_id}/self-check", response_model=ActionPublic, responses=ACTION_ERRORS)
def self_check(
    clue_id: ClueId,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
    outcome: Annotated[SelfCheckOutcome, Form()],
    explanation: Annotated[SafeText, Form(max_length=20_000)],
    handling: Annotated[SafeText, Form(max_length=20_000)] = "",
    files: Files = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> ActionPublic:
    """自查反馈 (institution, within 7 working days): multipart with evidence files."""
    uploads = _uploads(files, store)
    service.self_check(
        session,
        user,
        clue_id,
        outcome=outcome,
        explanation=explanation,
        handling=handling,
        files=uploads,
        store=store,
        now=now,
    )
    return _done(session, clue_id)


@router.post("/clues/{clue_id}/evidence-request", response_model=ActionPublic, responses=ACTION_ERRORS)
def evidence_request(
    clue_id: ClueId, body: TextCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """责令限期提供证明材料 (office, investigator; art. 31)."""
    return _done(
        session,
        clue_id,
        evidence_due=service.request_evidence(session, user, clue_id, text=body.text, now=now),
    )


@router.post("/clues/{clue_id}/evidence", response_model=ActionPublic, responses=ACTION_ERRORS)
def supply_evidence(
    clue_id: ClueId,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
    files: Files,
    note: Annotated[SafeText, Form(max_length=20_000)] = "",
) -> ActionPublic:
    """提供证明材料 (institution, within the requested deadline)."""
    ids = service.supply_evidence(
        session, user, clue_id, note=note, files=_uploads(files, store), store=store, now=now
    )
    return _done(session, clue_id, file_ids=ids)


def _renamed(new: str, value: T | None, old: str, former: T | None) -> T:
    """A form field under its name or, deprecated, its former name (one of the two, required)."""
    if value is not None and former is not None:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", old),
                    "type": "extra_forbidden",
                    "msg": f"use `{new}` only (`{old}` is its old name)",
                }
            ]
        )
    found = value if value is not None else former
    if found is None:
        raise RequestValidationError([{"loc": ("body", new), "type": "missing", "msg": "Field required"}])
    return found


@router.post("/clues/{clue_id}/verify", response_model=ActionPublic, responses=ACTION_ERRORS)
def verify(
    clue_id: ClueId,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
    outcome: Annotated[
        VerificationConclusion | None,
        Form(description="核实结论 / verification outcome", json_schema_extra=REQUIRED),
    ] = None,
    explanation: Annotated[
        SafeText | None,
        Form(
            min_length=1,
            max_length=20_000,
            description="现场核查记录 / on-site record",
            json_schema_extra=REQUIRED,
        ),
    ] = None,
    conclusion: Annotated[
        VerificationConclusion | None, Form(deprecated=True, description="旧名 / deprecated: `outcome`")
    ] = None,
    record: Annotated[
        SafeText | None,
        Form(
            min_length=1, max_length=20_000, deprecated=True, description="旧名 / deprecated: `explanation`"
        ),
    ] = None,
    files: Files = [],  # noqa: B006
) -> ActionPublic:
    """调查核实 (investigator): agree/disagree with the self-check, on-site record and files."""
    service.verify(
        session,
        user,
        clue_id,
        conclusion=_renamed("outcome", outcome, "conclusion", conclusion),
        record_text=_renamed("explanation", explanation, "record", record),
        files=_uploads(files, store),
        store=store,
        now=now,
    )
    return _done(session, clue_id)


@router.post("/clues/{clue_id}/adjudication", response_model=ActionPublic, responses=ACTION_ERRORS)
def open_adjudication(
    clue_id: ClueId, body: AdjudicationCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """受理裁定并抽选专家 (adjudicator): panel of 3 or 5, double-blind."""
    service.open_adjudication(session, user, clue_id, reason=body.reason, now=now)
    service.draw_panel(
        session, user, clue_id, specialty=body.specialty, size=body.panel_size, seed=body.seed, now=now
    )
    return _done(session, clue_id, panel_size=body.panel_size)


@router.post(
    "/clues/{clue_id}/votes",
    response_model=ActionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=ACTION_ERRORS,
)
def cast_vote(
    clue_id: ClueId, body: VoteCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """专家表决 (expert on the panel): hidden from everyone until the ruling."""
    service.vote(session, user, clue_id, value=body.outcome, opinion=body.explanation, now=now)
    return _done(session, clue_id)


@router.post("/clues/{clue_id}/ruling", response_model=ActionPublic, responses=ACTION_ERRORS)
def ruling(
    clue_id: ClueId, body: TextCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """形成裁定意见 (adjudicator, once every expert has voted): majority and reasoning."""
    return _done(session, clue_id, ruling=service.rule(session, user, clue_id, text=body.text, now=now).value)


@router.post("/clues/{clue_id}/decision", response_model=ActionPublic, responses=ACTION_ERRORS)
def decision(
    clue_id: ClueId, body: ReasonCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """认定 (office): adopts the ruling, the agreeing verification, or the undrawn self-check."""
    found = service.decide(session, user, clue_id, reason=body.reason, now=now)
    return _done(session, clue_id, decision=found.decision, basis=found.basis)


@router.post("/clues/{clue_id}/decision-notice", response_model=ActionPublic, responses=ACTION_ERRORS)
def decision_notice(
    clue_id: ClueId, body: TextCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """告知不合理问题 (office, art. 29): starts the 7-working-day appeal period."""
    service.notify(session, user, clue_id, text=body.text, now=now)
    return _done(session, clue_id)


async def _json_appeal(request: Request) -> AppealCreate | None:
    """The deprecated JSON body of an appeal, `{"reason"}` (files need multipart); None otherwise."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        data = await request.json()
    except ValueError:
        raise RequestValidationError(
            [{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON"}]
        ) from None
    try:
        return AppealCreate.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


@router.post("/clues/{clue_id}/appeal", response_model=ActionPublic, responses=ACTION_ERRORS)
def file_appeal(
    clue_id: ClueId,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
    legacy: Annotated[AppealCreate | None, Depends(_json_appeal)],
    reason: Annotated[
        SafeText | None,
        Form(min_length=1, max_length=20_000, description="申诉理由 / reason", json_schema_extra=REQUIRED),
    ] = None,
    files: Files = [],  # noqa: B006
) -> ActionPublic:
    """申诉 (institution, within 7 working days of the notice): multipart with evidence files.

    A JSON body `{"reason": ...}` (no files) is still accepted for one release (deprecated).
    """
    text = reason if reason is not None else legacy.reason if legacy is not None else None
    if text is None:
        raise RequestValidationError(
            [{"loc": ("body", "reason"), "type": "missing", "msg": "Field required"}]
        )
    uploads = _uploads(files, store)
    service.appeal(session, user, clue_id, reason=text, files=uploads, store=store, now=now)
    return _done(session, clue_id, file_ids=views.step_file_ids(session, clue_id, "appeal"))


@router.post("/clues/{clue_id}/review", response_model=ActionPublic, responses=ACTION_ERRORS)
def review(
    clue_id: ClueId, body: ReviewCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """申诉复核 (office, within 30 days): upheld or overturned."""
    found = service.review(session, user, clue_id, result=body.outcome, text=body.explanation, now=now)
    return _done(session, clue_id, decision=found.decision)


@router.post("/clues/{clue_id}/responsibility-notice", response_model=ActionPublic, responses=ACTION_ERRORS)
def responsibility_notice(
    clue_id: ClueId, body: TextCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """下达责任追究通知 (office, art. 30)."""
    service.issue_responsibility_notice(session, user, clue_id, text=body.text, now=now)
    return _done(session, clue_id)


@router.post("/clues/{clue_id}/rectification", response_model=ActionPublic, responses=ACTION_ERRORS)
def rectification(
    clue_id: ClueId,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    store: EvidenceDep,
    report: Annotated[SafeText, Form(max_length=20_000)],
    handling: Annotated[SafeText, Form(max_length=20_000)] = "",
    files: Files = [],  # noqa: B006
) -> ActionPublic:
    """报送整改落实和院内处理情况 (institution)."""
    service.report_rectification(
        session,
        user,
        clue_id,
        report=report,
        handling=handling,
        files=_uploads(files, store),
        store=store,
        now=now,
    )
    return _done(session, clue_id)


@router.post("/clues/{clue_id}/close", response_model=ActionPublic, responses=ACTION_ERRORS)
def close(
    clue_id: ClueId, body: ReasonCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ActionPublic:
    """办结 (office)."""
    service.close(session, user, clue_id, reason=body.reason, now=now)
    return _done(session, clue_id)


# --- expert pool ---------------------------------------------------------------------------


@router.put("/experts/{user_id}/profile", responses=ACTION_ERRORS)
def expert_profile(
    user_id: IdPath, body: ExpertProfileCreate, user: CurrentUser, session: SessionDep, now: Now
) -> dict[str, Any]:
    """专家库登记 (office, adjudicator): specialties and affiliated institution."""
    found = service.set_expert_profile(
        session, user, user_id, specialties=body.specialties, institution_id=body.institution_id, now=now
    )
    return {
        "user_id": found.user_id,
        "specialties": found.specialties,
        "institution_id": found.institution_id,
    }


@router.post("/experts/me/conflicts", status_code=status.HTTP_201_CREATED, responses=ACTION_ERRORS)
def expert_conflict(
    body: ExpertConflictCreate, user: CurrentUser, session: SessionDep, now: Now
) -> dict[str, Any]:
    """回避申报 (expert): a conflict with an institution or a clue.

    201 and the same body whether the institution or clue exists or not (existence does not leak).
    """
    service.declare_conflict(
        session, user, institution_id=body.institution_id, clue_id=body.clue_id, reason=body.reason, now=now
    )
    return {"recorded": True, "institution_id": body.institution_id, "clue_id": body.clue_id}
