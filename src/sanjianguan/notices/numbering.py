"""文号 registry: `{地区简称}三监{类别字}〔{year}〕{n}号`, n from 1 each year per (region, kind).

The 地区简称 (prefix) is the region's setting `[notices] prefixes` (`{"511502" = "翠"}`) when
given, else the first character of the region's name (宜昌市 → 宜), else its code. The
year is the Chinese calendar year of the issue. n is one more than the highest n already
issued for (region, year, kind); the unique constraint on those four (and on the 文号)
makes a concurrent second writer of the same n fail, and `service.issue_notice` retries
with the next one, so two offices' clerks never share a number.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.workflow_db.models import OfficialNotice, Region


def region_prefix(session: Session, region_code: str, prefixes: Mapping[str, str]) -> str:
    """地区简称 of `region_code`: the configured one, else the name's first character, else the code."""
    configured = prefixes.get(region_code, "").strip()
    if configured:
        return configured
    region = session.get(Region, region_code)
    name = (region.name if region is not None else "").strip()
    return name[0] if name else region_code


def format_number(prefix: str, kind: NoticeKind, year: int, seq: int) -> str:
    """The 文号, e.g. 宜三监告〔2026〕7号 (六角括号〔〕 as GB/T 9704 requires)."""
    return f"{prefix}三监{kind.spec.letter}〔{year}〕{seq}号"


def next_seq(session: Session, region_code: str, year: int, kind: NoticeKind) -> int:
    """One more than the highest n issued for (region, year, kind); 1 for the first of a year."""
    highest = session.scalar(
        select(func.max(OfficialNotice.seq)).where(
            OfficialNotice.region_code == region_code,
            OfficialNotice.year == year,
            OfficialNotice.kind == kind.value,
        )
    )
    return int(highest or 0) + 1
