"""Importing the national rule library (两库) into the knowledge base: `sjg kb import-nhsa`.

Each workbook is recognised by the rule type in its file name and read by the module
of its family. The results are merged onto the current knowledge base as a new
version: `ref_items` rows are upserted by item_code, setting only the limit columns
the library states (other columns of a known item are kept; a new item gets the
sheet's name and kind), and relations are added to the existing ones. Every row that
cannot be imported is reported; none is skipped silently.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sanjianguan.contract.schema import REF_ITEMS
from sanjianguan.errors import KnowledgeBaseError
from sanjianguan.kb.loader import as_text, normalise_cell
from sanjianguan.kb.nhsa import age, course, duplicate_charge, frequency, level, setting, sex, unsupported
from sanjianguan.kb.nhsa.model import FamilyResult, Issue, ItemPatch, SheetCount, SourceRow
from sanjianguan.kb.nhsa.sheets import read_workbook, report_sheet
from sanjianguan.kb.versions import TextRow, VersionResult, write_version

Reader = Callable[[Path], FamilyResult]

# File-name keywords → reader; the first match wins, so narrower patterns come first.
FAMILIES: tuple[tuple[tuple[str, ...], Reader], ...] = (
    (("药品", "限定性别"), sex.read_drugs),
    (("项目", "限定性别"), sex.read_items),
    (("药品", "限定年龄"), age.read_drugs),
    (("项目", "限定年龄对象"), age.read_items),
    (("项目", "限定年龄"), age.read_working_age),
    (("主次操作",), unsupported.read_surgery_groups),
    (("保险类型",), unsupported.read_insurance_types),
    (("就医方式",), setting.read),
    (("机构等级",), level.read),
    (("支付疗程",), course.read_drugs),
    (("项目", "限定疗程"), course.read_items),
    (("重复收费",), duplicate_charge.read),
    (("限定频次",), frequency.read_daily),
    (("限定周期",), frequency.read_cycles),
)


@dataclass(frozen=True)
class NhsaImportReport:
    """Outcome of an import (国家两库导入结果)."""

    folder: Path
    counts: tuple[SheetCount, ...]
    issues: tuple[Issue, ...]
    items: int
    relations: int
    result: VersionResult

    def file_counts(self) -> dict[str, tuple[int, int, int]]:
        """File → (rows read, imported, reported), over all its sheets."""
        totals: dict[str, tuple[int, int, int]] = {}
        for c in self.counts:
            read, imported, reported = totals.get(c.file, (0, 0, 0))
            totals[c.file] = (read + c.read, imported + c.imported, reported + c.reported)
        return totals


def import_nhsa(con: duckdb.DuckDBPyConnection, folder: Path, *, note: str = "") -> NhsaImportReport:
    """Import every workbook of `folder` as one new knowledge-base version (merged)."""
    paths = _workbooks(folder)
    results = [read_file(path) for path in paths]
    patches = [p for r in results for p in r.patches]
    accepted, conflicts = resolve_patches(patches)
    counts = [c for r in results for c in r.counts]
    issues = [i for r in results for i in r.issues] + _demote(counts, conflicts)
    relations = sorted({(r.item_a, r.item_b, r.relation) for res in results for r in res.relations})
    items = _item_rows(con, accepted)
    content: dict[str, list[TextRow]] = {
        "ref_items": items,
        "ref_item_relations": [list(r) for r in relations],
    }
    result = write_version(
        con, content, merge=True, source=str(folder), note=note or "国家两库导入 / NHSA rule library"
    )
    return NhsaImportReport(folder, tuple(counts), tuple(issues), len(items), len(relations), result)


def _workbooks(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise KnowledgeBaseError(f"目录不存在 / not a folder: {folder}")
    # `~$` files are spreadsheet lock files, not workbooks.
    paths = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    if not paths:
        raise KnowledgeBaseError(f"目录中没有 .xlsx 规则库文件 / no .xlsx rule files in {folder}")
    return paths


def read_file(path: Path) -> FamilyResult:
    """The family result of one workbook; an unrecognised workbook has every row reported."""
    for keywords, reader in FAMILIES:
        if all(k in path.name for k in keywords):
            return reader(path)
    result = FamilyResult()
    for sheet in read_workbook(path):
        report_sheet(
            result, path.name, sheet, "无法从文件名识别规则类型 / rule type not recognised from file name"
        )
    return result


def resolve_patches(patches: list[ItemPatch]) -> tuple[dict[str, ItemPatch], list[Issue]]:
    """Merge patches per code in file and row order; a patch that contradicts an earlier one is reported."""
    merged: dict[str, ItemPatch] = {}
    setters: dict[tuple[str, str], tuple[str, SourceRow]] = {}
    conflicts: list[Issue] = []
    for patch in patches:
        clash = _clash(patch, setters)
        if clash:
            col, (value, where) = clash
            reason = f"{patch.item_code} 的 {col} 与 {where} 的 {value} 矛盾 / contradicts an earlier row"
            conflicts.append(Issue(patch.source, reason))
            continue
        for col, value in patch.values:
            setters.setdefault((patch.item_code, col), (value, patch.source))
        merged[patch.item_code] = _combine(merged.get(patch.item_code), patch)
    return merged, conflicts


def _clash(
    patch: ItemPatch, setters: dict[tuple[str, str], tuple[str, SourceRow]]
) -> tuple[str, tuple[str, SourceRow]] | None:
    """The first column this patch sets to a value other than the one already set, if any."""
    for col, value in patch.values:
        earlier = setters.get((patch.item_code, col))
        if earlier is not None and earlier[0] != value:
            return col, earlier
    return None


def _combine(earlier: ItemPatch | None, patch: ItemPatch) -> ItemPatch:
    if earlier is None:
        return patch
    values = dict(earlier.values) | dict(patch.values)
    # The first sheet that names an item gives its name and kind.
    return ItemPatch(
        earlier.item_code,
        earlier.name,
        earlier.kind,
        earlier.item_type,
        tuple(sorted(values.items())),
        earlier.source,
    )


def _demote(counts: list[SheetCount], conflicts: list[Issue]) -> list[Issue]:
    """Move conflicting rows from imported to reported in their sheet's counts."""
    for issue in conflicts:
        counter = next(c for c in counts if (c.file, c.sheet) == (issue.source.file, issue.source.sheet))
        counter.imported -= 1
        counter.reported += 1
    return conflicts


def _item_rows(con: duckdb.DuckDBPyConnection, patches: dict[str, ItemPatch]) -> list[TextRow]:
    """Full `ref_items` rows: the current row of a known item (or a new one) with the patch applied."""
    names = REF_ITEMS.column_names
    existing = {
        row[0]: dict(zip(names, (as_text(v) for v in row), strict=True))
        for row in con.execute(
            f"SELECT {', '.join(names)} FROM ref_items WHERE list_contains(?, item_code)", [sorted(patches)]
        ).fetchall()
    }
    rows: list[TextRow] = []
    for code in sorted(patches):
        patch = patches[code]
        row = existing.get(code) or _new_item(patch)
        row.update(dict(patch.values))
        rows.append(_checked([row.get(n) for n in names], patch.source))
    return rows


def _new_item(patch: ItemPatch) -> dict[str, str | None]:
    return {
        "item_code": patch.item_code,
        "name": patch.name,
        "kind": patch.kind,
        "item_type": patch.item_type,
    }


def _checked(row: list[str | None], source: SourceRow) -> list[str | None]:
    # The families only produce valid values; this keeps a future mistake out of the store.
    for value, column in zip(row, REF_ITEMS.columns, strict=True):
        _, reason = normalise_cell(REF_ITEMS, column, value)
        if reason:
            raise KnowledgeBaseError(f"{source} {column.name}: {reason}")
    return row


def write_issues_csv(path: Path, issues: tuple[Issue, ...] | list[Issue]) -> None:
    """The full list of reported rows, as CSV (UTF-8 with BOM so spreadsheet programs read it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "sheet", "row", "reason"])
        for issue in issues:
            writer.writerow([issue.source.file, issue.source.sheet, issue.source.row, issue.reason])
