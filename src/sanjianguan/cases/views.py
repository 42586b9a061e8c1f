"""What each role may read of a case: the case file, its history, the expert's packages.

Double-blind (双盲): experts see no identities (the clue is anonymised, texts are masked,
files are not offered) and no other expert's vote before the ruling; the institution
never sees who the experts are (panel ids, voters and the draw are left out of its
case file and history); nobody sees vote values before the ruling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import (
    REGIONAL_ROLES,
    clue_filter,
    get_clue,
    sees_identities,
    visible_clues,
)
from sanjianguan.access.permissions import Action, can, require
from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.cases.guards import GuardContext, holds
from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.cases.steps import open_deadline
from sanjianguan.cases.transitions import ACTION_ZH, rows_from
from sanjianguan.clues.anonymise import masker_for
from sanjianguan.clues.ids import aliases_of, current_ids
from sanjianguan.clues.masking import TextMasker
from sanjianguan.errors import NotFoundError, PermissionDeniedError
from sanjianguan.workflow_db.models import (
    Adjudication,
    Appeal,
    AuditEvent,
    CaseDecision,
    Clue,
    Deadline,
    EvidenceFile,
    ExpertAssignment,
    Notice,
    PushBatch,
    Rectification,
    Role,
    SamplingDraw,
    SamplingMember,
    SelfCheck,
    User,
    Verification,
    Vote,
)

HIDDEN_FROM_INSTITUTION = frozenset({"case.panel_drawn"})
BATCH_EVENTS = frozenset({"case.pushed", "case.sample_drawn"})


def allowed_actions(session: Session, user: User, clue: Clue, today: date) -> list[dict[str, str]]:
    """The moves the user could make on the clue now (for the page's buttons)."""
    context = GuardContext(session, clue, user, today)
    moves = []
    for row in rows_from(clue.status):
        if user.role.value not in row.roles or not can(user, row.permission):
            continue
        deadline = open_deadline(session, clue.id, row.deadline) if row.deadline else None
        if deadline is not None and deadline.hard and today > deadline.due_on:
            continue
        if holds(row.guard, context):
            moves.append(
                {"action": row.action.value, "label_zh": ACTION_ZH[row.action], "to": row.target.value}
            )
    return moves


def _mask(session: Session, clue: Clue, user: User, text: str | None) -> str | None:
    """Free text as the user may read it (experts: identities masked, see clues.masking).

    The clue's masker is built once per session (a web request) and clue.
    """
    if text is None or sees_identities(user):
        return text
    cache: dict[str, TextMasker] = session.info.setdefault("sjg_expert_maskers", {})
    if clue.id not in cache:
        cache[clue.id] = masker_for(session, clue)
    return cache[clue.id].mask(text)


def case_file(session: Session, user: User, clue_id: str, *, today: date) -> dict[str, Any]:
    """The case as the user may see it: every step's content, deadlines and next moves."""
    require(user, Action.CLUE_READ)
    clue = get_clue(session, user, clue_id)
    return {
        "clue_id": clue.id,
        "status": clue.status,
        "status_zh": STATUS_ZH[ClueStatus(clue.status)],
        "self_check": _self_check(session, user, clue),
        "files": _files(session, user, clue),
        "sampling": _sampling(session, user, clue),
        "verification": _verification(session, user, clue),
        "adjudication": adjudication_view(session, user, clue),
        "decision": _decision(session, user, clue),
        "appeal": _appeal(session, user, clue),
        "notices": _notices(session, user, clue),
        "rectifications": _rectifications(session, user, clue),
        "deadlines": _deadlines(session, user, clue),
        "allowed_actions": allowed_actions(session, user, clue, today),
    }


def _self_check(session: Session, user: User, clue: Clue) -> dict[str, Any] | None:
    row = session.get(SelfCheck, clue.id)
    if row is None:
        return None
    return {
        "outcome": row.outcome,
        "explanation": _mask(session, clue, user, row.explanation),
        "handling": _mask(session, clue, user, row.handling),
        "submitted_at": row.submitted_at,
    }


def _files(session: Session, user: User, clue: Clue) -> list[dict[str, Any]]:
    if not can(user, Action.EVIDENCE_READ):
        return []
    rows = session.execute(
        select(EvidenceFile).where(EvidenceFile.clue_id == clue.id).order_by(EvidenceFile.id)
    )
    return [
        {
            "id": f.id,
            "step": f.step,
            "name": f.original_name,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
            "uploaded_at": f.uploaded_at,
        }
        for f in rows.scalars()
    ]


def _sampling(session: Session, user: User, clue: Clue) -> dict[str, Any] | None:
    member = session.get(SamplingMember, clue.id)
    if member is None or user.role is Role.EXPERT:
        return None
    return {"draw_id": member.draw_id, "drawn": member.drawn, "reason": member.reason}


def _verification(session: Session, user: User, clue: Clue) -> dict[str, Any] | None:
    row = session.get(Verification, clue.id)
    if row is None:
        return None
    return {
        "conclusion": row.conclusion,
        "record": _mask(session, clue, user, row.record),
        "verified_at": row.verified_at,
    }


def adjudication_view(session: Session, user: User, clue: Clue) -> dict[str, Any] | None:
    """The adjudication as the user may see it (votes only after the ruling; no panel for the institution)."""
    row = session.get(Adjudication, clue.id)
    if row is None:
        return None
    votes = session.execute(select(Vote).where(Vote.clue_id == clue.id).order_by(Vote.id)).scalars().all()
    ruled = row.ruling is not None
    regional = user.role in REGIONAL_ROLES
    view: dict[str, Any] = {
        "opened_at": row.opened_at,
        "reason": _mask(session, clue, user, row.reason),
        "specialty": row.specialty,
        "panel_size": row.panel_size,
        "panel_drawn": row.drawn_at is not None,
        "votes_cast": len(votes),
        "ruling": row.ruling,
        "ruling_text": _mask(session, clue, user, row.ruling_text),
        "tally": row.tally,
        "ruled_at": row.ruled_at,
    }
    if regional:
        panel = session.execute(
            select(ExpertAssignment.expert_user_id).where(ExpertAssignment.clue_id == clue.id)
        ).scalars()
        view["panel"] = sorted(panel)
        view["seed"] = row.seed
    own = next((v for v in votes if v.expert_user_id == user.id), None)
    if own is not None:
        view["my_vote"] = {"vote": own.vote, "opinion": own.opinion, "cast_at": own.cast_at}
    if ruled:
        view["votes"] = [
            {
                "vote": v.vote,
                "opinion": _mask(session, clue, user, v.opinion),
                **({"expert_user_id": v.expert_user_id} if regional else {}),
            }
            for v in votes
        ]
    return view


def _decision(session: Session, user: User, clue: Clue) -> dict[str, Any] | None:
    row = session.get(CaseDecision, clue.id)
    if row is None:
        return None
    return {
        "decision": row.decision,
        "basis": row.basis,
        "reason": _mask(session, clue, user, row.reason),
        "decided_at": row.decided_at,
        "notified_at": row.notified_at,
    }


def step_file_ids(session: Session, clue_id: str, step: str) -> list[int]:
    """The ids of the evidence files a step of the clue brought (in upload order)."""
    query = select(EvidenceFile.id).where(EvidenceFile.clue_id == clue_id, EvidenceFile.step == step)
    return list(session.execute(query.order_by(EvidenceFile.id)).scalars())


def _appeal(session: Session, user: User, clue: Clue) -> dict[str, Any] | None:
    row = session.get(Appeal, clue.id)
    if row is None or user.role is Role.EXPERT:
        return None
    return {
        "reason": row.reason,
        "file_ids": step_file_ids(session, clue.id, "appeal") if can(user, Action.EVIDENCE_READ) else [],
        "filed_at": row.filed_at,
        "result": row.result,
        "review_text": row.review_text,
        "reviewed_at": row.reviewed_at,
    }


def _notices(session: Session, user: User, clue: Clue) -> list[dict[str, Any]]:
    if user.role is Role.EXPERT:
        return []
    rows = session.execute(select(Notice).where(Notice.clue_id == clue.id).order_by(Notice.id)).scalars()
    return [{"kind": n.kind, "text": n.text, "issued_at": n.issued_at} for n in rows]


def _rectifications(session: Session, user: User, clue: Clue) -> list[dict[str, Any]]:
    if user.role is Role.EXPERT:
        return []
    rows = session.execute(
        select(Rectification).where(Rectification.clue_id == clue.id).order_by(Rectification.id)
    ).scalars()
    return [{"report": r.report, "handling": r.handling, "reported_at": r.reported_at} for r in rows]


def _deadlines(session: Session, user: User, clue: Clue) -> list[dict[str, Any]]:
    if user.role is Role.EXPERT:
        return []
    rows = session.execute(
        select(Deadline).where(Deadline.clue_id == clue.id).order_by(Deadline.id)
    ).scalars()
    return [
        {
            "step": d.step,
            "started_on": d.started_on,
            "due_on": d.due_on,
            "first_due_on": d.first_due_on,
            "reminded_on": d.reminded_on,
            "hard": d.hard,
            "provisional": d.provisional,
            "note": d.note,
            "closed_at": d.closed_at,
            "outcome": d.outcome,
        }
        for d in rows
    ]


# --- history -------------------------------------------------------------------------


def history(session: Session, user: User, clue_id: str) -> list[dict[str, Any]]:
    """办理记录: the clue's audit events (and the push and draw it was part of), as the user may see them."""
    clue = get_clue(session, user, clue_id)
    require(user, Action.CASE_HISTORY)
    ids = [clue.id, *aliases_of(session, clue.id)]  # events before migration 0006 hold the old id
    rows = list(
        session.execute(
            select(AuditEvent).where(AuditEvent.subject_type == "clue", AuditEvent.subject_id.in_(ids))
        ).scalars()
    )
    rows += _batch_events(session, clue, set(ids))
    out = [_event_view(user, row) for row in sorted(rows, key=lambda r: r.seq)]
    return [_scoped(session, user, _current(session, item)) for item in out if item is not None]


def shown_event(session: Session, user: User, row: AuditEvent) -> dict[str, Any] | None:
    """One audit event as the case history shows it to `user` (None: hidden from the user).

    Old clue ids appear as current ids, clue ids the user may not see are left out of the
    payload, and what an institution may not see of a panel is hidden.
    """
    item = _event_view(user, row)
    return None if item is None else _scoped(session, user, _current(session, item))


def _batch_events(session: Session, clue: Clue, ids: set[str]) -> list[AuditEvent]:
    seqs = list(
        session.execute(
            select(SamplingDraw.audit_seq)
            .join(SamplingMember, SamplingMember.draw_id == SamplingDraw.id)
            .where(SamplingMember.clue_id == clue.id)
        ).scalars()
    )
    pushes = session.execute(select(PushBatch.audit_seq).where(PushBatch.period == clue.period)).scalars()
    events = session.execute(select(AuditEvent).where(AuditEvent.seq.in_([*seqs, *pushes]))).scalars()
    return [e for e in events if e.event != "case.pushed" or ids & set(e.payload.get("clue_ids") or [])]


def _event_view(user: User, row: AuditEvent) -> dict[str, Any] | None:
    institution = user.role is Role.INSTITUTION
    if institution and row.event in HIDDEN_FROM_INSTITUTION:
        return None
    payload = dict(row.payload)
    actor = row.actor_name
    if institution and row.event == "case.vote_cast":
        actor = "专家 / expert"
    if institution and row.event in BATCH_EVENTS:
        payload = {"period": payload.get("period")}  # other institutions' clues are not theirs to see
    return {
        "seq": row.seq,
        "occurred_at": row.occurred_at,
        "actor": actor,
        "event": row.event,
        "reason": row.reason,
        "before": row.before,
        "after": row.after,
        "payload": payload,
    }


def _current(session: Session, item: dict[str, Any]) -> dict[str, Any]:
    """The event with the old clue ids of its payload (before migration 0006) shown as current ids.

    The audit row itself is never rewritten (append-only, hash-chained); only its view is.
    """
    renamed = current_ids(session, _payload_strings(item["payload"]))
    if not renamed:
        return item
    return {**item, "payload": _renamed(item["payload"], renamed)}


def _renamed(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {renamed.get(str(k), k): _renamed(v, renamed) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, renamed) for v in value]
    return renamed.get(value, value) if isinstance(value, str) else value


# Payload fields that hold only clue ids (lists, dict keys, dict of lists): kept to the visible ones.
CLUE_ID_FIELDS = frozenset({"clue_ids", "population", "drawn", "selected", "self_check_due", "strata"})


def _scoped(session: Session, user: User, item: dict[str, Any]) -> dict[str, Any]:
    """The event with every clue id of its payload the user may not see left out (lists and keys).

    A push or a draw of a city lists the clues of all its counties; a county sees its own.
    The fields that hold clue ids (`CLUE_ID_FIELDS`) keep only visible ids (whatever the id
    scheme that wrote them); in any other field a known clue id the user may not see is left
    out. A group (a sampling stratum) left empty by the filter is left out as well.
    """
    payload = item["payload"]
    strings = set(_payload_strings(payload))
    if not strings:
        return item
    visible = set(session.execute(select(Clue.id).where(Clue.id.in_(strings), clue_filter(user))).scalars())
    known = set(session.execute(select(Clue.id).where(Clue.id.in_(strings))).scalars())
    scoped = {
        key: _keep(value, visible) if key in CLUE_ID_FIELDS else _without(value, known - visible)
        for key, value in payload.items()
    }
    return {**item, "payload": scoped}


def _payload_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*map(str, value), *(s for v in value.values() for s in _payload_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _payload_strings(v)]
    return [value] if isinstance(value, str) else []


def _keep(value: Any, visible: set[str]) -> Any:
    """A field of clue ids, with only the visible ones (groups left empty are dropped)."""
    if isinstance(value, list):
        return [v for v in value if v in visible]
    if isinstance(value, dict):
        if all(isinstance(v, list) for v in value.values()):
            groups = {k: [i for i in v if i in visible] for k, v in value.items()}
            return {k: v for k, v in groups.items() if v}
        return {k: v for k, v in value.items() if k in visible}
    return value


def _without(value: Any, hidden: set[str]) -> Any:
    """`value` without the hidden clue ids (as list items or dict keys)."""
    if isinstance(value, list):
        return [_without(v, hidden) for v in value if not (isinstance(v, str) and v in hidden)]
    if isinstance(value, dict):
        return {k: _without(v, hidden) for k, v in value.items() if k not in hidden}
    return None if isinstance(value, str) and value in hidden else value


# --- experts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    """An expert's case package: the anonymised clue and the case as the expert may see it."""

    clue: Clue
    case: dict[str, Any]


def expert_packages(session: Session, user: User, *, today: date) -> list[Package]:
    """The anonymised packages assigned to the expert, newest status first."""
    if user.role is not Role.EXPERT:
        raise PermissionDeniedError("仅专家可查看案卷包", "only experts have case packages")
    clues = session.execute(visible_clues(user).order_by(Clue.id)).scalars().all()
    return [Package(clue, case_file(session, user, clue.id, today=today)) for clue in clues]


def expert_package(session: Session, user: User, clue_id: str, *, today: date) -> Package:
    """One anonymised package of the expert (not an expert: 403; not assigned to it: 404)."""
    if user.role is not Role.EXPERT:
        raise PermissionDeniedError("仅专家可查看案卷包", "only experts have case packages")
    case = case_file(session, user, clue_id, today=today)
    return Package(get_clue(session, user, clue_id), case)


def evidence_file(
    session: Session, user: User, clue_id: str, file_id: int, store: EvidenceStore
) -> tuple[EvidenceFile, Path]:
    """One evidence file of a visible clue, and its stored path (experts may not: identities)."""
    clue = get_clue(session, user, clue_id)
    require(user, Action.EVIDENCE_READ)
    row = session.get(EvidenceFile, file_id)
    if row is None or row.clue_id != clue.id:
        raise NotFoundError(
            f"证明材料不存在：{file_id}", f"no such evidence file: {file_id}", code="evidence_not_found"
        )
    return row, store.open_path(row.sha256)
