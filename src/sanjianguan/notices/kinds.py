"""The kinds of notice (文书种类): what each is called, its 类别字 in the 文号, and what it is about.

A kind's `letter` goes into the 文号 (`{地区简称}三监{类别字}〔{year}〕{n}号`), so that each
kind runs its own sequence: 告 告知书, 追 责任追究通知书, 改 责令限期改正通知书, 谈 约谈记录,
分 记分通知书, 核 调查核实报告, 裁 裁定判决结果报告.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NoticeKind(enum.StrEnum):
    """文书种类 (the stored value of `official_notices.kind`)."""

    NOTIFICATION = "notification"  # 告知书 (art. 29)
    ACCOUNTABILITY = "accountability"  # 责任追究通知书 (art. 30)
    RECTIFICATION = "rectification"  # 责令限期改正通知书
    INTERVIEW = "interview"  # 约谈记录
    POINTS = "points"  # 记分通知书 (seed 001 附件2 / 附件3)
    VERIFICATION = "verification"  # 调查核实报告
    ADJUDICATION = "adjudication"  # 裁定判决结果报告

    @property
    def spec(self) -> KindSpec:
        return KIND_SPECS[self]

    @property
    def label_zh(self) -> str:
        return KIND_SPECS[self].title


@dataclass(frozen=True)
class KindSpec:
    """A kind's title (文种), its 类别字 and the subject it is issued for (zh, en)."""

    title: str
    letter: str
    subject_zh: str
    subject_en: str


KIND_SPECS: dict[NoticeKind, KindSpec] = {
    NoticeKind.NOTIFICATION: KindSpec("不合理问题告知书", "告", "线索", "clue"),
    NoticeKind.ACCOUNTABILITY: KindSpec("责任追究通知书", "追", "追责建议", "proposal"),
    NoticeKind.RECTIFICATION: KindSpec("责令限期改正通知书", "改", "线索", "clue"),
    NoticeKind.INTERVIEW: KindSpec("约谈记录", "谈", "追责事实", "fact"),
    NoticeKind.POINTS: KindSpec("不良执业行为记分通知书", "分", "记分记录", "point record"),
    NoticeKind.VERIFICATION: KindSpec("调查核实报告", "核", "线索", "clue"),
    NoticeKind.ADJUDICATION: KindSpec("裁定判决结果报告", "裁", "线索", "clue"),
}

CLUE_KINDS = frozenset(
    {NoticeKind.NOTIFICATION, NoticeKind.RECTIFICATION, NoticeKind.VERIFICATION, NoticeKind.ADJUDICATION}
)
