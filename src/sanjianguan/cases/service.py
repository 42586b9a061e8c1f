"""线索办理: the actions of the loop, one name per action, gathered from the phase modules.

The web routes, the CLI, the demo and the tests call `service.<action>(session, user,
clue_id, ..., now=...)`; this façade keeps that one entry point while each phase lives in
its own module. No logic here: read the phase module for what an action does.

Every action: jurisdiction (404) → permission (403) → the transition table row, its
deadline and guard (409) → input checks (400) → the change → one typed audit event,
in the caller's session; the caller commits (the web request, the CLI command). Times
are aware UTC (`now`); deadlines are Chinese calendar dates derived from `now`.

- `cases.intake`: 推送, 催办, 自查反馈, 责令/提供证明材料, 逾期判定不合理 (art. 28, 31)
- `cases.sampling`: 抽查 and 调查核实
- `cases.adjudication`: 受理裁定, 抽选专家, 专家表决, 形成裁定意见 (art. 27)
- `cases.decision`: 认定, 告知, 申诉, 复核, 责任追究通知, 整改报送, 办结 (art. 29, 30)
- `cases.experts`: 专家库登记 and 回避申报
- `cases.inputs`: the input checks they share
"""

from __future__ import annotations

from sanjianguan.cases.adjudication import draw_panel, open_adjudication, rule, vote
from sanjianguan.cases.decision import (
    appeal,
    close,
    decide,
    issue_responsibility_notice,
    notify,
    report_rectification,
    review,
)
from sanjianguan.cases.experts import declare_conflict, set_expert_profile
from sanjianguan.cases.inputs import MAX_TEXT
from sanjianguan.cases.intake import (
    PushResult,
    default_unreasonable,
    push_period,
    remind,
    request_evidence,
    self_check,
    supply_evidence,
)
from sanjianguan.cases.sampling import DEFAULT_RATE, SampleResult, sample, verify

__all__ = [
    "DEFAULT_RATE",
    "MAX_TEXT",
    "PushResult",
    "SampleResult",
    "appeal",
    "close",
    "decide",
    "declare_conflict",
    "default_unreasonable",
    "draw_panel",
    "issue_responsibility_notice",
    "notify",
    "open_adjudication",
    "push_period",
    "remind",
    "report_rectification",
    "request_evidence",
    "review",
    "rule",
    "sample",
    "self_check",
    "set_expert_profile",
    "supply_evidence",
    "verify",
    "vote",
]
