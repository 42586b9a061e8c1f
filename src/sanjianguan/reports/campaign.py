"""专项治理总结 (.docx): one campaign's phases, targets, found against self-reported, and its tally.

Sections follow the seeds' campaign reports (seed 002: 组织部署 → 自查自纠 → 督导检查 →
巩固提升, "自查从宽、被查从严"; seed 004: 查实违规金额, 罚款, 追回资金, 主动退回):
一、基本情况 (phases with dates, target rules, participants); 二、平台发现 (per target rule:
clues of the campaign's months, decided unreasonable, amount involved); 三、自查与检查
(per institution: found by the platform against the ledger's 查实违规金额, self-reported
and found); 四、治理成效 (the tally by source and in total). Every number is from
`reports.data.campaign.CampaignFigures`; amounts in yuan with two decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sanjianguan.access.regions import office_name
from sanjianguan.campaigns.service import KINDS, SOURCES
from sanjianguan.reports.data.campaign import CampaignFigures
from sanjianguan.reports.document_file import DOCX, DocumentFile
from sanjianguan.reports.official.document import OfficialDocument

OFFERED = (DOCX,)
PHASE_HEADERS = ("阶段", "开始日期", "结束日期")
RULE_HEADERS = ("目标规则", "线索数", "认定不合理", "涉及金额（元）")
INSTITUTION_HEADERS = (
    "医疗机构",
    "目标规则线索数",
    "认定不合理",
    "自查发现违规金额（元）",
    "检查发现违规金额（元）",
    "罚款（元）",
    "追回资金（元）",
    "主动退回（元）",
)
TALLY_HEADERS = ("来源", *(f"{label}（元）" for label in KINDS.values()))


STATUS_ZH = {"open": "进行中", "closed": "已结束"}


def yuan(amount: Decimal) -> str:
    """An amount as the tables print it: 12,345.67."""
    return f"{amount:,.2f}"


def _basics(doc: OfficialDocument, f: CampaignFigures) -> None:
    doc.heading("基本情况")
    status = STATUS_ZH.get(f.status, f.status)
    doc.paragraph(
        f"本专项治理由 {f.region_code} 部署，覆盖 {f.period_from} 至 {f.period_to} 结算月，"
        f"目标规则 {len(f.rule_ids)} 条（{'、'.join(f.rule_ids)}），参与医疗机构 {len(f.institutions)} 家，"
        f"当前状态：{status}。"
    )
    if f.description:
        doc.paragraph(f.description)
    doc.caption("表1 工作阶段")
    rows = [(p.label, p.starts_on.isoformat(), p.ends_on.isoformat()) for p in f.phases]
    doc.table(PHASE_HEADERS, rows, widths_cm=(5, 5, 5))


def _found(doc: OfficialDocument, f: CampaignFigures) -> None:
    doc.heading("平台发现情况")
    clues, unreasonable = sum(r.clues for r in f.rules), sum(r.unreasonable for r in f.rules)
    doc.paragraph(
        f"专项治理期间，平台按目标规则在参与机构中发现线索 {clues} 条，"
        f"经核查裁定认定不合理 {unreasonable} 条。"
    )
    doc.caption("表2 目标规则发现情况")
    rows = [(r.rule_id, r.clues, r.unreasonable, yuan(r.amount_involved)) for r in f.rules]
    rows.append(("合计", clues, unreasonable, yuan(sum((r.amount_involved for r in f.rules), Decimal(0)))))
    doc.table(RULE_HEADERS, rows, numeric=(False, True, True, True), widths_cm=(5, 3, 3, 4.5))


def _institutions(doc: OfficialDocument, f: CampaignFigures) -> None:
    doc.heading("机构自查与检查发现对比")
    self_reported = f.by_source["self_reported"]["confirmed"]
    found = f.by_source["found"]["confirmed"]
    doc.paragraph(
        f"按“自查从宽、被查从严”原则，各机构自查发现违规金额合计 {yuan(self_reported)} 元，"
        f"检查发现违规金额合计 {yuan(found)} 元。"
    )
    doc.caption("表3 参与机构自查与检查发现情况")
    rows: list[tuple[object, ...]] = [
        (
            i.name,
            i.clues,
            i.unreasonable,
            yuan(i.self_reported),
            yuan(i.found),
            *(yuan(i.amounts[k]) for k in ("fine", "recovered", "refund")),
        )
        for i in f.institutions
    ]
    rows.append(
        (
            "合计",
            sum(i.clues for i in f.institutions),
            sum(i.unreasonable for i in f.institutions),
            yuan(self_reported),
            yuan(found),
            *(yuan(f.total[k]) for k in ("fine", "recovered", "refund")),
        )
    )
    doc.table(INSTITUTION_HEADERS, rows, numeric=(False, *([True] * 7)), widths_cm=(3.4, *([1.75] * 7)))


def _tally(doc: OfficialDocument, f: CampaignFigures) -> None:
    doc.heading("治理成效")
    doc.paragraph(
        f"治理台账有效记录 {f.records} 条（已作废的不计）。查实违规金额 {yuan(f.total['confirmed'])} 元，"
        f"罚款 {yuan(f.total['fine'])} 元，追回资金 {yuan(f.total['recovered'])} 元，"
        f"主动退回 {yuan(f.total['refund'])} 元。"
    )
    doc.caption("表4 治理成效统计")
    rows = [(label, *(yuan(f.by_source[s][k]) for k in KINDS)) for s, label in SOURCES.items()]
    rows.append(("合计", *(yuan(f.total[k]) for k in KINDS)))
    doc.table(TALLY_HEADERS, rows, numeric=(False, True, True, True, True), widths_cm=(4, 3, 3, 3, 3))


def campaign_document(figures: CampaignFigures, *, day: date) -> DocumentFile:
    """The summary as .docx, signed by the office of the campaign's region on `day`."""
    doc = OfficialDocument()
    doc.title(f"{figures.title}工作总结")
    _basics(doc, figures)
    _found(doc, figures)
    _institutions(doc, figures)
    _tally(doc, figures)
    doc.signature(office_name(figures.region_name), day)
    name = f"专项治理总结 {figures.campaign_id} {figures.title}.docx"
    return DocumentFile(doc.to_bytes(), name, DOCX)
