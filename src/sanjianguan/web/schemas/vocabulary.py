"""请求字段词汇 / the request vocabulary: one name per idea, across every endpoint.

- `outcome`: the choice among allowed values that an action records (自查结果, 核实结论,
  表决, 复核结果, 查办结果 ...).
- `explanation`: the free text that justifies the `outcome` (说明, 核查记录, 意见, 复核意见).
- `reason`: why an action is requested or taken (申诉理由, 办结说明, 驳回理由 ...).
- `text`: the text of a document the action issues (通知, 裁定意见, 所需材料说明).
- `note`: an optional remark that accompanies files or a record.

Renamed fields keep their old name as a deprecated alias for one release
(`Renamed("outcome", "result")`); the API reference lists both.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

DEPRECATED = "（旧名 `{old}` 仍可用一个版本 / deprecated alias `{old}` accepted for one release）"


def renamed(new: str, old: str, description: str, **kwargs: Any) -> Any:
    """A field named `new` that also accepts its former name `old` (deprecated)."""
    return Field(
        validation_alias=AliasChoices(new, old),
        description=description + DEPRECATED.format(old=old),
        **kwargs,
    )
