"""Validation of one staged table against the contract (校验), set-based in DuckDB SQL.

Headers are matched first (trimmed, case-insensitive, national aliases); a file that
cannot be matched rejects the whole batch. Rows are then checked in one pass that
types every value and computes one problem code per row (`_err` = `field|kind|detail`,
NULL when the row is fine), in this order: field checks in column order (empty
required value, wrong type, amount), then institution and reference checks, then any
checks the caller adds (the loader adds "key already in the store": the store's keys
and their SQL live in `analytic_store.keys`). Findings about behaviour (codes, dates
out of the stay, prices, choices) are not problems here: those rows load as they are
and the rules judge them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sanjianguan.contract.files import sql_literal
from sanjianguan.contract.schema import BOOL_FALSE, BOOL_TRUE, ColType, Column, Table
from sanjianguan.errors import ContractError

SqlMask = Callable[[str], str]  # SQL expression → SQL expression

# Required columns whose empty values are loaded anyway (the rules flag them: R01/R05).
EMPTY_ALLOWED = {("encounters", "main_diagnosis")}
ENCOUNTER_TYPE_SYNONYMS = {
    "门诊": "outpatient",
    "急诊": "emergency",
    "住院": "inpatient",
    "门特": "chronic_outpatient",
    "门慢": "chronic_outpatient",
    "门诊慢特病": "chronic_outpatient",
}
SEX_SYNONYMS = {"男": "1", "女": "2", "未知": "9"}
MASKED_COLUMNS = {("patients", "patient_id"), ("encounters", "patient_id")}
ID_CARD_COLUMN = ("patients", "id_card_no")
INSTITUTION_TABLES = ("institutions", "staff", "encounters")
# Codes and identifiers (编码、标识): text columns whose true value Excel loses when it shows a
# long number in scientific notation ("1.102E+12"). Such a value is quarantined (`sci_notation`).
CODE_SUFFIXES = ("_id", "_code")
CODE_COLUMNS = {("encounters", "main_diagnosis")}
# As Excel shows a large number: one digit, optional decimals, E+ and the exponent.
SCI_NOTATION_PATTERN = "[0-9](\\.[0-9]+)?[eE]\\+[0-9]+"

_INT_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}
_TIMESTAMP_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}

TYPE_NAMES = {
    ColType.INT: ("整数", "integer"),
    ColType.DECIMAL: ("数值", "number"),
    ColType.DATE: ("日期(YYYY-MM-DD)", "date (YYYY-MM-DD)"),
    ColType.TIMESTAMP: ("时间(YYYY-MM-DD HH:MM[:SS])", "timestamp (YYYY-MM-DD HH:MM[:SS])"),
    ColType.BOOL: ("布尔值(1/0、true/false、是/否)", "boolean (1/0, true/false, 是/否)"),
}
# Quarantine reasons by problem kind; {detail} and {tolerance}/{institution} are filled in.
REASONS = {
    "empty": "必填值为空 / required value is empty",
    "no_code": "医保编码与院内编码均为空 / neither item_code nor local_code is given",
    "amount": "金额与数量×单价相差超过 {tolerance} / amount differs from quantity × unit_price "
    "by more than {tolerance}",
    "no_encounter": "就诊不在本批次也不在库中 / encounter is neither in this batch nor in the store",
    "encounter_elsewhere": "就诊属于其他机构 / encounter belongs to an institution other than {institution}",
    "no_jurisdiction": "机构不在本批次也不在库中(无所属辖区) / institution is neither in this batch nor "
    "in the store (no jurisdiction)",
    "other_institution": "不是本批次的机构 {institution} / not the batch's institution {institution}",
    "duplicate": "批次内主键重复，保留第 {detail} 行 / duplicate key in the batch, row {detail} kept",
    "sci_notation": "疑似被 Excel 转为科学计数法，原编码已丢失 / looks mangled by Excel into scientific "
    "notation, the true code is lost",
    "in_store": "主键已在库中(属于本批次不替换的数据) / key already in the store, from data this "
    "batch does not replace",
} | {f"type_{t.value}": f"不是有效的{zh} / not a valid {en}" for t, (zh, en) in TYPE_NAMES.items()}


@dataclass(frozen=True)
class HeaderMap:
    """表头映射: which file header feeds which contract column, and the unknown headers."""

    table: Table
    file: str
    headers: tuple[str, ...]  # the file's headers, in file order
    columns: dict[str, str]  # contract column → file header
    extras: tuple[str, ...]

    def target(self, header: str) -> str | None:
        """The contract column a header feeds (None: an unknown column)."""
        return next((c for c, h in self.columns.items() if h == header), None)


@dataclass(frozen=True)
class CheckParams:
    """What row checks need to know about the batch."""

    period: str
    institution_id: str | None
    amount_tolerance: Decimal
    mask_patient_id: SqlMask
    hash_id_card: SqlMask


def quote(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------------------- headers


def map_headers(table: Table, headers: Sequence[str], file: str) -> HeaderMap:
    """Match a file's headers to the table's columns; ContractError when that is impossible."""
    aliases = table.alias_map()
    columns: dict[str, str] = {}
    extras: list[str] = []
    for header in headers:
        target = aliases.get(header.strip().lower())
        if target is None:
            extras.append(header)
        elif target in columns:
            raise ContractError(
                f"两个表头对应同一列 / two headers map to one column: "
                f"{columns[target]!r} and {header!r} → {target}",
                file=file,
                column=target,
            )
        else:
            columns[target] = header
    _check_required(table, columns, file)
    return HeaderMap(table, file, tuple(headers), columns, tuple(extras))


def _check_required(table: Table, columns: dict[str, str], file: str) -> None:
    for name in table.required:
        mapped_later = (table.name, name) == ("fee_items", "item_code") and "local_code" in columns
        if name in columns or mapped_later:
            continue
        raise ContractError(f"缺少必填列 / missing required column {name}", file=file, column=name)


# ------------------------------------------------------------------------- row checks


def checked_select(
    hmap: HeaderMap,
    source_types: dict[str, str],
    source: str,
    params: CheckParams,
    *,
    extra_checks: Sequence[str] = (),
    verbatim: bool = False,
    own_month_encounters: bool = False,
) -> str:
    """One SELECT over staged `source`: `_row`, typed store columns and the problem code `_err`.

    `extra_checks` are `WHEN <predicate on v> THEN '<field>|<kind>'` clauses tried after
    the contract's own checks (the loader's "key already in the store").
    `verbatim=True` adds `_verbatim`: every text value of the row is stored exactly as
    read (no space trimmed, no '' made NULL), which keeping a file as it is requires.
    `own_month_encounters=True` looks a child row's encounter up among the batch's month
    only: a row of another month's encounter then reads as one without its encounter. A
    caller that needs every row of the month (a kept segment) loses nothing, and the lookup
    no longer grows with every month stored (the join's table was all of them).
    """
    table = hmap.table
    cols = [c for c in table.columns if (table.name, c.name) != ID_CARD_COLUMN]
    s_exprs = [_source_expr(c, hmap.columns.get(c.name), source_types) for c in table.columns]
    if verbatim:
        s_exprs.append(f"{_verbatim_expr(hmap, source_types)} AS _verbatim")
    v_exprs = [f"{_parse_expr(table, c, source_types, hmap, params)} AS v_{c.name}" for c in cols]
    outputs = [_output_expr(table, c) for c in cols] + _lineage_outputs(table, params)
    if verbatim:
        outputs.append("v._verbatim")
    whens = [*_field_checks(table, cols, params), *_row_checks(table, params), *extra_checks]
    return (
        f"WITH s AS (SELECT _row, {', '.join(s_exprs)} FROM {source}), "
        f"v AS (SELECT *, {', '.join(v_exprs)} FROM s) "
        f"SELECT v._row, {', '.join(outputs)}, CASE {' '.join(whens)} END AS _err "
        f"FROM v {_joins(table, params.period if own_month_encounters else None)}"
    )


def settlement_month_sql(hmap: HeaderMap, types: dict[str, str]) -> str:
    """SQL: the month (YYYY-MM) an encounter row belongs to (结算月份), NULL when no date parses.

    The contract's period is the settlement month (inpatients: discharge): `settled_at`,
    else `discharge_time`, else `admit_time` (an outpatient visit settles the same day).
    """
    parts = []
    for name in ("settled_at", "discharge_time", "admit_time"):
        header = hmap.columns.get(name)
        if header is None:
            continue
        col = hmap.table.column(name)
        if _is_native(col, types[header]):
            parts.append(f"TRY_CAST({quote(header)} AS TIMESTAMP)")
        else:
            parts.append(parse_text(col.type, f"NULLIF(trim(CAST({quote(header)} AS VARCHAR)), '')"))
    return f"strftime(COALESCE({', '.join(parts) or 'NULL::TIMESTAMP'}), '%Y-%m')"


def _verbatim_expr(hmap: HeaderMap, types: dict[str, str]) -> str:
    checks = [
        f"{quote(header)} IS NOT DISTINCT FROM s_{name}"
        for name, header in hmap.columns.items()
        if hmap.table.column(name).type is ColType.TEXT and types[header] == "VARCHAR"
    ]
    return f"({' AND '.join(checks) or 'true'})"


def _is_native(col: Column, source_type: str) -> bool:
    """Can the file's own column type be cast directly (no text parsing)?"""
    match col.type:
        case ColType.INT:
            return source_type in _INT_TYPES
        case ColType.DECIMAL:
            return source_type in _INT_TYPES or source_type.startswith("DECIMAL")
        case ColType.DATE:
            return source_type == "DATE"
        case ColType.TIMESTAMP:
            return source_type in _TIMESTAMP_TYPES
        case ColType.BOOL:
            return source_type == "BOOLEAN"
    return False


def _source_expr(col: Column, header: str | None, types: dict[str, str]) -> str:
    """`s_<col>`: the native value, or the trimmed text with '' as NULL."""
    if header is None:
        return f"NULL::VARCHAR AS s_{col.name}"
    value = quote(header)
    if _is_native(col, types[header]):
        return f"{value} AS s_{col.name}"
    text = value if types[header] == "VARCHAR" else f"CAST({value} AS VARCHAR)"
    return f"NULLIF(trim({text}), '') AS s_{col.name}"


def _native(hmap: HeaderMap, col: Column, types: dict[str, str]) -> bool:
    header = hmap.columns.get(col.name)
    return header is not None and _is_native(col, types[header])


def _parse_expr(table: Table, col: Column, types: dict[str, str], hmap: HeaderMap, p: CheckParams) -> str:
    s = f"s_{col.name}"
    if _native(hmap, col, types):
        return f"TRY_CAST({s} AS {col.type.sql})"
    if col.type is ColType.TEXT:
        return _normalise_text(table, col, s, p)
    return parse_text(col.type, s)


def parse_text(kind: ColType, s: str) -> str:
    """SQL that turns trimmed text `s` into `kind`, NULL when it is not a valid value."""
    match kind:
        case ColType.INT:
            return (
                f"CASE WHEN regexp_full_match({s}, '[+-]?[0-9]+(\\.0*)?') THEN TRY_CAST({s} AS INTEGER) END"
            )
        case ColType.DECIMAL:
            return f"TRY_CAST({s} AS DECIMAL(18,4))"
        case ColType.DATE:
            return (
                f"CASE WHEN regexp_full_match({s}, '[0-9]{{8}}') THEN try_strptime({s}, '%Y%m%d')::DATE "
                f"WHEN regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}( 00:00(:00)?)?') "
                f"THEN TRY_CAST({s} AS DATE) END"
            )
        case ColType.TIMESTAMP:
            return (
                f"COALESCE(TRY_CAST({s} AS TIMESTAMP), CASE length({s}) "
                f"WHEN 14 THEN try_strptime({s}, '%Y%m%d%H%M%S') WHEN 8 THEN try_strptime({s}, '%Y%m%d') END)"
            )
        case ColType.BOOL:
            return (
                f"CASE WHEN lower({s}) IN ({_sql_list(BOOL_TRUE)}) THEN true "
                f"WHEN lower({s}) IN ({_sql_list(BOOL_FALSE)}) THEN false END"
            )
    return s


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(sql_literal(v) for v in values)


def _case_map(s: str, mapping: dict[str, str], *, lower: bool = False) -> str:
    subject = f"lower({s})" if lower else s
    whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in mapping.items())
    return f"CASE {subject} {whens} ELSE {s} END"


def _normalise_text(table: Table, col: Column, s: str, p: CheckParams) -> str:
    """Cheap, unambiguous normalisation: Chinese synonyms of codes; ID-like patient ids masked."""
    if (table.name, col.name) in MASKED_COLUMNS:
        return p.mask_patient_id(s)
    if (table.name, col.name) == ("encounters", "encounter_type"):
        return _case_map(s, ENCOUNTER_TYPE_SYNONYMS | {c: c for c in col.choices}, lower=True)
    if col.name == "sex":
        return _case_map(s, SEX_SYNONYMS)
    return s


def _output_expr(table: Table, col: Column) -> str:
    if (table.name, col.name) == ("fee_items", "item_code"):
        return "COALESCE(v_item_code, m.item_code) AS item_code"
    return f"v_{col.name} AS {col.name}"


def _lineage_outputs(table: Table, p: CheckParams) -> list[str]:
    """Store-only columns: period, the encounter's institution, code source, ID-card hash."""
    if table.name == "patients":
        return [f"{p.hash_id_card('s_id_card_no')} AS id_card_hash"]
    if table.name == "encounters":
        return [f"{sql_literal(p.period)} AS period"]
    if not table.encounter_child:
        return []
    outputs = ["e.institution_id AS institution_id", "e.period AS period"]
    if table.name == "fee_items":
        outputs.append(
            "CASE WHEN v_item_code IS NOT NULL THEN 'reported' "
            "WHEN m.item_code IS NOT NULL THEN 'mapped' END AS item_code_source"
        )
    return outputs


def _joins(table: Table, period: str | None = None) -> str:
    if not table.encounter_child:
        return ""
    encounters = "encounters"
    if period is not None:
        encounters = f"(SELECT * FROM encounters WHERE period = {sql_literal(period)})"
    joins = f"LEFT JOIN {encounters} e ON e.encounter_id = v.v_encounter_id"
    if table.name == "fee_items":
        joins += (
            " LEFT JOIN code_map m ON m.institution_id = e.institution_id AND m.local_code = v.v_local_code"
        )
    return joins


def _field_checks(table: Table, cols: Sequence[Column], p: CheckParams) -> list[str]:
    whens: list[str] = []
    for col in cols:
        s, v = f"s_{col.name}", f"v_{col.name}"
        if (table.name, col.name) == ("fee_items", "item_code"):
            whens.append(f"WHEN {s} IS NULL AND s_local_code IS NULL THEN 'item_code|no_code'")
        elif col.required and (table.name, col.name) not in EMPTY_ALLOWED:
            whens.append(f"WHEN {s} IS NULL THEN '{col.name}|empty'")
        if col.type is not ColType.TEXT:
            whens.append(f"WHEN {s} IS NOT NULL AND {v} IS NULL THEN '{col.name}|type_{col.type.value}'")
        elif is_code(table, col):
            pattern = sql_literal(SCI_NOTATION_PATTERN)
            whens.append(f"WHEN regexp_full_match({s}, {pattern}) THEN '{col.name}|sci_notation'")
        if (table.name, col.name) == ("fee_items", "amount"):
            tolerance = f"CAST({sql_literal(str(p.amount_tolerance))} AS DECIMAL(18,4))"
            whens.append(f"WHEN abs(v_quantity * v_unit_price - v_amount) > {tolerance} THEN 'amount|amount'")
    return whens


def is_code(table: Table, col: Column) -> bool:
    """A code or identifier column (编码/标识), checked for values mangled into scientific notation."""
    return col.type is ColType.TEXT and (
        col.name.endswith(CODE_SUFFIXES) or (table.name, col.name) in CODE_COLUMNS
    )


def _row_checks(table: Table, p: CheckParams) -> list[str]:
    """Institution and reference checks, after the field checks."""
    whens: list[str] = []
    inst = sql_literal(p.institution_id) if p.institution_id is not None else None
    if table.name in INSTITUTION_TABLES and inst is not None:
        whens.append(f"WHEN v_institution_id <> {inst} THEN 'institution_id|other_institution'")
    if table.name == "encounters":
        whens.append(
            "WHEN NOT EXISTS (SELECT 1 FROM institutions i WHERE i.institution_id = v.v_institution_id) "
            "THEN 'institution_id|no_jurisdiction'"
        )
    if table.encounter_child:
        whens.append("WHEN e.encounter_id IS NULL THEN 'encounter_id|no_encounter'")
        if inst is not None:
            whens.append(f"WHEN e.institution_id <> {inst} THEN 'encounter_id|encounter_elsewhere'")
    return whens


# ------------------------------------------------------------------------- reasons, raw rows, extras


def reason(code: str, *, tolerance: Decimal = Decimal("0.01"), institution: str | None = None) -> str:
    """The bilingual reason for a problem code `field|kind[|detail]`."""
    _, kind, *detail = code.split("|")
    return REASONS[kind].format(
        detail=detail[0] if detail else "", tolerance=tolerance, institution=institution or ""
    )


def reason_sql(code: str, p: CheckParams) -> str:
    """SQL for the reason of problem-code expression `code` (see `reason`)."""
    whens = []
    for kind, text in REASONS.items():
        filled = text.replace("{tolerance}", str(p.amount_tolerance))
        filled = filled.replace("{institution}", p.institution_id or "")
        whens.append(f"WHEN {sql_literal(kind)} THEN {sql_literal(filled)}")
    template = f"CASE split_part({code}, '|', 2) {' '.join(whens)} END"
    return f"replace({template}, '{{detail}}', split_part({code}, '|', 3))"


def raw_json_sql(hmap: HeaderMap, p: CheckParams) -> str:
    """The row as read, as JSON keyed by the file's headers (ID-card numbers left out or masked)."""
    table = hmap.table.name
    pairs = []
    for header in hmap.headers:
        target = hmap.target(header)
        if (table, target) == ID_CARD_COLUMN:
            continue
        value = quote(header)
        if (table, target) in MASKED_COLUMNS or target is None:
            value = p.mask_patient_id(_text(header))
        pairs.append(f"{sql_literal(header)}, {value}")
    return f"json_object({', '.join(pairs)})"


def _text(header: str) -> str:
    return f"NULLIF(trim(CAST({quote(header)} AS VARCHAR)), '')"


def extras_select(hmap: HeaderMap, source: str, p: CheckParams) -> str:
    """`_row, column_name, value` of every non-empty cell of an unknown column (ID-like values masked)."""
    cols = ", ".join(f"{p.mask_patient_id(_text(h))} AS {quote(h)}" for h in hmap.extras)
    on = ", ".join(quote(h) for h in hmap.extras)
    return (
        f"SELECT _row, column_name, value FROM (UNPIVOT (SELECT _row, {cols} FROM {source}) "
        f"ON {on} INTO NAME column_name VALUE value)"
    )
