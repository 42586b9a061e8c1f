"""Reading the rule-library workbooks, and the two row shapes they share.

Item sheets (项目规则库) carry one 15-digit national service code per row. Drug sheets
(药品规则库) state each rule by generic name (药品通用名) on the first sheet; a second
sheet lists the national drug codes (国家医保药品代码) of every generic name, and a
rule applies to each of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, ItemPatch, SourceRow, Unrepresentable

Record = dict[str, object]
"""One data row: header text → cell value."""

Interpret = Callable[[Record], dict[str, str]]
"""Row → `ref_items` column values; raises Unrepresentable when the row does not fit."""

SERVICE_CODE = re.compile(r"\d{15}")
DRUG_CODE = re.compile(r"[A-Z][A-Z0-9]{9,29}")
DRUG_NAME = "药品通用名"
DRUG_CODE_HEADERS = ("国标代码", "药品代码")
_DRUG_ITEM_TYPES = {"X": "drug_western", "Z": "drug_chinese_patent"}


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name and its non-blank data rows with their row numbers."""

    name: str
    rows: tuple[tuple[int, Record], ...]


def read_workbook(path: Path) -> list[Sheet]:
    """Every sheet of a workbook; fully blank rows are layout, not data, and are left out."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [_read_sheet(ws.title, ws.iter_rows(values_only=True)) for ws in workbook.worksheets]
    finally:
        workbook.close()


def _read_sheet(name: str, rows: object) -> Sheet:
    iterator = iter(rows)  # type: ignore[call-overload]
    header = [cell_text(h) or "" for h in next(iterator, ())]
    data = []
    for number, row in enumerate(iterator, start=2):
        if any(cell_text(v) for v in row):
            data.append((number, {h: v for h, v in zip(header, row, strict=False) if h}))
    return Sheet(name, tuple(data))


def cell_text(value: object) -> str | None:
    """A cell as trimmed text (integral floats without `.0`); blank → None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def field(record: Record, *headers: str) -> str | None:
    """The first non-blank value among the given headers."""
    for header in headers:
        text = cell_text(record.get(header))
        if text:
            return text
    return None


def report_sheet(result: FamilyResult, file: str, sheet: Sheet, reason: str) -> None:
    """Report every row of a sheet this family does not use."""
    for number, _ in sheet.rows:
        result.report(SourceRow(file, sheet.name, number), reason)


def read_item_rules(path: Path, *, code: str, name: str, interpret: Interpret) -> FamilyResult:
    """Item sheet: one patch per row, keyed by the row's 15-digit service code."""
    result = FamilyResult()
    first, *others = read_workbook(path)
    for number, record in first.rows:
        source = SourceRow(path.name, first.name, number)
        try:
            item_code = _service_code(record, code)
            values = interpret(record)
        except Unrepresentable as exc:
            result.report(source, exc.reason)
            continue
        label = field(record, name) or item_code
        result.patches.append(
            ItemPatch(item_code, label, "service", None, tuple(sorted(values.items())), source)
        )
        result.imported(source)
    for sheet in others:
        report_sheet(result, path.name, sheet, "未识别的工作表 / sheet not part of this rule type")
    return result


def _service_code(record: Record, header: str) -> str:
    value = field(record, header)
    if value is None:
        first = next((cell_text(v) for v in record.values() if cell_text(v)), "") or ""
        if first.startswith(("合计", "备注")):
            raise Unrepresentable("合计或备注行，不是规则 / total or note row, not a rule")
        raise Unrepresentable(f"缺少项目编码({header}) / no item code")
    if not SERVICE_CODE.fullmatch(value):
        raise Unrepresentable(f"项目编码 {value!r} 不是15位国家编码 / not a 15-digit national service code")
    return value


def read_drug_rules(path: Path, *, interpret: Interpret) -> FamilyResult:
    """Drug workbook: rules by generic name (sheet 1) expanded to national codes (sheet 2)."""
    result = FamilyResult()
    sheets = read_workbook(path)
    rules = _drug_rules(result, path.name, sheets[0], interpret)
    if len(sheets) < 2:
        for name, (source, values) in rules.items():
            if values is not None:
                result.report(
                    source, f"没有药品代码表，{name} 无法展开 / no code sheet to expand the generic name"
                )
        return result
    expanded = _expand_codes(result, path.name, sheets[1], rules)
    for name, (source, values) in rules.items():
        if values is None:
            continue
        if name in expanded:
            result.imported(source)
        else:
            result.report(
                source, "代码表中没有该通用名的国家代码 / no national drug code for this generic name"
            )
    for sheet in sheets[2:]:
        report_sheet(result, path.name, sheet, "未识别的工作表 / sheet not part of this rule type")
    return result


RuleMap = dict[str, tuple[SourceRow, dict[str, str] | None]]


def _drug_rules(result: FamilyResult, file: str, sheet: Sheet, interpret: Interpret) -> RuleMap:
    """Generic name → (its row, its values or None when reported)."""
    rules: RuleMap = {}
    for number, record in sheet.rows:
        source = SourceRow(file, sheet.name, number)
        name = field(record, DRUG_NAME)
        if name is None:
            result.report(source, f"缺少{DRUG_NAME} / no generic name")
            continue
        if name in rules:
            result.report(source, f"通用名重复，见第{rules[name][0].row}行 / duplicate generic name")
            continue
        try:
            rules[name] = (source, interpret(record))
        except Unrepresentable as exc:
            rules[name] = (source, None)
            result.report(source, exc.reason)
    return rules


def _expand_codes(result: FamilyResult, file: str, sheet: Sheet, rules: RuleMap) -> set[str]:
    """One patch per code row; returns the generic names that got at least one code."""
    expanded: set[str] = set()
    for number, record in sheet.rows:
        source = SourceRow(file, sheet.name, number)
        name, code = field(record, DRUG_NAME), field(record, *DRUG_CODE_HEADERS)
        reason = _code_row_problem(name, code, rules)
        if reason or name is None or code is None:
            result.report(source, reason or "")
            continue
        values = rules[name][1] or {}
        item_type = _DRUG_ITEM_TYPES.get(code[0])
        result.patches.append(ItemPatch(code, name, "drug", item_type, tuple(sorted(values.items())), source))
        result.imported(source)
        expanded.add(name)
    return expanded


def _code_row_problem(name: str | None, code: str | None, rules: RuleMap) -> str | None:
    if name is None or code is None:
        return "缺少通用名或药品代码 / generic name or drug code missing"
    if not DRUG_CODE.fullmatch(code):
        return f"药品代码 {code!r} 格式不符 / not a national drug code"
    if name not in rules:
        return f"通用名 {name!r} 不在规则表中 / generic name not in the rule sheet"
    source, values = rules[name]
    if values is None:
        return (
            f"其规则（{source.sheet} 第{source.row}行）未导入 / its rule (row {source.row}) was not imported"
        )
    return None
