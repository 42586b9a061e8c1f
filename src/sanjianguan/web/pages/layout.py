"""页面布局: what every page's frame shows, the navigation per role and the header.

The navigation lists the pages a user's role may use, decided by the same permissions
the API checks (`access.permissions.can`): a link shows only when its action is allowed.
Later pages add a row to `NAV`. The header names the user, their role and their
jurisdiction (辖区: the region, or the institution of an institution user), and the number of
unread messages by the 消息 link (one COUNT on the messages' (user, read_at) index per page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import sees_identities
from sanjianguan.access.permissions import Action, can
from sanjianguan.messages.service import unread_count
from sanjianguan.web import csrf
from sanjianguan.web.pages.session import HOME_PAGE, MESSAGES_PAGE, PASSWORD_PAGE
from sanjianguan.workflow_db.models import Institution, Region, User


@dataclass(frozen=True)
class NavItem:
    """A link of the navigation; `action`: the permission it needs (None: every user)."""

    label: str
    href: str
    action: Action | None = None
    personal: bool = False  # shown by the user's name, not in the main navigation


NAV: tuple[NavItem, ...] = (  # in the order of the loop: collect, analyse, work the clues, follow up
    NavItem("首页", HOME_PAGE, Action.CLUE_READ),
    NavItem("机构工作台", "/workbench", Action.CLUE_SELF_CHECK),  # institutions; an office: ?institution=
    NavItem("线索", "/clues", Action.CLUE_READ),  # 线索列表
    NavItem("数据提交", "/submissions", Action.DATA_SUBMIT),
    NavItem("数据采集", "/collection", Action.COLLECTION_READ),
    NavItem("指标", "/indicators", Action.INDICATOR_READ),
    NavItem("规则", "/rules", Action.RULE_READ),
    NavItem("调查核实", "/verification", Action.CLUE_VERIFY),
    NavItem("专家评议", "/expert", Action.ADJUDICATION_VOTE),
    NavItem("责任追究", "/accountability", Action.ACCOUNTABILITY_READ),
    NavItem("记分管理", "/points", Action.POINTS_READ),
    NavItem("双随机检查", "/inspections", Action.INSPECTION_READ),
    NavItem("专项治理", "/campaigns", Action.CAMPAIGN_READ),
    NavItem("移送", "/referrals", Action.REFERRAL_READ),
    NavItem("文书", "/documents", Action.NOTICE_READ),  # 编有文号的告知书、通知书、报告
    NavItem("县区月报", "/county-returns", Action.COUNTY_RETURN),
    NavItem("帐号管理", "/accounts", Action.USER_MANAGE),
    NavItem("审计日志", "/audit", Action.AUDIT_READ),
    NavItem("消息", MESSAGES_PAGE, personal=True),  # 消息中心: the header shows the unread count by it
    NavItem("修改密码", PASSWORD_PAGE, personal=True),
    NavItem("接口文档", "/docs", personal=True),
)


def navigation(user: User) -> list[NavItem]:
    """The links `user`'s role may follow, in `NAV`'s order."""
    return [item for item in NAV if item.action is None or can(user, item.action)]


def jurisdiction_label(session: Session, user: User) -> str:
    """辖区 as the header shows it: the institution's or the region's name, with its code.

    A user who may not see identities (an expert, 双盲) is shown its region only, never an
    institution (an expert's affiliation could say whose clues it does not judge).
    """
    if user.institution_id is not None and sees_identities(user):
        institution = session.get(Institution, user.institution_id)
        name = institution.name if institution and institution.name else user.institution_id
        return f"{name}（{user.institution_id}）"
    if user.region_code is not None:
        region = session.get(Region, user.region_code)
        name = region.name if region and region.name else user.region_code
        return f"{name}（{user.region_code}）"
    return ""


def frame(session: Session, user: User, token: str, *, active: str) -> dict[str, Any]:
    """The context every signed-in page passes to `base.html`."""
    return {
        "user": user,
        "user_name": user.display_name or user.username,
        "role_zh": user.role.label_zh,
        "jurisdiction": jurisdiction_label(session, user),
        "nav": navigation(user),
        "active": active,
        "unread": unread_count(session, user),
        "messages_href": MESSAGES_PAGE,
        "csrf_token": csrf.session_token(token),
        "csrf_field": csrf.FIELD,
    }
