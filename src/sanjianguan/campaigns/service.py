"""专项治理: one entry point for the web routes, gathered from its modules.

The routes call `service.<action>(session, user, campaign_id, ...)`; this façade keeps
that while each concern lives in its own module. No logic here: read the module for
what an action does.

Every function: jurisdiction (404) → permission (403) → state (409) → input (400) →
the change → one typed audit event; the caller commits.

- `campaigns.plans`: 部署专项治理 (phases, target rules, participants) and reading campaigns
- `campaigns.self_check`: 机构自查表, pre-filled from the clues
- `campaigns.records`: 台账登记 and 台账作废
- `campaigns.tallies`: 治理成效统计 and 结束专项治理
"""

from __future__ import annotations

from sanjianguan.campaigns.plans import (
    PHASES,
    create,
    current_phase,
    get,
    institutions,
    list_campaigns,
    phases,
)
from sanjianguan.campaigns.records import (
    INSTITUTION_KINDS,
    KINDS,
    MAX_AMOUNT,
    SOURCES,
    add_record,
    amount_of,
    list_records,
    void_record,
)
from sanjianguan.campaigns.self_check import self_check_form
from sanjianguan.campaigns.tallies import Tally, close, tally

__all__ = [
    "INSTITUTION_KINDS",
    "KINDS",
    "MAX_AMOUNT",
    "PHASES",
    "SOURCES",
    "Tally",
    "add_record",
    "amount_of",
    "close",
    "create",
    "current_phase",
    "get",
    "institutions",
    "list_campaigns",
    "list_records",
    "phases",
    "self_check_form",
    "tally",
    "void_record",
]
