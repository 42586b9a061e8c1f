"""One jurisdiction, every kind: each role sees exactly its rows of each kind, on both backends.

The sample organisation (tests.workflow_db.fixtures.seed_org): H1 in county 511502 and H2
in county 511503 (city 511500), H3 in 510104 (Chengdu, city 510100), province 510000.
Every kind gets rows spread over those units; the tables below say who sees which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import KINDS, get_visible, visible
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import NOWHERE, Jurisdiction, jurisdiction_of, require_region
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Campaign,
    CampaignInstitution,
    Clue,
    InspectionPlan,
    InspectionVisit,
    Institution,
    PointRecord,
    Referral,
    User,
)
from tests.workflow_db.fixtures import Org, seed_org

AT = datetime(2026, 3, 1, tzinfo=UTC)

# Units of the rows by institution (institution, proposal, fact, point record): who sees which.
UNITS = {
    "province": {"H1", "H2", "H3"},
    "auditor": {"H1", "H2", "H3"},
    "city": {"H1", "H2"},
    "adjudicator": {"H1", "H2"},
    "county": {"H1"},
    "investigator": {"H1"},
    "insurance": {"H2"},
    "other_city": {"H3"},
    "hospital1": {"H1"},
    "hospital2": {"H2"},
    "expert": set(),
}
# Visits (VISIT_ROWS): v1 H1 planned, v2 H1 done, v3 H2 done, v4 H3 done; an institution sees its own
# visits only once done (双随机 is a surprise).
VISITS = {
    "province": {"v1", "v2", "v3", "v4"},
    "auditor": {"v1", "v2", "v3", "v4"},
    "city": {"v1", "v2", "v3"},
    "adjudicator": {"v1", "v2", "v3"},
    "county": {"v1", "v2"},
    "investigator": {"v1", "v2"},
    "insurance": {"v3"},
    "other_city": {"v4"},
    "hospital1": {"v2"},
    "hospital2": {"v3"},
    "expert": set(),
}
# Plans: the region and the regions above and below it (a county sees the city's plan).
PLAN_REGIONS = {"p_prov": "510000", "p_city": "511500", "p_county": "511502", "p_other": "510100"}
ALL_PLANS = set(PLAN_REGIONS)
PLANS = {
    "province": ALL_PLANS,
    "auditor": ALL_PLANS,
    "city": {"p_prov", "p_city", "p_county"},
    "adjudicator": {"p_prov", "p_city", "p_county"},
    "county": {"p_prov", "p_city", "p_county"},
    "investigator": {"p_prov", "p_city", "p_county"},
    "insurance": {"p_prov", "p_city"},
    "other_city": {"p_prov", "p_other"},
    "hospital1": set(),
    "hospital2": set(),
    "expert": set(),
}
# Campaigns: regions as plans; an institution sees those it takes part in.
CAMPAIGN_UNITS = {"k_prov": ("510000", "H3"), "k_city": ("511500", "H1"), "k_county2": ("511503", "H2")}
CAMPAIGNS = {
    "province": set(CAMPAIGN_UNITS),
    "auditor": set(CAMPAIGN_UNITS),
    "city": set(CAMPAIGN_UNITS),
    "adjudicator": set(CAMPAIGN_UNITS),
    "county": {"k_prov", "k_city"},
    "investigator": {"k_prov", "k_city"},
    "insurance": set(CAMPAIGN_UNITS),
    "other_city": {"k_prov"},
    "hospital1": {"k_city"},
    "hospital2": {"k_county2"},
    "expert": set(),
}
# Referrals: those of a visible clue; the insurance bureau only those sent to insurance.
REFERRAL_CLUES = {  # as tests/access/test_jurisdiction.py
    "r1": ("c1", "market_regulator"),
    "r2": ("c2", "insurance"),
    "r3": ("c2", "market_regulator"),
}
REFERRALS = {
    "province": {"r1", "r2", "r3"},
    "auditor": {"r1", "r2", "r3"},
    "city": {"r1", "r2", "r3"},
    "adjudicator": {"r1", "r2", "r3"},
    "county": {"r1"},
    "investigator": {"r1"},
    "insurance": {"r2"},
    "other_city": set(),
    "hospital1": {"r1"},
    "hospital2": {"r2", "r3"},
    "expert": {"r2", "r3"},
}
CLUES = {  # as in tests/access/test_jurisdiction.py
    "province": {"c1", "c2", "c3"},
    "auditor": {"c1", "c2", "c3"},
    "city": {"c1", "c2"},
    "adjudicator": {"c1", "c2"},
    "county": {"c1"},
    "investigator": {"c1"},
    "insurance": {"c2"},
    "other_city": {"c3"},
    "hospital1": {"c1"},
    "hospital2": {"c2"},
    "expert": {"c2"},
}
ROLES = tuple(CLUES)


@dataclass
class World:
    """The organisation and, per kind, each row's label → its primary key."""

    org: Org
    keys: dict[type[Any], dict[str, Any]]


def _proposal(inst: str, region: str) -> AccountabilityProposal:
    return AccountabilityProposal(
        key=f"k-{inst}", row_id=inst, article="9", subject_kind="institution", subject_id=inst,
        institution_id=inst, region_code=region, year=2026, window="cycle", period="2026-02",
        threshold=1, times=1, action="约谈", evidence=[], self_reported=False, status="proposed",
        mitigation="none", proposed_at=AT, updated_at=AT,
    )  # fmt: skip


def _point_record(inst: str, region: str) -> PointRecord:
    day = date(2026, 3, 1)
    return PointRecord(
        party_kind="institution", party_id=inst, institution_id=inst, region_code=region,
        item_code="S201", item_text="x", level=1, points=1, exempt=False, state="active",
        event_date=day, approved_on=day, year=2026, department="卫生健康", description="x",
        notice_due=day, report_due=day, late=[], created_at=AT,
    )  # fmt: skip


def _plan(region: str) -> InspectionPlan:
    return InspectionPlan(
        year=2026, region_code=region, seed="s", extra_visits=0, problem_weight=2, problem_cap=5,
        inspectors_per_visit=2, items=[], departments=[], weights={}, inspector_pool=[],
        created_at=AT, audit_seq=0,
    )  # fmt: skip


def _visit(plan_id: int, inst: str, region: str, status: str) -> InspectionVisit:
    return InspectionVisit(
        plan_id=plan_id, institution_id=inst, region_code=region, round="baseline", month=3,
        items=[], departments=[], status=status,
    )  # fmt: skip


def _fact(inst: str, region: str) -> AccountabilityEvent:
    return AccountabilityEvent(
        kind="interview", institution_id=inst, region_code=region, occurred_on=date(2026, 2, 1),
        description="x", recorded_at=AT,
    )  # fmt: skip


def _keyed(session: Session, rows: dict[str, Any]) -> dict[str, Any]:
    session.add_all(rows.values())
    session.flush()
    return {label: inspect(row).identity[0] for label, row in rows.items()}


VISIT_ROWS = (("v1", "H1", "planned"), ("v2", "H1", "done"), ("v3", "H2", "done"), ("v4", "H3", "done"))


@pytest.fixture
def world(session: Session) -> World:
    org = seed_org(session)
    regions = {inst.id: inst.region_code or "" for inst in session.query(Institution)}
    plans = _keyed(session, {label: _plan(region) for label, region in PLAN_REGIONS.items()})
    visits = {
        label: _visit(plans["p_prov"], inst, regions[inst], status) for label, inst, status in VISIT_ROWS
    }
    campaigns = {
        label: Campaign(name=label, region_code=region, rule_ids=[], created_at=AT)
        for label, (region, _inst) in CAMPAIGN_UNITS.items()
    }
    referrals = {
        label: Referral(
            clue_id=clue, department=dept, region_code=org.clues[clue].region_code, reason="x", sent_at=AT
        )
        for label, (clue, dept) in REFERRAL_CLUES.items()
    }
    keys: dict[type[Any], dict[str, Any]] = {
        Clue: {c: c for c in org.clues},
        Institution: {i: i for i in regions},
        InspectionPlan: plans,
        InspectionVisit: _keyed(session, visits),
        Campaign: _keyed(session, campaigns),
        Referral: _keyed(session, referrals),
        AccountabilityProposal: _keyed(session, {i: _proposal(i, r) for i, r in regions.items()}),
        AccountabilityEvent: _keyed(session, {i: _fact(i, r) for i, r in regions.items()}),
        PointRecord: _keyed(session, {i: _point_record(i, r) for i, r in regions.items()}),
    }
    session.add_all(
        CampaignInstitution(campaign_id=keys[Campaign][label], institution_id=inst)
        for label, (_region, inst) in CAMPAIGN_UNITS.items()
    )
    session.commit()
    return World(org, keys)


EXPECTED: dict[type[Any], dict[str, set[str]]] = {
    Clue: CLUES,
    Institution: UNITS,
    AccountabilityProposal: UNITS,
    AccountabilityEvent: UNITS,
    PointRecord: UNITS,
    InspectionVisit: VISITS,
    InspectionPlan: PLANS,
    Campaign: CAMPAIGNS,
    Referral: REFERRALS,
}


def _seen(session: Session, world: World, name: str, model: type[Any]) -> set[str]:
    label_of = {key: label for label, key in world.keys[model].items()}
    pk = inspect(model).primary_key[0]
    rows = session.execute(visible(world.org.users[name], model).with_only_columns(pk)).scalars()
    return {label_of[key] for key in rows}


def test_every_kind_is_in_the_table() -> None:
    assert set(EXPECTED) == set(KINDS)


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_every_role_sees_exactly_its_jurisdiction_of_each_kind(
    session: Session, world: World, model: type[Any]
) -> None:
    for name in ROLES:
        assert _seen(session, world, name, model) == EXPECTED[model][name], name


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_an_inactive_user_sees_nothing(session: Session, world: World, model: type[Any]) -> None:
    for name in ROLES:
        world.org.users[name].is_active = False
        assert _seen(session, world, name, model) == set(), name


def test_the_jurisdiction_of_each_unit(session: Session, world: World) -> None:
    users = world.org.users
    assert jurisdiction_of(users["city"]) == Jurisdiction(region=RegionCode("511500"))
    assert jurisdiction_of(users["hospital1"]) == Jurisdiction(institution_id="H1")
    assert jurisdiction_of(users["expert"]) == Jurisdiction(expert_id=users["expert"].id)
    users["city"].is_active = False
    assert jurisdiction_of(users["city"]) == NOWHERE


# --- the region check -------------------------------------------------------------------------


def test_a_region_inside_the_users_region_passes(session: Session, world: World) -> None:
    users = world.org.users
    assert require_region(users["city"], "511502") == RegionCode("511502")
    assert require_region(users["city"], "511500") == RegionCode("511500")
    assert require_region(users["province"], "510104") == RegionCode("510104")
    assert require_region(None, "110105") == RegionCode("110105")  # the system acts everywhere


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("county", "511500"),  # above the user's region
        ("county", "511503"),  # a neighbour
        ("other_city", "511502"),  # another city
        ("hospital1", "511502"),  # an institution's own county: not a regional role
        ("expert", "511500"),  # an expert's region: not a regional role
    ],
)
def test_a_region_outside_the_jurisdiction_is_not_found(
    session: Session, world: World, name: str, region: str
) -> None:
    with pytest.raises(NotFoundError) as raised:
        require_region(world.org.users[name], region)
    assert raised.value.code == "region_not_found"
    assert raised.value.message_en == f"region outside your jurisdiction: {region}"


def test_an_inactive_user_has_no_region(session: Session, world: World) -> None:
    user = world.org.users["province"]
    user.is_active = False
    with pytest.raises(NotFoundError):
        require_region(user, "511502")


def test_a_malformed_region_is_invalid_input(session: Session, world: World) -> None:
    with pytest.raises(InvalidInputError):
        require_region(world.org.users["province"], "51150X")


# --- the getter -------------------------------------------------------------------------------

MISSING: dict[type[Any], Any] = {Clue: "nope", Institution: "H9"}


def _not_found(session: Session, user: User, model: type[Any], key: Any) -> NotFoundError:
    with pytest.raises(NotFoundError) as raised:
        get_visible(session, user, model, key)
    return raised.value


@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_get_visible_returns_a_visible_row_and_hides_the_rest_as_missing(
    session: Session, world: World, model: type[Any]
) -> None:
    missing_key = MISSING.get(model, 999_999)
    for name in ROLES:
        user = world.org.users[name]
        for label, key in world.keys[model].items():
            if label in EXPECTED[model][name]:
                assert inspect(get_visible(session, user, model, key)).identity[0] == key
                continue
            hidden, missing = (
                _not_found(session, user, model, key),
                _not_found(session, user, model, missing_key),
            )
            assert hidden.code == missing.code == KINDS[model].code
            assert hidden.message_zh == missing.message_zh.replace(str(missing_key), str(key))
            assert hidden.message_en == missing.message_en.replace(str(missing_key), str(key))
