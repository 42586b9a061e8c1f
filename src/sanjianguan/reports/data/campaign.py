"""专项治理总结 figures: one campaign's phases, targets, self-reported against found, and its tally.

Everything comes from `campaigns.service` for the caller (a campaign it cannot see is 404,
as on the campaign page): the phases with their dates (seed 002: 组织部署, 自查自纠,
督导检查, 巩固提升), the target rules, and over the participating institutions the caller
sees:

- found by the platform: per target rule and institution, the clues of the campaign's
  months and how many were decided unreasonable (认定不合理) — the 机构自查表's figures
  (`campaigns.self_check.self_check_form`);
- the ledger (治理台账, records not voided): 查实违规金额 split by source — 自查发现（从宽）
  against 检查发现（从严）, seed 002's "自查从宽、被查从严" — and the seed 004 tally
  (查实违规金额, 罚款, 追回资金, 主动退回), in total and by source: `campaigns.tallies.tally`,
  the figures of the page and of `GET /api/v1/campaigns/{id}/tally`.

A campaign with neither clues nor ledger records has nothing to sum up: refused, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.campaigns import service
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import Institution, Region, User

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Phase:
    name: str  # deployment, self_check, ...
    label: str  # 组织部署, ...
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class RuleFound:
    """One target rule: the participants' clues of the campaign's months and those decided unreasonable."""

    rule_id: str
    clues: int
    unreasonable: int
    amount_involved: Decimal


@dataclass(frozen=True)
class InstitutionSummary:
    """One participating institution: found by the platform against the ledger's amounts."""

    institution_id: str
    name: str
    clues: int
    unreasonable: int
    self_reported: Decimal  # 查实违规金额 of source self_reported (自查发现)
    found: Decimal  # 查实违规金额 of source found (检查发现)
    amounts: dict[str, Decimal]  # per kind (campaigns.service.KINDS)


@dataclass(frozen=True)
class CampaignFigures:
    campaign_id: int
    title: str
    region_code: str
    region_name: str
    description: str
    status: str
    current_phase: str | None
    period_from: str  # YYYY-MM: the campaign's months (first phase start → last phase end)
    period_to: str
    phases: tuple[Phase, ...]
    rule_ids: tuple[str, ...]
    rules: tuple[RuleFound, ...]
    institutions: tuple[InstitutionSummary, ...]
    total: dict[str, Decimal]  # per kind, = tally.total
    by_source: dict[str, dict[str, Decimal]]  # per source, per kind, = tally.by_source
    records: int

    def figures(self) -> dict[str, object]:
        """The figures the CLI prints."""
        return {
            "专项治理 / campaign": f"{self.campaign_id} {self.title}",
            "参与机构 / institutions": len(self.institutions),
            "目标规则线索 / clues": sum(r.clues for r in self.rules),
            "认定不合理 / unreasonable": sum(r.unreasonable for r in self.rules),
            "台账记录 / records": self.records,
            **{f"{label} / {kind}": self.total[kind] for kind, label in service.KINDS.items()},
        }


def _names(session: Session, ids: list[str]) -> dict[str, str]:
    rows = session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids)))
    return {i: n or i for i, n in rows.all()}


def _region_name(session: Session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region is not None and region.name else code


def _ledger_by_source(session: Session, user: User, campaign_id: int) -> dict[str, dict[str, Decimal]]:
    """查实违规金额 per institution and source, over the records not voided (as the tally counts)."""
    split: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(service.SOURCES, ZERO))
    for row in service.list_records(session, user, campaign_id):
        if row.voided_at is None and row.kind == "confirmed":
            split[row.institution_id][row.source] += row.amount
    return split


def campaign_figures(session: Session, user: User, campaign_id: int, *, today: date) -> CampaignFigures:
    """The summary of campaign `campaign_id` as `user` sees it (404 outside the caller's scope)."""
    campaign = service.get(session, user, campaign_id)
    phases = tuple(
        Phase(p.phase, service.PHASES[p.phase], p.starts_on, p.ends_on)
        for p in service.phases(session, campaign.id)
    )
    visible = service.institutions(session, user, campaign.id)
    names = _names(session, visible)
    tally = service.tally(session, user, campaign.id)
    ledger = _ledger_by_source(session, user, campaign.id)
    per_rule: dict[str, list[int | Decimal]] = {r: [0, 0, ZERO] for r in campaign.rule_ids}
    summaries = []
    for inst in visible:
        sheet = service.self_check_form(session, user, campaign.id, inst)
        for found in sheet["rules"]:
            acc = per_rule[found["rule_id"]]
            acc[0] += found["clues"]
            acc[1] += found["decided_unreasonable"]
            acc[2] += found["amount_involved"]
        split = ledger[inst]
        summaries.append(
            InstitutionSummary(
                institution_id=inst,
                name=names.get(inst, inst),
                clues=sum(f["clues"] for f in sheet["rules"]),
                unreasonable=sum(f["decided_unreasonable"] for f in sheet["rules"]),
                self_reported=split["self_reported"],
                found=split["found"],
                amounts=dict(tally.by_institution[inst]),
            )
        )
    rules = tuple(RuleFound(r, int(v[0]), int(v[1]), Decimal(v[2])) for r, v in per_rule.items())
    if tally.records == 0 and not any(r.clues for r in rules):
        raise NotFoundError(
            f"专项治理 {campaign.id} 尚无线索和台账记录，无可总结的内容",
            f"campaign {campaign.id} has no clues and no ledger records yet: nothing to sum up",
            code="campaign_no_data",
        )
    return CampaignFigures(
        campaign_id=campaign.id,
        title=campaign.name,
        region_code=campaign.region_code,
        region_name=_region_name(session, campaign.region_code),
        description=campaign.description or "",
        status=str(campaign.status),
        current_phase=service.current_phase(session, campaign.id, today),
        period_from=phases[0].starts_on.strftime("%Y-%m"),
        period_to=phases[-1].ends_on.strftime("%Y-%m"),
        phases=phases,
        rule_ids=tuple(campaign.rule_ids),
        rules=rules,
        institutions=tuple(summaries),
        total=dict(tally.total),
        by_source={s: dict(v) for s, v in tally.by_source.items()},
        records=tally.records,
    )
