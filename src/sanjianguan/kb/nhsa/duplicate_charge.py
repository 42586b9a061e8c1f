"""重复收费 (batch 7): the main item's price includes the sub item → `includes` relation.

C03 checks `includes` pairs per encounter and day. Pairs stated per day (单日) or per
encounter (单次就诊: charging both on one day is then certainly a breach) are
imported; windows shorter than a day (6小时, 同一小时) are reported, because a
per-day check would flag legitimate charges a few hours apart.
"""

from __future__ import annotations

from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Relation, SourceRow, Unrepresentable
from sanjianguan.kb.nhsa.sheets import SERVICE_CODE, Record, field, read_workbook, report_sheet

IMPORTED_SCOPES = ("单日", "单次就诊")


def _pair(record: Record) -> tuple[str, str]:
    scope = field(record, "频度")
    if scope not in IMPORTED_SCOPES:
        raise Unrepresentable(
            f"频度 {scope!r}：知识库的包含关系按日检查，无法表示 / scope not representable (checked per day)"
        )
    main, sub = field(record, "主项编码"), field(record, "从项编码")
    for label, code in (("主项编码", main), ("从项编码", sub)):
        if code is None or not SERVICE_CODE.fullmatch(code):
            raise Unrepresentable(f"{label} {code!r} 不是15位国家编码 / not a 15-digit national service code")
    if main == sub:
        raise Unrepresentable("主项与从项相同 / main and sub item are the same")
    return str(main), str(sub)


def read(path: Path) -> FamilyResult:
    result = FamilyResult()
    first, *others = read_workbook(path)
    for number, record in first.rows:
        source = SourceRow(path.name, first.name, number)
        try:
            main, sub = _pair(record)
        except Unrepresentable as exc:
            result.report(source, exc.reason)
            continue
        result.relations.append(Relation(main, sub, "includes", source))
        result.imported(source)
    for sheet in others:
        report_sheet(result, path.name, sheet, "未识别的工作表 / sheet not part of this rule type")
    return result
