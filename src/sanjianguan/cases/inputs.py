"""Input checks shared by every phase of the clue workflow (办理输入校验).

Each phase module (intake, sampling, adjudication, decision, experts) checks what a
user sends the same way: a required text named in both languages, a settlement month,
evidence files checked before any is stored.
Written once here so the phases cannot drift apart in wording or limits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sanjianguan.cases.evidence import EvidenceStore, Upload, check
from sanjianguan.cases.steps import Step
from sanjianguan.errors import InvalidInputError
from sanjianguan.inputs import MAX_TEXT as MAX_TEXT  # the one text check, re-exported for the phases
from sanjianguan.inputs import text as text
from sanjianguan.period import Period, PeriodError
from sanjianguan.workflow_db.models import EvidenceFile


def period(value: str) -> str:
    """The settlement month as given (`YYYY-MM`), checked by the one `Period` type."""
    try:
        Period.parse(value)
    except PeriodError:
        raise InvalidInputError(
            f"期间格式应为 YYYY-MM：{value!r}", f"period must be YYYY-MM: {value!r}", code="invalid_period"
        ) from None
    return value


def store_files(step: Step, files: Sequence[Upload], store: EvidenceStore, *, required: bool) -> list[int]:
    """Check every file first (nothing is written if one fails), then store and attach them."""
    if required and not files:
        raise InvalidInputError("请上传证明材料", "evidence files are required", code="files_required")
    store.check_count(len(files))
    checked = [check(upload, max_bytes=store.max_bytes) for upload in files]
    rows = []
    for item in checked:
        store.save(item)
        row = EvidenceFile(
            clue_id=step.clue.id,
            step=step.row.action.value,
            sha256=item.sha256,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            uploaded_at=step.now,
            uploaded_by=step.actor_id,
        )
        step.session.add(row)
        rows.append(row)
    step.session.flush()
    return [row.id for row in rows]
