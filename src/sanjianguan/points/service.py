"""Penalty-point service (记分管理): one entry point for the web routes, gathered from its modules.

The routes call `service.<action>(session, user, ...)`; this façade keeps that while each
concern lives in its own module. No logic here: read the module for what an action does.

Roles and jurisdiction as everywhere: `require` (403) then the unit filter (404 outside).
The department's and office's own steps done after their deadline are accepted and
flagged late (`late` lists them); the scored party's appeal after its deadline is
refused (409 `deadline_passed`). Every change is audited in the caller's transaction.

- `points.recording`: 记分, 送达通知书, 报送办公室, 登记 (and reading the records)
- `points.appeals`: 申诉 and 申诉决定
- `points.standing`: 记分累计, a doctor's or an institution's standing in a year
- `points.returns`: 月度汇总 and 零报告
- `points.disclosure`: 季度公示
"""

from __future__ import annotations

from sanjianguan.points.appeals import AppealResult, appeals_of, decide_appeal, file_appeal
from sanjianguan.points.disclosure import (
    disclosure_items,
    public_disclosure,
    publish_disclosure,
    published_disclosures,
    published_quarters,
)
from sanjianguan.points.recording import (
    PartyKind,
    get_record,
    list_records,
    record_points,
    register,
    report,
    serve_notice,
)
from sanjianguan.points.returns import MonthlySummary, file_return, monthly_summary
from sanjianguan.points.standing import counted, institution_status, staff_status

__all__ = [
    "AppealResult",
    "MonthlySummary",
    "PartyKind",
    "appeals_of",
    "counted",
    "decide_appeal",
    "disclosure_items",
    "file_appeal",
    "file_return",
    "get_record",
    "institution_status",
    "list_records",
    "monthly_summary",
    "public_disclosure",
    "publish_disclosure",
    "published_disclosures",
    "published_quarters",
    "record_points",
    "register",
    "report",
    "serve_notice",
    "staff_status",
]
