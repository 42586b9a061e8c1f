"""The public data contract as data: tables, columns, types, keys and national aliases.

This module is the single source of truth for `docs/data-contract.md`, for the
loader's validation and for the store's DDL. Change the contract here, bump
`CONTRACT_VERSION`, and document the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CONTRACT_VERSION = "1"


class ColType(StrEnum):
    """Logical column types; each maps to one DuckDB type."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # money and quantities: exact, never floating point
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOL = "bool"

    @property
    def sql(self) -> str:
        return _SQL_TYPES[self]


_SQL_TYPES = {
    ColType.TEXT: "VARCHAR",
    ColType.INT: "INTEGER",
    ColType.DECIMAL: "DECIMAL(18,4)",
    ColType.DATE: "DATE",
    ColType.TIMESTAMP: "TIMESTAMP",
    ColType.BOOL: "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: ColType
    required: bool = False
    doc: str = ""
    aliases: tuple[str, ...] = ()
    # Allowed values (after normalisation); empty = any.
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One table of the contract (一张上传表)."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Child tables of an encounter travel with it and are replaced with it.
    encounter_child: bool = False
    extra_aliases: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name}.{name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def alias_map(self) -> dict[str, str]:
        """Lower-cased accepted header → contract column name (the name itself included)."""
        mapping = {c.name.lower(): c.name for c in self.columns}
        for col in self.columns:
            for alias in col.aliases:
                mapping.setdefault(alias.lower(), col.name)
        return mapping


T, I, D, DT, TS, B = (
    ColType.TEXT,
    ColType.INT,
    ColType.DECIMAL,
    ColType.DATE,
    ColType.TIMESTAMP,
    ColType.BOOL,
)

INSTITUTION_CATEGORIES = (
    "综合医院",
    "中医医院",
    "中西医结合医院",
    "专科医院",
    "妇幼保健院",
    "乡镇卫生院",
    "社区卫生服务中心",
    "村卫生室",
    "门诊部",
    "诊所",
    "其他",
)
ITEM_TYPES = (
    "drug_western",
    "drug_chinese_patent",
    "herbal_pieces",
    "exam",
    "lab",
    "treatment",
    "surgery",
    "material",
    "bed",
    "nursing",
    "other",
)
ENCOUNTER_TYPES = ("outpatient", "emergency", "inpatient", "chronic_outpatient")
ROUTES = ("口服", "静脉滴注", "静脉注射", "肌内注射", "皮下注射", "外用", "吸入", "其他")
DRUG_ITEM_TYPES = ("drug_western", "drug_chinese_patent", "herbal_pieces")

INSTITUTIONS = Table(
    "institutions",
    "医疗机构",
    (
        Column("institution_id", T, True, "机构编码 (医保定点编码或登记号)", ("fixmedins_code",)),
        Column("name", T, True, "机构名称", ("fixmedins_name",)),
        Column("region_code", T, True, "所在县(区)6位行政区划代码", ("admdvs", "fix_blng_admdvs")),
        Column("level", I, True, "机构级别 3/2/1/0(未定级)", ("hosp_lv",), ("0", "1", "2", "3")),
        Column("grade", T, False, "等次 甲/乙/丙", (), ("甲", "乙", "丙")),
        Column("category", T, True, "机构类别", (), INSTITUTION_CATEGORIES),
        Column("ownership", T, False, "公立/民营", (), ("公立", "民营")),
        Column("insurance_designated", B, False, "是否医保定点"),
        Column("beds_approved", I, False, "核定床位"),
        Column("beds_open", I, False, "开放床位"),
        Column("connected_on", DT, False, "接入平台日期 (空=未接入)"),
    ),
    key=("institution_id",),
)

STAFF = Table(
    "staff",
    "医务人员",
    (
        Column("staff_id", T, True, "执业证书编码或稳定化名", ("psn_id", "dr_code", "prac_psn_code")),
        Column("institution_id", T, True, "所在机构", ("fixmedins_code",)),
        Column(
            "role",
            T,
            True,
            "doctor/nurse/pharmacist/technician/other",
            (),
            ("doctor", "nurse", "pharmacist", "technician", "other"),
        ),
        Column("name", T, False, "姓名", ("psn_name", "dr_name")),
        Column("sex", T, False, "性别 1/2/9", ("gend",)),
        Column("department", T, False, "科室", ("dept_name",)),
        Column("title", T, False, "职称"),
        Column(
            "antibiotic_privilege",
            T,
            False,
            "抗菌药物处方权级别",
            (),
            ("非限制使用级", "限制使用级", "特殊使用级"),
        ),
        Column("surgery_privilege", I, False, "手术权限级别 1-4", (), ("1", "2", "3", "4")),
    ),
    key=("institution_id", "staff_id"),
)

PATIENTS = Table(
    "patients",
    "患者/参保人",
    (
        Column("patient_id", T, True, "患者化名标识 (身份证号会被掩码)", ("psn_no",)),
        Column("sex", T, True, "性别 1男 2女 9未知 (GB/T 2261.1)", ("gend",), ("1", "2", "9")),
        Column("birth_date", DT, True, "出生日期", ("brdy",)),
        Column("insurance_type", T, False, "职工/居民/自费/其他", ("insutype",)),
        Column("poverty_registered", B, False, "建档立卡/特困/五保"),
        Column("address_code", T, False, "村/社区代码"),
        Column("death_date", DT, False, "死亡日期", ("die_date",)),
        # Never stored: replaced by a salted hash (`id_card_hash`) on load.
        Column("id_card_no", T, False, "身份证号 (仅用于掩码，不落库)", ("certno", "psn_cert_no")),
    ),
    key=("patient_id",),
)

ENCOUNTERS = Table(
    "encounters",
    "就诊 (门诊/急诊/住院/门特门慢)",
    (
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        Column("institution_id", T, True, "机构编码", ("fixmedins_code",)),
        Column("patient_id", T, True, "患者标识", ("psn_no",)),
        Column(
            "encounter_type",
            T,
            True,
            "outpatient/emergency/inpatient/chronic_outpatient",
            (),
            ENCOUNTER_TYPES,
        ),
        Column("department", T, True, "科室", ("dscg_dept_name", "adm_dept_name", "dept_name")),
        Column("attending_doctor_id", T, True, "主治/接诊医师", ("chfpdr_code", "atddr_no")),
        Column("admit_time", TS, True, "就诊/入院时间", ("adm_time", "begntime", "begndate")),
        Column("discharge_time", TS, False, "出院时间", ("dscg_time", "endtime", "enddate")),
        # Required as a column; an empty value is loaded and left to R01/R05.
        Column("main_diagnosis", T, True, "主要诊断 ICD-10", ("dscg_maindiag_code", "main_diag_code")),
        Column("admission_route", T, False, "入院途径 门诊/急诊/转入", ("adm_way",)),
        Column(
            "discharge_disposition",
            T,
            False,
            "离院方式 1/2/3/4/5/9",
            ("dscg_way",),
            ("1", "2", "3", "4", "5", "9"),
        ),
        Column("readmission_planned", B, False, "出院31天内再住院计划", ("dscg31days_rinp_flag",)),
        Column("drg_code", T, False, "CHS-DRG 分组", ("drg_codg",)),
        Column("appointment", B, False, "预约挂号"),
        Column("clinical_pathway", B, False, "入临床路径"),
        Column("total_amount", D, True, "医疗总费用(元)", ("medfee_sumamt",)),
        Column("insurance_paid", D, False, "统筹支付", ("fund_pay_sumamt", "hifp_pay")),
        Column("self_paid", D, False, "个人支付", ("psn_pay",)),
        Column("settled_at", TS, False, "结算时间", ("setl_time",)),
    ),
    key=("encounter_id",),
)

DIAGNOSES = Table(
    "diagnoses",
    "诊断",
    (
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        Column("seq", I, True, "序号 (1=主要诊断)", ("setl_list_sn", "diag_srt_no")),
        Column("icd10_code", T, True, "诊断编码 ICD-10", ("diag_code",)),
        Column("kind", T, False, "main/other", (), ("main", "other")),
        Column("present_on_admission", T, False, "入院病情", ("adm_cond_type",)),
    ),
    key=("encounter_id", "seq"),
    encounter_child=True,
)

PROCEDURES = Table(
    "procedures",
    "手术操作",
    (
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        Column("seq", I, True, "序号", ("setl_list_sn", "oprn_srt_no")),
        Column("icd9cm3_code", T, True, "手术操作编码 ICD-9-CM-3", ("oprn_oprt_code",)),
        Column("performed_at", TS, True, "手术操作时间", ("oprn_oprt_date", "oprn_oprt_begntime")),
        Column("operator_id", T, False, "术者", ("oper_dr_code",)),
        Column("surgery_level", I, False, "手术级别 1-4", ("oprn_lv",), ("1", "2", "3", "4")),
        Column("incision_class", T, False, "切口类别 0/I/II/III", (), ("0", "I", "II", "III")),
        Column("healing", T, False, "愈合等级 甲/乙/丙", (), ("甲", "乙", "丙")),
        Column("complication", B, False, "并发症"),
        Column("site_infection", B, False, "手术部位感染"),
    ),
    key=("encounter_id", "seq"),
    encounter_child=True,
)

FEE_ITEMS = Table(
    "fee_items",
    "费用明细",
    (
        Column("line_id", T, True, "明细流水号 (机构内唯一)", ("bkkp_sn", "feedetl_sn")),
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        # Required unless local_code is given and mapped (对码).
        Column("item_code", T, True, "医保目录编码", ("hilist_code", "med_list_codg")),
        Column("local_code", T, False, "院内编码", ("hosplist_code", "medins_list_codg")),
        Column("item_name", T, False, "项目名称", ("hilist_name", "medins_list_name")),
        Column("item_type", T, True, "费用类别", ("med_chrgitm_type",), ITEM_TYPES),
        Column("charged_at", TS, True, "费用发生时间", ("fee_ocur_time",)),
        Column("quantity", D, True, "数量 (退费为负)", ("cnt",)),
        Column("unit_price", D, True, "单价", ("pric",)),
        Column("amount", D, True, "金额 = 数量×单价 (±0.01)", ("det_item_fee_sumamt",)),
        Column("ordering_doctor_id", T, False, "开单医师", ("bilg_dr_code", "bilg_dr_codg")),
        Column("department", T, False, "开单科室", ("bilg_dept_name",)),
        Column("insurance_class", T, False, "甲/乙/丙", ("chrgitm_lv",)),
    ),
    key=("line_id",),  # unique within the institution; the store keys it by (institution_id, line_id)
    encounter_child=True,
)

ORDERS = Table(
    "orders",
    "医嘱/处方 (药品)",
    (
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        Column("order_id", T, True, "医嘱号", ("rx_drord_no", "drord_no")),
        Column("drug_code", T, True, "药品编码", ("hilist_code",)),
        Column("dose", D, True, "单次剂量", ("sin_dos",)),
        Column("dose_unit", T, True, "剂量单位", ("sin_dos_unt",)),
        Column("route", T, True, "给药途径", ("medc_way_dscr",), ROUTES),
        Column("times_per_day", D, True, "每日次数", ("used_frqu",)),
        Column("start_at", TS, True, "开始时间", ("drord_begn_time",)),
        Column("end_at", TS, False, "停止时间", ("drord_stop_time",)),
        Column("days_supply", I, False, "用药天数 (门诊)", ("prd_days",)),
        Column("doctor_id", T, True, "开嘱医师", ("drord_dr_code",)),
        Column("prescription_id", T, False, "处方号", ("rxno",)),
    ),
    key=("encounter_id", "order_id"),
    encounter_child=True,
)

EXAM_REPORTS = Table(
    "exam_reports",
    "检查报告",
    (
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        Column("report_id", T, True, "报告单号", ("rpotc_no",)),
        Column("item_code", T, True, "检查项目编码", ("hilist_code",)),
        Column("performed_at", TS, True, "检查时间", ("exam_date",)),
        Column("positive", B, False, "阳性"),
        Column("doctor_id", T, False, "报告医师"),
    ),
    key=("encounter_id", "report_id"),
    encounter_child=True,
)

CONSENTS = Table(
    "consents",
    "知情同意书",
    (
        Column("encounter_id", T, True, "就诊ID", ("mdtrt_id",)),
        Column("item_code", T, True, "项目编码", ("hilist_code",)),
        Column("signed_at", TS, True, "签署时间"),
    ),
    key=("encounter_id", "item_code", "signed_at"),
    encounter_child=True,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        INSTITUTIONS,
        STAFF,
        PATIENTS,
        ENCOUNTERS,
        DIAGNOSES,
        PROCEDURES,
        FEE_ITEMS,
        ORDERS,
        EXAM_REPORTS,
        CONSENTS,
    )
}
# Load order: parents before children, so references resolve inside one transaction.
LOAD_ORDER = tuple(TABLES)
MASTER_TABLES = ("institutions", "staff", "patients")  # upserted by key, the latest batch wins
ENCOUNTER_CHILD_TABLES = tuple(t.name for t in TABLES.values() if t.encounter_child)


# ---------------------------------------------------------------- reference data (知识库)

REF_ITEMS = Table(
    "ref_items",
    "医保目录/收费项目知识库",
    (
        Column("item_code", T, True, "国家编码"),
        Column("name", T, True, "名称"),
        Column("kind", T, True, "drug/service/material", (), ("drug", "service", "material")),
        Column("item_type", T, False, "费用类别", (), ITEM_TYPES),
        Column("unit", T, False, "单位"),
        Column("price_cap_l3", D, False, "三级机构限价"),
        Column("price_cap_l2", D, False, "二级机构限价"),
        Column("price_cap_l1", D, False, "一级及未定级机构限价"),
        Column("sex_limit", T, False, "限定性别 1/2", (), ("1", "2")),
        Column("age_min", I, False, "最小年龄(含)"),
        Column("age_max", I, False, "最大年龄(含)"),
        Column("max_per_day", D, False, "每日最多次数"),
        Column("per_day_billing", B, False, "按住院日计费 (床位、护理...)"),
        Column("indication_icd", T, False, "限定适应症 ICD-10 前缀 (| 分隔)"),
        Column("min_level", I, False, "限定最低机构级别"),
        Column("key_monitored", B, False, "重点监控药品"),
        Column("high_value", B, False, "高值耗材"),
        Column(
            "antibiotic_grade", T, False, "抗菌药物分级", (), ("非限制使用级", "限制使用级", "特殊使用级")
        ),
        Column("ddd", D, False, "限定日剂量 (医嘱剂量单位)"),
        Column("ingredient", T, False, "有效成分"),
        Column("max_daily_dose", D, False, "每日最大剂量 (医嘱剂量单位)"),
        Column("routes", T, False, "允许给药途径 (| 分隔)"),
        Column("mutual_recognition", B, False, "检查结果互认项目"),
        Column("requires_consent", B, False, "需知情同意"),
        Column("repeat_window_days", I, False, "重复检查窗口(天)"),
        Column("max_days", I, False, "单次就诊最多支付天数"),
        Column("max_per_encounter", D, False, "单次就诊最大数量"),
        Column("setting", T, False, "限定就医方式 inpatient/outpatient", (), ("inpatient", "outpatient")),
        Column("freq_limit", D, False, "限定频次"),
        Column("freq_window", T, False, "频次周期 day/week/month/year", (), ("day", "week", "month", "year")),
        Column("tags", T, False, "标签 (| 分隔): dialysis, ct, mri, dr, cr, tcm_nondrug ..."),
    ),
    key=("item_code",),
)

REF_ITEM_RELATIONS = Table(
    "ref_item_relations",
    "项目关系 (包含/互斥/配伍禁忌/依赖)",
    (
        Column("item_a", T, True, "项目A"),
        Column("item_b", T, True, "项目B (requires: ICD-9-CM-3 前缀)"),
        Column(
            "relation",
            T,
            True,
            "includes/excludes/incompatible/requires",
            (),
            ("includes", "excludes", "incompatible", "requires"),
        ),
    ),
    key=("item_a", "item_b", "relation"),
)

REF_DRG = Table(
    "ref_drg",
    "DRG 分组参考",
    (
        Column("drg_code", T, True, "DRG 编码"),
        Column("name", T, False, "名称"),
        Column("weight", D, True, "权重 RW"),
        Column("avg_los", D, True, "平均住院日"),
        Column("avg_cost", D, True, "平均费用"),
        Column(
            "risk_group", T, True, "low/mid_low/mid_high/high", (), ("low", "mid_low", "mid_high", "high")
        ),
        Column("los_lower", D, False, "住院日下限"),
        Column("los_upper", D, False, "住院日上限"),
        Column("cost_lower", D, False, "费用下限"),
        Column("cost_upper", D, False, "费用上限"),
    ),
    key=("drg_code",),
)

REF_MINOR_DIAGNOSES = Table(
    "ref_minor_diagnoses",
    "门诊可治疗的轻症诊断 (小病大治筛查)",
    (
        Column("icd10_prefix", T, True, "ICD-10 前缀"),
        Column("name", T, False, "名称"),
    ),
    key=("icd10_prefix",),
)

REF_TCM_ADVANTAGE_DISEASES = Table(
    "ref_tcm_advantage_diseases",
    "中医优势病种 (中医优势病种比例指标；地区名单，示例知识库所附为示例)",
    (
        Column("icd10_prefix", T, True, "主要诊断 ICD-10 前缀"),
        Column("name", T, True, "病种名称"),
    ),
    key=("icd10_prefix",),
)

REF_ICD10 = Table(
    "ref_icd10",
    "ICD-10 诊断目录 (可选：加载后 R01 校验是否在目录中)",
    (
        Column("icd10_code", T, True, "诊断编码"),
        Column("name", T, False, "名称"),
    ),
    key=("icd10_code",),
)

REF_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REF_ITEMS,
        REF_ITEM_RELATIONS,
        REF_DRG,
        REF_MINOR_DIAGNOSES,
        REF_TCM_ADVANTAGE_DISEASES,
        REF_ICD10,
    )
}
# List-valued reference columns are `|`-separated in files.
LIST_COLUMNS = {("ref_items", "indication_icd"), ("ref_items", "routes"), ("ref_items", "tags")}

BOOL_TRUE = ("1", "true", "t", "yes", "y", "是")
BOOL_FALSE = ("0", "false", "f", "no", "n", "否")
