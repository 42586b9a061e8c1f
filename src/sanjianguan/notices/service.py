"""出具文书: number a notice, render it once, keep it unchanged, and record its hash in the audit chain.

`issue_notice` reads the subject within the issuing office's jurisdiction and checks its
state (`facts.gather`), allocates the next 文号 of (office region, year, kind)
(`numbering`), renders the document with the renderer the caller passes (the .docx layout
lives in `sanjianguan.reports.notices`, a layer above this one) and stores the bytes, their
SHA-256 and the audit event `notice.issued` in the caller's transaction. Issuing the same
kind for the same subject again returns the first notice: no second number.

Allocation is race-free: the number is taken by inserting the row under a SAVEPOINT; a
concurrent writer that took the same n makes the insert fail on the unique constraint
(region, year, kind, n), and the next n is tried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import office_name
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.messages import hooks
from sanjianguan.notices.events import NoticeIssued
from sanjianguan.notices.facts import NoticeFacts, gather
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.notices.numbering import format_number, next_seq, region_prefix
from sanjianguan.notices.scope import notice_filter
from sanjianguan.workflow_db.models import OfficialNotice, Region, User

ATTEMPTS = 20  # concurrent issuers of one (region, year, kind): each retry takes the next number


@dataclass(frozen=True)
class Heading:
    """What the number gives the document: 文号, 发文机关, 成文日期."""

    number: str
    issuer: str
    issued_on: date


@dataclass(frozen=True)
class Rendered:
    """The rendered document: its bytes, its title and the file name offered for download."""

    content: bytes
    title: str
    filename: str


Renderer = Callable[[NoticeFacts, Heading], Rendered]


def parse_kind(value: str) -> NoticeKind:
    """The kind named by `value`, or a bilingual 400 listing the kinds."""
    try:
        return NoticeKind(value)
    except ValueError:
        known = ", ".join(k.value for k in NoticeKind)
        raise InvalidInputError(
            f"未知的文书种类：{value}（可选：{known}）",
            f"unknown notice kind: {value} ({known})",
            code="invalid_kind",
        ) from None


def issuer_name(session: Session, region_code: str) -> str:
    """发文机关: the region's 医疗“三监管”办公室."""
    region = session.get(Region, region_code)
    return office_name(region.name if region and region.name else region_code)


def issue_notice(
    session: Session,
    user: User,
    kind: NoticeKind | str,
    subject_id: str,
    *,
    now: datetime,
    render: Renderer,
    prefixes: Mapping[str, str] | None = None,
) -> OfficialNotice:
    """The notice of `kind` for `subject_id`: the existing one, or a new one with the next 文号."""
    require(user, Action.NOTICE_ISSUE)
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    existing = _existing(session, kind, subject_id)
    if existing is not None and _visible(session, user, existing.id):
        return existing
    facts = gather(session, user, kind, subject_id)
    assert user.region_code is not None  # only offices issue, and every office has a region
    region, issued_on = user.region_code, china_date(now)
    prefix, issuer = region_prefix(session, region, prefixes or {}), issuer_name(session, region)
    for _ in range(ATTEMPTS):
        seq = next_seq(session, region, issued_on.year, kind)
        heading = Heading(format_number(prefix, kind, issued_on.year, seq), issuer, issued_on)
        notice = _insert(session, user, facts, heading, render(facts, heading), seq, now)
        if notice is not None:
            return notice
        _refuse_if_taken(session, kind, subject_id, heading.number, region)
    raise ConflictError(
        "文号分配繁忙，请重试", "the notice number is contended: try again", code="notice_busy"
    )


def _visible(session: Session, user: User, notice_id: int) -> bool:
    query = select(OfficialNotice.id).where(OfficialNotice.id == notice_id, notice_filter(user))
    return session.scalar(query) is not None


def _existing(session: Session, kind: NoticeKind, subject_id: str) -> OfficialNotice | None:
    return session.scalar(
        select(OfficialNotice).where(
            OfficialNotice.kind == kind.value, OfficialNotice.subject_id == subject_id
        )
    )


def _insert(
    session: Session,
    user: User,
    facts: NoticeFacts,
    heading: Heading,
    rendered: Rendered,
    seq: int,
    now: datetime,
) -> OfficialNotice | None:
    """The row inserted under a SAVEPOINT (None: a unique constraint was hit), then audited."""
    digest = hashlib.sha256(rendered.content).hexdigest()
    notice = OfficialNotice(
        kind=facts.kind.value,
        number=heading.number,
        region_code=user.region_code,
        year=heading.issued_on.year,
        seq=seq,
        subject_id=facts.subject_id,
        recipient_id=facts.recipient_id,
        title=rendered.title,
        filename=rendered.filename,
        content=rendered.content,
        sha256=digest,
        size=len(rendered.content),
        issued_at=now,
        issued_by=user.id,
    )
    try:
        with session.begin_nested():
            session.add(notice)
    except IntegrityError:
        return None
    event = NoticeIssued(
        subject_id=str(notice.id),
        number=notice.number,
        kind=notice.kind,
        subject=notice.subject_id,
        recipient=notice.recipient_id,
        sha256=digest,
    )
    record(session, event, actor=user, now=now)
    hooks.notice_issued(session, notice, now=now)
    return notice


def _refuse_if_taken(session: Session, kind: NoticeKind, subject_id: str, number: str, region: str) -> None:
    """After a failed insert: the subject's notice exists (another clerk), or the 文号 is another region's."""
    if _existing(session, kind, subject_id) is not None:
        raise ConflictError(
            f"该{kind.spec.subject_zh}的{kind.label_zh}已由其他办公室出具",
            f"a {kind.value} notice for this {kind.spec.subject_en} was issued by another office",
            code="notice_exists",
        )
    clash = session.scalar(select(OfficialNotice.region_code).where(OfficialNotice.number == number))
    if clash is not None and clash != region:
        raise ConflictError(
            f"文号{number}已被地区{clash}使用：请在设置 [notices] prefixes 中为地区{region}配置不同的简称",
            f"notice number {number} belongs to region {clash}: set [notices] prefixes for region {region}",
            code="notice_prefix_clash",
        )


def list_notices(session: Session, user: User, *, limit: int = 500) -> list[OfficialNotice]:
    """我的文书: those the user's office issued (or an office below it), or its institution received."""
    require(user, Action.NOTICE_READ)
    query = select(OfficialNotice).where(notice_filter(user))
    return list(
        session.scalars(
            query.order_by(OfficialNotice.issued_at.desc(), OfficialNotice.id.desc()).limit(limit)
        )
    )


def subject_notices(
    session: Session, user: User, kind: NoticeKind, subject_ids: list[str]
) -> dict[str, OfficialNotice]:
    """The visible notices of `kind` for these subjects, by subject (for the pages' buttons)."""
    query = select(OfficialNotice).where(
        notice_filter(user), OfficialNotice.kind == kind.value, OfficialNotice.subject_id.in_(subject_ids)
    )
    return {n.subject_id: n for n in session.scalars(query)}
