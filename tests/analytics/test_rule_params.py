"""规则参数 service: set / reset a region parameter in rules.toml, atomic, comments kept, checked, audited."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.analytics import rule_params as rp
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.workflow_db.models import AuditEvent, Role, User
from tests.workflow_db.fixtures import Org, password_hash, seed_org

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ORIGINAL = (
    "# 宜宾市地区规则配置\n"
    "[C01]\n"
    "enabled = false   # 停用 C01\n"
    "\n"
    "[T02.params]\n"
    "min_days = 3      # 挂床天数（2026 年会议确定）\n"
    "\n"
    "[C02.params]\n"
    "tolerance = 0.05\n"
)


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


@pytest.fixture
def analyst(session: Session, org: Org) -> User:
    """A province analyst: its region covers every institution of the sample organisation."""
    user = User(
        username="prov_analyst", role=Role.ANALYST, region_code="510000", password_hash=password_hash()
    )
    session.add(user)
    session.commit()
    return user


def _file(home: Path, text: str = ORIGINAL) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _events(session: Session) -> list[AuditEvent]:
    return list(
        session.execute(select(AuditEvent).where(AuditEvent.event == "rule.params_changed")).scalars()
    )


def _set(
    session: Session, user: User, home: Path, text: str, *, param: str = "min_days", **kw: str
) -> rp.ParamChange:
    args = {"rule_id": "T02", "reason": "会议决定", "digest": rp.read_file(home).digest} | kw
    return rp.set_param(session, user, home, param=param, text=text, now=NOW, **args)


def test_set_keeps_comments_and_other_rules_and_audits(session: Session, analyst: User, home: Path) -> None:
    path = _file(home)
    change = _set(session, analyst, home, " 4 ")
    assert (change.before, change.after, change.rewritten) == (3, 4, False)
    assert path.read_text(encoding="utf-8") == ORIGINAL.replace("min_days = 3 ", "min_days = 4 ")
    catalogue = {c.rule.id: c for c in load_catalogue(home)}
    assert catalogue["T02"].values["min_days"] == 4
    assert not catalogue["C01"].enabled
    assert catalogue["C02"].values["tolerance"] == Decimal("0.05")
    [event] = _events(session)
    assert (event.subject_type, event.subject_id, event.reason) == ("rule", "T02", "会议决定")
    assert (event.before, event.after, event.actor_name) == ({"min_days": 3}, {"min_days": 4}, "prov_analyst")
    assert event.payload["file_after"] == change.digest == rp.read_file(home).digest
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]


def test_a_new_parameter_and_a_new_file(session: Session, analyst: User, home: Path) -> None:
    change = _set(session, analyst, home, "0.03", rule_id="C02", param="tolerance")
    assert change.before is None
    assert change.after == Decimal("0.03")
    assert (home / "rules.toml").read_text(encoding="utf-8") == "[C02.params]\ntolerance = 0.03\n"
    _set(session, analyst, home, "2.5", rule_id="S01", param="oe_limit")
    assert {c.rule.id: c for c in load_catalogue(home)}["S01"].values["oe_limit"] == Decimal("2.5")


@pytest.mark.parametrize(
    ("param", "text", "message"),
    [
        ("min_days", "3.5", "整数"),
        ("min_days", "三", "整数"),
        ("min_days", "", "整数"),
        ("min_days", "3", "相同"),
        ("tolerance", "abc", "数字"),
        ("tolerance", "1e3", "数字"),
        ("tolerance", "NaN", "数字"),
        ("tolerance", "0.12345678901234567890", "有效数字"),
    ],
)
def test_a_bad_value_writes_nothing(
    session: Session, analyst: User, home: Path, param: str, text: str, message: str
) -> None:
    path = _file(home)
    rule = "C02" if param == "tolerance" else "T02"
    with pytest.raises(InvalidInputError, match=message) as refused:
        _set(session, analyst, home, text, rule_id=rule, param=param)
    assert refused.value.code == "invalid_param_value"
    assert path.read_text(encoding="utf-8") == ORIGINAL
    assert _events(session) == []


def test_reason_required_and_unknown_parameter(session: Session, analyst: User, home: Path) -> None:
    path = _file(home)
    with pytest.raises(InvalidInputError) as refused:
        _set(session, analyst, home, "5", reason="  ")
    assert refused.value.code == "reason_required"
    with pytest.raises(NotFoundError):
        _set(session, analyst, home, "5", param="no_such")
    with pytest.raises(NotFoundError):
        _set(session, analyst, home, "5", rule_id="ZZ9")
    assert path.read_text(encoding="utf-8") == ORIGINAL
    assert _events(session) == []


def test_a_changed_file_is_a_conflict(session: Session, analyst: User, home: Path) -> None:
    path = _file(home)
    shown = rp.read_file(home).digest
    _set(session, analyst, home, "4", digest=shown)
    after = path.read_text(encoding="utf-8")
    with pytest.raises(ConflictError) as refused:  # the same form again (a double submit)
        _set(session, analyst, home, "5", digest=shown)
    assert refused.value.code == "rules_file_changed"
    assert path.read_text(encoding="utf-8") == after
    assert len(_events(session)) == 1


def test_reset_removes_the_override_once(session: Session, analyst: User, home: Path) -> None:
    path = _file(home)
    change = rp.reset_param(
        session,
        analyst,
        home,
        rule_id="T02",
        param="min_days",
        reason="恢复",
        digest=rp.read_file(home).digest,
        now=NOW,
    )
    assert (change.before, change.after) == (3, None)
    text = path.read_text(encoding="utf-8")
    assert "min_days" not in text
    assert "[T02.params]" not in text
    assert "# 宜宾市地区规则配置" in text
    assert "enabled = false   # 停用 C01" in text
    assert {c.rule.id: c for c in load_catalogue(home)}["T02"].values["min_days"] == 3
    with pytest.raises(ConflictError) as refused:
        rp.reset_param(
            session,
            analyst,
            home,
            rule_id="T02",
            param="min_days",
            reason="恢复",
            digest=rp.read_file(home).digest,
            now=NOW,
        )
    assert refused.value.code == "no_override"
    [event] = _events(session)
    assert (event.before, event.after) == ({"min_days": 3}, {"min_days": None})


def test_only_an_analyst_covering_every_institution(session: Session, org: Org, home: Path) -> None:
    path = _file(home)
    for name in ("province", "other_city"):  # an office; an analyst of another city
        user = org.users[name]
        assert not rp.may_configure(session, user)
        with pytest.raises(PermissionDeniedError):
            _set(session, user, home, "4")
    assert path.read_text(encoding="utf-8") == ORIGINAL
    assert _events(session) == []


def test_the_write_is_atomic(
    session: Session, analyst: User, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(home)

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        _set(session, analyst, home, "4")
    assert path.read_text(encoding="utf-8") == ORIGINAL
    assert sorted(p.name for p in home.iterdir()) == [".rules.toml.lock", "rules.toml"]


def test_a_layout_the_editor_does_not_know_is_written_anew(
    session: Session, analyst: User, home: Path
) -> None:
    path = _file(home, "[T02]\nparams = { min_days = 3 }\n\n[C01]\nenabled = false\n")
    change = _set(session, analyst, home, "6")
    assert change.rewritten
    catalogue = {c.rule.id: c for c in load_catalogue(home)}
    assert catalogue["T02"].values["min_days"] == 6
    assert not catalogue["C01"].enabled
    assert path.read_text(encoding="utf-8").startswith("# 地区规则配置（由网页改写")
    [event] = _events(session)
    assert event.payload["rewritten"] is True


@pytest.mark.parametrize(
    ("default", "text", "value"),
    [
        (3, " -2 ", -2),
        (Decimal("0.5"), "1", Decimal("1")),
        (True, "false", False),
        (["a"], "x\n\n y \n", ["x", "y"]),
        ("mg", " mg|ml ", "mg|ml"),
    ],
)
def test_form_text_as_the_declared_type(default: rp.ParamValue, text: str, value: rp.ParamValue) -> None:
    found = rp.parse_value(default, text)
    assert found == value
    assert type(found) is type(value)


def test_a_bool_must_be_chosen() -> None:
    with pytest.raises(InvalidInputError, match="是"):
        rp.parse_value(True, "yes")
