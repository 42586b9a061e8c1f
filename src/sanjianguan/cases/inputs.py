"""Input checks shared by every phase of the clue workflow (办理输入校验).

Each phase module (intake, sampling, adjudication, decision, experts) checks what a
user sends the same way: a required text named in both languages, a settlement month,
a region inside the user's jurisdiction, evidence files checked before any is stored.
Written once here so the phases cannot drift apart in wording or limits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sanjianguan.access.regions import RegionCode
from sanjianguan.cases.evidence import EvidenceStore, Upload, check
from sanjianguan.cases.steps import Step
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.period import Period, PeriodError
from sanjianguan.workflow_db.models import EvidenceFile, User

MAX_TEXT = 20_000


def text(value: str | None, field_zh: str, field_en: str, *, required: bool = True) -> str:
    """A stripped text; the field is named in both languages when it is missing or too long.

    `field_zh` is the Chinese name (message_zh), `field_en` the English one (message_en):
    a message never mixes the two languages.
    """
    stripped = (value or "").strip()
    if required and not stripped:
        raise InvalidInputError(f"{field_zh}不能为空", f"{field_en} is required", code="text_required")
    if len(stripped) > MAX_TEXT:
        raise InvalidInputError(f"{field_zh}过长", f"{field_en} is too long", code="text_too_long")
    return stripped


def period(value: str) -> str:
    """The settlement month as given (`YYYY-MM`), checked by the one `Period` type."""
    try:
        Period.parse(value)
    except PeriodError:
        raise InvalidInputError(
            f"期间格式应为 YYYY-MM：{value!r}", f"period must be YYYY-MM: {value!r}", code="invalid_period"
        ) from None
    return value


def region_in_jurisdiction(user: User, region_code: str) -> RegionCode:
    """The parsed region when it lies inside the user's region; NotFoundError (404) otherwise.

    Kept here until the one region check of `access/` replaces it.
    """
    region = RegionCode.parse(region_code)
    if not user.region_code or not RegionCode.parse(user.region_code).contains(region):
        raise NotFoundError(
            f"行政区划不在管辖范围内：{region_code}",
            f"region outside your jurisdiction: {region_code}",
            code="region_not_found",
        )
    return region


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
