"""Messages people see name states, roles and actions by their Chinese labels (中文名称).

Every ClueStatus, Role, Action and CaseAction has a label in one place (beside its enum);
refusals use the label, never the internal token (`decided`, `expert`, `case.history`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanjianguan.access.permissions import ROLE_ACTIONS, Action, require
from sanjianguan.cases import service, views
from sanjianguan.cases.states import ClueStatus, SelfCheckOutcome
from sanjianguan.cases.transitions import CaseAction, InvalidTransitionError, find
from sanjianguan.errors import InvalidInputError, PermissionDeniedError
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Role, User
from tests.cases.harness import Harness, make_harness
from tests.workflow_db.fixtures import Clock

CJK = re.compile(r"[\u4e00-\u9fff]")
ENUMS: list[type[ClueStatus] | type[Role] | type[Action] | type[CaseAction]] = [
    ClueStatus,
    Role,
    Action,
    CaseAction,
]


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


@pytest.mark.parametrize("enum_cls", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_a_chinese_label(enum_cls: type[ClueStatus]) -> None:
    labels = [member.label_zh for member in enum_cls]
    for member, label in zip(enum_cls, labels, strict=True):
        assert CJK.search(label), f"{enum_cls.__name__}.{member.name}: {label!r}"
    assert len(set(labels)) == len(labels), f"{enum_cls.__name__}: two members share a label"


def test_every_refused_role_action_names_both_by_label() -> None:
    refused = 0
    for role in Role:
        user = User(username=f"u-{role.value}", role=role, is_active=True)
        for action in Action:
            if action in ROLE_ACTIONS[role]:
                continue
            with pytest.raises(PermissionDeniedError) as info:
                require(user, action)
            zh = info.value.message_zh
            assert f"“{role.label_zh}”" in zh, zh
            assert f"“{action.label_zh}”" in zh, zh
            assert role.value not in zh, zh
            assert action.value not in zh, zh
            refused += 1
    assert refused > 100  # the matrix is mostly refusals: the loop really ran


def _refusal(status: ClueStatus, action: CaseAction) -> str | None:
    """The Chinese message of an illegal move, None when the table allows it."""
    try:
        find(status.value, action)
    except InvalidTransitionError as exc:
        return exc.message_zh
    return None


def test_every_illegal_move_names_the_state_by_label() -> None:
    refused = 0
    for status in ClueStatus:
        for action in CaseAction:
            zh = _refusal(status, action)
            if zh is None:
                continue
            assert f"“{status.label_zh}”" in zh, zh
            assert f"“{action.label_zh}”" in zh, zh
            assert not re.search(rf"\b{status.value}\b", zh), zh
            refused += 1
    assert refused > 100


def test_services_speak_labels(h: Harness) -> None:
    """The three messages of the issue, produced by the real services."""
    h.run("county", service.push_period, "2026-02", "511502", now=h.clock.now)
    with pytest.raises(InvalidTransitionError) as state:
        h.run("county", service.close, "c1", now=h.clock.now)
    assert "线索当前状态为“已推送”" in state.value.message_zh
    assert "pushed" not in state.value.message_zh

    with pytest.raises(PermissionDeniedError) as role:
        h.run("expert", views.history, "c2")
    assert role.value.message_zh == "角色“专家”无权执行“查看线索办理记录”"

    with pytest.raises(InvalidInputError) as missing:
        h.run(
            "hospital1",
            service.self_check,
            "c1",
            outcome=SelfCheckOutcome.CONFIRMED,
            explanation="已核对",
            handling="  ",
            store=h.store,
            now=h.clock.now,
        )
    assert str(missing.value) == (
        "院内处理及整改情况不能为空 / in-hospital handling and rectification is required"
    )
    assert not CJK.search(missing.value.message_en)
