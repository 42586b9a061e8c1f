"""演示机构与账号: the demo's regions, institutions and one user per role and unit.

Users sit in two counties of the synthetic city (翠屏区 511502, 南溪区 511503), at the
city (宜宾市 511500) where the city holds the role (the adjudication group, the expert
pool), and in two hospitals of 翠屏区. The list is fixed and published as
`docs/demo-users.json` (generated from `DEMO_USERS`, so the file is what the demo creates);
the passwords are public demo passwords, never to be used on a real deployment. Display
names (显示名) are fictitious: a surname, a title and the unit, as a page would show them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb
from sqlalchemy.orm import Session

from sanjianguan.access.institutions import sync_institutions
from sanjianguan.access.passwords import hash_password
from sanjianguan.access.regions import ensure_region
from sanjianguan.access.users import find_user
from sanjianguan.audit.events import UserCreated
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.cases.service import set_expert_profile
from sanjianguan.synth.region import CITY_CODE, COUNTIES
from sanjianguan.workflow_db.models import ExpertProfile, Role, User

PROVINCE = ("510000", "四川省")
CITY = (CITY_CODE, "宜宾市")
CUIPING, NANXI = "511502", "511503"
# The first two institutions of every synthetic scale (both in 翠屏区 511502).
HOSPITAL_1, HOSPITAL_2 = "H51150200001", "H51150200002"
DEMO_PASSWORD = "sjg-demo-2025"  # public: the demo's only password (10+ characters, as required)


@dataclass(frozen=True)
class DemoUser:
    """One row of `docs/demo-users.json`."""

    username: str
    display_name: str
    password: str
    role: str
    region_code: str | None
    institution_id: str | None


def _user(
    username: str, name: str, role: Role, region: str | None = None, institution: str | None = None
) -> DemoUser:
    return DemoUser(username, name, DEMO_PASSWORD, role.value, region, institution)


# 显示名 per county: (region code, (role, name and unit) ...).
COUNTY_STAFF: dict[str, tuple[str, tuple[tuple[Role, str], ...]]] = {
    "cuiping": (
        CUIPING,
        (
            (Role.OFFICE, "张主任（翠屏区三监管办）"),
            (Role.ANALYST, "李分析员（翠屏区三监管办）"),
            (Role.INVESTIGATOR, "王组长（翠屏区调查核实组）"),
            (Role.INSURANCE, "赵科长（翠屏区医保局）"),
            (Role.AUDITOR, "陈审计员（翠屏区审计局）"),
        ),
    ),
    "nanxi": (
        NANXI,
        (
            (Role.OFFICE, "刘主任（南溪区三监管办）"),
            (Role.ANALYST, "杨分析员（南溪区三监管办）"),
            (Role.INVESTIGATOR, "黄组长（南溪区调查核实组）"),
            (Role.INSURANCE, "周科长（南溪区医保局）"),
            (Role.AUDITOR, "吴审计员（南溪区审计局）"),
        ),
    ),
}
EXPERT_NAMES = ("徐主任医师", "孙主任医师", "马副主任医师", "朱主任药师", "胡副主任医师")

DEMO_USERS: tuple[DemoUser, ...] = (
    _user("office.city", "郑主任（宜宾市三监管办）", Role.OFFICE, CITY_CODE),
    # The city's analyst: the only one whose region covers every institution, so the one who
    # may set the region's rule parameters (rules.toml is the whole data folder's).
    _user("analyst.city", "钱分析员（宜宾市数据采集分析组）", Role.ANALYST, CITY_CODE),
    *(
        _user(f"{role.value}.{county}", name, role, code)
        for county, (code, staff) in COUNTY_STAFF.items()
        for role, name in staff
    ),
    _user("adjudicator.city", "林组长（宜宾市裁定组）", Role.ADJUDICATOR, CITY_CODE),
    *(
        _user(f"expert{n}", f"{name}（宜宾市专家库）", Role.EXPERT, CITY_CODE)
        for n, name in enumerate(EXPERT_NAMES, start=1)
    ),
    _user("hospital1", "何科长（宜宾市第一人民医院医保办）", Role.INSTITUTION, institution=HOSPITAL_1),
    # Hospital 2's name depends on the scale (翠屏区人民医院 tiny, 宜宾市中医医院 otherwise).
    _user("hospital2", f"高科长（{HOSPITAL_2} 医保办）", Role.INSTITUTION, institution=HOSPITAL_2),
)

# 专家库: specialties and affiliation. expert1 works at hospital 1, so the draw leaves them
# out of that hospital's panels; four 内科 experts remain, enough for a panel of three.
EXPERT_PROFILES: dict[str, tuple[list[str], str | None]] = {
    "expert1": (["内科", "药学"], HOSPITAL_1),
    "expert2": (["内科"], None),
    "expert3": (["内科", "外科"], None),
    "expert4": (["内科", "医保管理"], HOSPITAL_2),
    "expert5": (["药学", "内科"], None),
}


def demo_users_json() -> str:
    """`docs/demo-users.json` (also written into the data folder by the demo)."""
    return json.dumps([asdict(user) for user in DEMO_USERS], ensure_ascii=False, indent=2)


def sync_organisation(session: Session, con: duckdb.DuckDBPyConnection) -> int:
    """Regions (named) and every institution of the analytic store; returns the institutions synced."""
    ensure_region(session, PROVINCE[0], name=PROVINCE[1])
    ensure_region(session, CITY[0], name=CITY[1])
    for code, name in COUNTIES:
        ensure_region(session, code, name=name)
    ids = [str(row[0]) for row in con.execute("SELECT institution_id FROM institutions").fetchall()]
    return len(sync_institutions(session, con, ids))


def ensure_demo_users(session: Session, now: datetime) -> int:
    """Create the demo users that do not exist yet (and the experts' profiles); returns how many.

    They share one public password, hashed once: argon2 is slow on purpose (~0.7 s a hash
    on a busy 2-core machine), and 19 hashes would be most of the demo's workflow time.
    """
    missing = [spec for spec in DEMO_USERS if find_user(session, spec.username) is None]
    shared_hash = hash_password(DEMO_PASSWORD) if missing else ""
    for spec in missing:
        user = User(
            username=spec.username,
            display_name=spec.display_name,
            role=Role(spec.role),
            password_hash=shared_hash,
            region_code=spec.region_code,
            institution_id=spec.institution_id,
            email=f"{spec.username}@example.org",  # 消息中心的邮件渠道: example addresses, never delivered
        )
        session.add(user)
        session.flush()
        after = {k: v for k, v in asdict(spec).items() if k != "password"}
        record(session, UserCreated(subject_id=str(user.id), after=after), actor=SYSTEM, now=now)
    created = len(missing)
    # 专家库登记 by the adjudication group, through the service (audited like any other).
    manager = find_user(session, "adjudicator.city")
    assert manager is not None
    for name, (specialties, institution) in EXPERT_PROFILES.items():
        expert = find_user(session, name)
        assert expert is not None
        if session.get(ExpertProfile, expert.id) is None:
            set_expert_profile(
                session, manager, expert.id, specialties=specialties, institution_id=institution, now=now
            )
    return created
