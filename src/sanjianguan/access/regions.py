"""行政区划: the province → city → county chain derived from a 6-digit code.

`511502` (county) → city `511500` → province `510000`. Municipalities' districts work the
same way (`110105` → `110100` → `110000`). A code's level is read from its trailing zeros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.events import RegionCreated
from sanjianguan.audit.log import SYSTEM, Actor, record
from sanjianguan.errors import InvalidInputError
from sanjianguan.workflow_db.models import Region, RegionLevel

CODE = re.compile(r"^[1-9]\d{5}$")
OFFICE_SUFFIX = "医疗“三监管”办公室"


def office_name(region_name: str) -> str:
    """The region's 医疗“三监管”办公室 (seed 000), which issues and signs its documents:
    宜宾市 → 宜宾市医疗“三监管”办公室."""
    return region_name + OFFICE_SUFFIX


@dataclass(frozen=True)
class RegionCode:
    """A valid 6-digit administrative division code."""

    code: str

    @classmethod
    def parse(cls, code: str) -> RegionCode:
        text = code.strip()
        if not CODE.match(text) or (text[2:4] == "00" and text[4:] != "00"):
            raise InvalidInputError(
                f"行政区划代码无效：{code!r}（应为6位数字）",
                f"invalid region code {code!r} (6 digits expected)",
                code="invalid_region_code",
            )
        return cls(text)

    @property
    def level(self) -> RegionLevel:
        if self.code.endswith("0000"):
            return RegionLevel.PROVINCE
        return RegionLevel.CITY if self.code.endswith("00") else RegionLevel.COUNTY

    @property
    def parent(self) -> RegionCode | None:
        if self.level is RegionLevel.PROVINCE:
            return None
        if self.level is RegionLevel.CITY:
            return RegionCode(self.code[:2] + "0000")
        return RegionCode(self.code[:4] + "00")

    @property
    def prefix(self) -> str:
        """The code prefix shared by every region inside this one (province 2, city 4, county 6)."""
        return {RegionLevel.PROVINCE: self.code[:2], RegionLevel.CITY: self.code[:4]}.get(
            self.level, self.code
        )

    def chain(self) -> list[RegionCode]:
        """This region and its ancestors, province first."""
        parent = self.parent
        return [*(parent.chain() if parent else []), self]

    def contains(self, other: RegionCode) -> bool:
        return other.code.startswith(self.prefix)


def ensure_region(session: Session, code: str, *, name: str = "", actor: Actor = SYSTEM) -> Region:
    """The region of `code`, creating it and any missing ancestor (audited)."""
    region: Region | None = None
    for link in RegionCode.parse(code).chain():
        region = session.get(Region, link.code)
        if region is None:
            region = Region(code=link.code, level=link.level, parent_code=_parent(link))
            region.name = name if link.code == code.strip() else ""
            session.add(region)
            session.flush()
            after = {"code": link.code, "level": link.level.value, "name": region.name}
            record(session, RegionCreated(subject_id=link.code, after=after), actor=actor)
    assert region is not None  # the chain holds at least the code itself
    return region


def known_region(session: Session, code: str) -> Region:
    """A region already registered in the `regions` table (InvalidInputError otherwise).

    Regions are registered from the institutions of the analytic store (`sjg users regions
    --sync`, clue generation) or by `sjg demo`; a code that is merely well-formed is refused.
    """
    parsed = RegionCode.parse(code)
    region = session.get(Region, parsed.code)
    if region is None:
        raise InvalidInputError(
            f"未知行政区划：{parsed.code}（已登记的区划见 `sjg users regions`；"
            "由机构数据登记区划：`sjg users regions --sync`）",
            f"unknown region {parsed.code} (see the known regions with `sjg users regions`; "
            "register the regions of the store's institutions with `sjg users regions --sync`)",
            code="unknown_region",
        )
    return region


def list_regions(session: Session) -> list[Region]:
    """Every registered region, by code."""
    return list(session.execute(select(Region).order_by(Region.code)).scalars())


def _parent(link: RegionCode) -> str | None:
    parent = link.parent
    return parent.code if parent else None
