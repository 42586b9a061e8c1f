"""数据提交: load one batch zip sent through the browser, within the sender's jurisdiction.

The batch goes through the very loader of `sjg ingest` (`pipeline.collect`: validate,
quarantine bad rows, load the rest in one transaction, refresh the quality record), so a
batch sent by page and by command ends the same. Before anything is loaded the manifest is
read from the zip (`contract.zip_manifest`) and the sender's scope is checked:

- an institution user may send only batches whose manifest names its own institution;
- an office may send the batch of an institution of its jurisdiction (the manifest must
  name one: a batch of several institutions is loaded with `sjg ingest`).

A refused batch loads and records nothing (SubmissionRefused, with the reason in
Chinese). Every batch that reaches the loader is recorded in the store's `batches` (as
`sjg ingest` does) and audited (`data.batch_submitted`) with its status and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_institutions
from sanjianguan.access.permissions import Action, require
from sanjianguan.analytic_store.loader import LoadReport
from sanjianguan.audit.log import record
from sanjianguan.config import Settings
from sanjianguan.context import Context
from sanjianguan.contract.manifest import CHINA_TZ, Manifest
from sanjianguan.contract.zip_manifest import zip_manifest
from sanjianguan.errors import ContractError, InvalidInputError
from sanjianguan.pipeline import collect
from sanjianguan.submissions.events import BatchSubmitted
from sanjianguan.submissions.store_access import web_store
from sanjianguan.workflow_db.models import Role, User


class SubmissionRefused(InvalidInputError):
    """The batch may not be sent by this user (not its institution), or its manifest is unreadable."""

    code = "submission_refused"


@dataclass(frozen=True)
class Store:
    """Where the batch goes: the data folder, its settings, and how long to wait for the store."""

    home: Path
    settings: Settings
    wait: float


def submittable_institutions(session: Session, user: User) -> list[str]:
    """The institutions whose batches `user` may send and read (an institution: itself)."""
    require(user, Action.DATA_SUBMIT)
    if user.role is Role.INSTITUTION:
        return [user.institution_id] if user.institution_id else []
    return list(visible_institutions(session, user))


def check_scope(session: Session, user: User, manifest: Manifest) -> str:
    """The manifest's institution if `user` may send its batch; SubmissionRefused otherwise."""
    own = manifest.institution_id
    if own is None:
        raise SubmissionRefused(
            "批次清单未写明机构（manifest.json 的 institution_id）：网页只接收单一机构的批次，"
            "多机构批次请由办公室用 sjg ingest 入库",
            "the manifest names no institution: the page takes one institution's batch only",
        )
    if own not in submittable_institutions(session, user):
        if user.role is Role.INSTITUTION:
            raise SubmissionRefused(
                f"批次清单写明的机构 {own} 不是本机构（{user.institution_id}），只能提交本机构的数据，未入库",
                f"the manifest names institution {own}, not yours ({user.institution_id}): nothing loaded",
            )
        raise SubmissionRefused(
            f"批次清单写明的机构 {own} 不在本辖区内，未入库",
            f"the manifest names institution {own}, outside your jurisdiction: nothing loaded",
        )
    return own


def read_manifest_of(zip_path: Path) -> Manifest:
    """The zip's manifest; SubmissionRefused (naming the file and field) when it cannot be read."""
    try:
        return zip_manifest(zip_path)
    except ContractError as exc:
        raise SubmissionRefused(
            f"批次无法读取，未入库：{exc}", f"batch unreadable, nothing loaded: {exc}"
        ) from exc


def submit(session: Session, user: User, zip_path: Path, store: Store, *, now: datetime) -> LoadReport:
    """Check the sender's scope, load the batch with the loader of `sjg ingest`, audit it."""
    require(user, Action.DATA_SUBMIT)
    institution = check_scope(session, user, read_manifest_of(zip_path))
    received = now.astimezone(CHINA_TZ).replace(tzinfo=None)
    ctx = Context(home=store.home, settings=store.settings)
    with web_store(store.home, store.settings, write=True, wait=store.wait) as con:
        [report] = collect(ctx, con, [zip_path], received_at=received)
    event = BatchSubmitted(
        subject_id=report.batch_id,
        institution_id=institution,
        period=report.period or "",
        status=report.status.value,
        rows_accepted=report.rows_accepted,
        rows_quarantined=report.rows_quarantined,
    )
    record(session, event, actor=user, now=now)
    return report
