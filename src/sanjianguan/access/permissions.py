"""角色权限: which actions each role may take, as one declarative table.

Jurisdiction (which objects a user sees) is `jurisdiction.py`; this is which *actions* a
role may take on the objects it sees. The workflow checks both: `require(user, action)`
then reads through the jurisdiction filter. Add an action here, give it to roles in
`ROLE_ACTIONS`, and call `require` in the service that performs it.
"""

from __future__ import annotations

import enum

from sanjianguan.errors import PermissionDeniedError
from sanjianguan.workflow_db.models import Role, User


class Action(enum.StrEnum):
    """An action of the workflow (named `<object>.<verb>`)."""

    CLUE_READ = "clue.read"  # 查看线索
    CLUE_GENERATE = "clue.generate"  # 生成线索
    CLUE_PUSH = "clue.push"  # 推送线索
    CLUE_SELF_CHECK = "clue.self_check"  # 机构自查
    CLUE_SAMPLE = "clue.sample"  # 抽查
    CLUE_VERIFY = "clue.verify"  # 调查核实
    CLUE_DECIDE = "clue.decide"  # 认定
    CLUE_APPEAL = "clue.appeal"  # 申诉
    APPEAL_REVIEW = "appeal.review"  # 申诉复核
    ADJUDICATION_OPEN = "adjudication.open"  # 发起裁定
    ADJUDICATION_VOTE = "adjudication.vote"  # 专家表决
    ADJUDICATION_RULE = "adjudication.rule"  # 公布裁定结果
    ACCOUNTABILITY_ISSUE = "accountability.issue"  # 下达责任追究通知
    RECTIFICATION_REPORT = "rectification.report"  # 报送整改
    REFERRAL_EXCHANGE = "referral.exchange"  # 移送与反馈
    RULE_CONFIGURE = "rule.configure"  # 规则配置
    DATA_QUALITY = "data.quality"  # 数据质控
    AUDIT_READ = "audit.read"  # 查看审计日志
    USER_MANAGE = "user.manage"  # 账号管理
    CLUE_REMIND = "clue.remind"  # 催办
    EVIDENCE_REQUEST = "evidence.request"  # 责令限期提供证明材料
    EVIDENCE_SUPPLY = "evidence.supply"  # 提供证明材料
    EVIDENCE_READ = "evidence.read"  # 下载证明材料（专家不可：双盲）
    DECISION_NOTIFY = "decision.notify"  # 告知不合理问题
    ADJUDICATION_DRAW = "adjudication.draw"  # 抽选专家
    CLUE_CLOSE = "clue.close"  # 办结
    CASE_HISTORY = "case.history"  # 查看线索办理记录
    DEADLINE_READ = "deadline.read"  # 查看逾期事项
    EXPERT_MANAGE = "expert.manage"  # 专家库管理
    EXPERT_CONFLICT_DECLARE = "expert.conflict_declare"  # 专家申报回避
    INSPECTION_PLAN = "inspection.plan"  # 双随机抽取检查对象和检查人员
    INSPECTION_READ = "inspection.read"  # 查看检查计划和结果
    INSPECTION_RECORD = "inspection.record"  # 记录检查结果（联合检查）
    INSPECTOR_CONFLICT_DECLARE = "inspection.conflict_declare"  # 检查人员申报回避
    CAMPAIGN_MANAGE = "campaign.manage"  # 专项治理部署与结束
    CAMPAIGN_READ = "campaign.read"  # 查看专项治理
    CAMPAIGN_RECORD = "campaign.record"  # 专项治理台账登记
    REFERRAL_READ = "referral.read"  # 查看移送
    FEEDBACK_READ = "feedback.read"  # 规则反馈（查准率）
    ACCOUNTABILITY_READ = "accountability.read"  # 查看追责建议
    ACCOUNTABILITY_RUN = "accountability.run"  # 运行责任追究阶梯
    ACCOUNTABILITY_DECIDE = "accountability.decide"  # 确认或驳回追责建议
    ACCOUNTABILITY_RECORD = "accountability.record"  # 登记约谈、行政处罚、未落实追责
    POINTS_READ = "points.read"  # 查看记分
    POINTS_RECORD = "points.record"  # 记分、送达记分通知书、报送办公室
    POINTS_REGISTER = "points.register"  # 办公室登记记分、月度汇总、季度公示
    POINTS_APPEAL = "points.appeal"  # 记分申诉
    POINTS_APPEAL_DECIDE = "points.appeal_decide"  # 记分申诉决定
    DATA_SUBMIT = "data.submit"  # 数据提交（网页上传批次）
    INDICATOR_READ = "indicator.read"  # 查看指标（机构 → 科室 → 医师）
    COLLECTION_READ = "collection.read"  # 查看数据采集（上报情况、质控、待对码）
    RULE_READ = "rule.read"  # 查看规则目录与命中
    COUNTY_RETURN = "report.county_return"  # 县区月报（附件1两个表）生成与盖章扫描件上报
    MONTHLY_REPORT = "report.monthly"  # 生成工作月报、工作通报
    NOTICE_ISSUE = "notice.issue"  # 出具文书（编文号）
    NOTICE_READ = "notice.read"  # 查看和下载文书（发文办公室、收文机构）

    @property
    def label_zh(self) -> str:
        """动作的中文名称 (shown in messages instead of the internal value)."""
        return ACTION_ZH[self]


ACTION_ZH: dict[Action, str] = {
    Action.CLUE_READ: "查看线索",
    Action.CLUE_GENERATE: "生成线索",
    Action.CLUE_PUSH: "推送线索",
    Action.CLUE_SELF_CHECK: "机构自查",
    Action.CLUE_SAMPLE: "抽查线索",
    Action.CLUE_VERIFY: "调查核实",
    Action.CLUE_DECIDE: "认定线索",
    Action.CLUE_APPEAL: "线索申诉",
    Action.APPEAL_REVIEW: "申诉复核",
    Action.ADJUDICATION_OPEN: "发起裁定",
    Action.ADJUDICATION_VOTE: "专家表决",
    Action.ADJUDICATION_RULE: "公布裁定结果",
    Action.ACCOUNTABILITY_ISSUE: "下达责任追究通知",
    Action.RECTIFICATION_REPORT: "报送整改",
    Action.REFERRAL_EXCHANGE: "移送与反馈",
    Action.RULE_CONFIGURE: "规则配置",
    Action.DATA_QUALITY: "数据质控",
    Action.AUDIT_READ: "查看审计日志",
    Action.USER_MANAGE: "账号管理",
    Action.CLUE_REMIND: "催办线索",
    Action.EVIDENCE_REQUEST: "责令限期提供证明材料",
    Action.EVIDENCE_SUPPLY: "提供证明材料",
    Action.EVIDENCE_READ: "下载证明材料",
    Action.DECISION_NOTIFY: "告知不合理问题",
    Action.ADJUDICATION_DRAW: "抽选专家",
    Action.CLUE_CLOSE: "办结线索",
    Action.CASE_HISTORY: "查看线索办理记录",
    Action.DEADLINE_READ: "查看逾期事项",
    Action.EXPERT_MANAGE: "专家库管理",
    Action.EXPERT_CONFLICT_DECLARE: "专家申报回避",
    Action.INSPECTION_PLAN: "双随机抽取检查对象",
    Action.INSPECTION_READ: "查看检查计划和结果",
    Action.INSPECTION_RECORD: "记录检查结果",
    Action.INSPECTOR_CONFLICT_DECLARE: "检查人员申报回避",
    Action.CAMPAIGN_MANAGE: "专项治理部署与结束",
    Action.CAMPAIGN_READ: "查看专项治理",
    Action.CAMPAIGN_RECORD: "专项治理台账登记",
    Action.REFERRAL_READ: "查看移送",
    Action.FEEDBACK_READ: "查看规则反馈",
    Action.ACCOUNTABILITY_READ: "查看追责建议",
    Action.ACCOUNTABILITY_RUN: "运行责任追究阶梯",
    Action.ACCOUNTABILITY_DECIDE: "确认或驳回追责建议",
    Action.ACCOUNTABILITY_RECORD: "登记追责落实情况",
    Action.POINTS_READ: "查看记分",
    Action.POINTS_RECORD: "记分",
    Action.POINTS_REGISTER: "记分登记与公示",
    Action.POINTS_APPEAL: "记分申诉",
    Action.POINTS_APPEAL_DECIDE: "记分申诉决定",
    Action.DATA_SUBMIT: "数据提交",
    Action.INDICATOR_READ: "查看指标",
    Action.COLLECTION_READ: "查看数据采集",
    Action.RULE_READ: "查看规则目录",
    Action.COUNTY_RETURN: "县区月报",
    Action.MONTHLY_REPORT: "生成工作月报和工作通报",
    Action.NOTICE_ISSUE: "出具文书",
    Action.NOTICE_READ: "查看文书",
}

A = Action
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICE: frozenset(
        {
            A.CLUE_READ,
            A.CLUE_GENERATE,
            A.CLUE_PUSH,
            A.CLUE_SAMPLE,
            A.CLUE_DECIDE,
            A.APPEAL_REVIEW,
            A.ACCOUNTABILITY_ISSUE,
            A.REFERRAL_EXCHANGE,
            A.AUDIT_READ,
            A.USER_MANAGE,
        }
    ),
    # 规则配置 (region parameters in rules.toml, the rule page): the analysis group only; seed 000
    # gives it "提出修改完善监管规则意见" and no seed has the office set them (docs/web.md 规则参数).
    Role.ANALYST: frozenset({A.CLUE_READ, A.CLUE_GENERATE, A.RULE_CONFIGURE, A.DATA_QUALITY}),
    Role.INVESTIGATOR: frozenset({A.CLUE_READ, A.CLUE_VERIFY}),
    Role.ADJUDICATOR: frozenset({A.CLUE_READ, A.ADJUDICATION_OPEN, A.ADJUDICATION_RULE}),
    Role.EXPERT: frozenset({A.CLUE_READ, A.ADJUDICATION_VOTE}),
    Role.INSTITUTION: frozenset({A.CLUE_READ, A.CLUE_SELF_CHECK, A.CLUE_APPEAL, A.RECTIFICATION_REPORT}),
    Role.INSURANCE: frozenset({A.CLUE_READ, A.REFERRAL_EXCHANGE}),
    Role.AUDITOR: frozenset({A.CLUE_READ, A.AUDIT_READ}),
}

# The clue workflow's actions (sanjianguan.cases.transitions), added to the roles above.
_CASE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICE: frozenset(
        {
            A.CLUE_REMIND,
            A.EVIDENCE_REQUEST,
            A.EVIDENCE_READ,
            A.DECISION_NOTIFY,
            A.CLUE_CLOSE,
            A.CASE_HISTORY,
            A.DEADLINE_READ,
            A.EXPERT_MANAGE,
        }
    ),
    Role.ANALYST: frozenset({A.EVIDENCE_READ, A.CASE_HISTORY}),
    Role.INVESTIGATOR: frozenset({A.EVIDENCE_REQUEST, A.EVIDENCE_READ, A.CASE_HISTORY}),
    Role.ADJUDICATOR: frozenset({A.ADJUDICATION_DRAW, A.EVIDENCE_READ, A.CASE_HISTORY, A.EXPERT_MANAGE}),
    Role.EXPERT: frozenset({A.EXPERT_CONFLICT_DECLARE}),
    Role.INSTITUTION: frozenset({A.EVIDENCE_SUPPLY, A.EVIDENCE_READ, A.CASE_HISTORY}),
    Role.INSURANCE: frozenset({A.EVIDENCE_READ, A.CASE_HISTORY}),
    Role.AUDITOR: frozenset({A.EVIDENCE_READ, A.CASE_HISTORY}),
}
for _role, _actions in _CASE_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Joint work (inspections, campaigns, referrals) and rule feedback, added to the roles above.
_JOINT_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICE: frozenset(
        {
            A.INSPECTION_PLAN,
            A.INSPECTION_READ,
            A.CAMPAIGN_MANAGE,
            A.CAMPAIGN_READ,
            A.CAMPAIGN_RECORD,
            A.REFERRAL_READ,
            A.FEEDBACK_READ,
        }
    ),
    Role.ANALYST: frozenset({A.INSPECTION_READ, A.CAMPAIGN_READ, A.FEEDBACK_READ}),
    Role.INVESTIGATOR: frozenset(
        {
            A.INSPECTION_READ,
            A.INSPECTION_RECORD,
            A.INSPECTOR_CONFLICT_DECLARE,
            A.CAMPAIGN_READ,
            A.CAMPAIGN_RECORD,
        }
    ),
    Role.INSTITUTION: frozenset({A.INSPECTION_READ, A.CAMPAIGN_READ, A.CAMPAIGN_RECORD}),
    Role.INSURANCE: frozenset(
        {A.INSPECTION_READ, A.INSPECTION_RECORD, A.CAMPAIGN_READ, A.CAMPAIGN_RECORD, A.REFERRAL_READ}
    ),
    Role.AUDITOR: frozenset({A.INSPECTION_READ, A.CAMPAIGN_READ, A.REFERRAL_READ, A.FEEDBACK_READ}),
}
for _role, _actions in _JOINT_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Accountability ladder and penalty points (sanjianguan.accountability, sanjianguan.points).
_ACCOUNTABILITY_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICE: frozenset(
        {
            A.ACCOUNTABILITY_READ,
            A.ACCOUNTABILITY_RUN,
            A.ACCOUNTABILITY_DECIDE,
            A.ACCOUNTABILITY_RECORD,
            A.POINTS_READ,
            A.POINTS_RECORD,
            A.POINTS_REGISTER,
            A.POINTS_APPEAL_DECIDE,
        }
    ),
    Role.INVESTIGATOR: frozenset({A.POINTS_READ, A.POINTS_RECORD}),
    Role.INSURANCE: frozenset({A.POINTS_READ, A.POINTS_RECORD}),
    Role.INSTITUTION: frozenset({A.ACCOUNTABILITY_READ, A.POINTS_READ, A.POINTS_APPEAL}),
    Role.AUDITOR: frozenset({A.ACCOUNTABILITY_READ, A.POINTS_READ}),
}
for _role, _actions in _ACCOUNTABILITY_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# The analytic pages (指标、数据采集、规则): what the store holds, within the jurisdiction.
# Experts never (double-blind); mapping a code (对码) is data quality work (DATA_QUALITY).
_ANALYTIC_READERS = (Role.OFFICE, Role.ANALYST, Role.INSTITUTION)
_RULE_READERS = (*_ANALYTIC_READERS, Role.INVESTIGATOR, Role.ADJUDICATOR, Role.INSURANCE, Role.AUDITOR)
for _role in _ANALYTIC_READERS:
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | {A.INDICATOR_READ, A.COLLECTION_READ}
for _role in _RULE_READERS:
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | {A.RULE_READ}


# Data submission (数据提交): an institution sends its own batches, an office those of its institutions.
ROLE_ACTIONS[Role.INSTITUTION] = ROLE_ACTIONS[Role.INSTITUTION] | {A.DATA_SUBMIT}
ROLE_ACTIONS[Role.OFFICE] = ROLE_ACTIONS[Role.OFFICE] | {A.DATA_SUBMIT}

# 县区月报 (seed 000: 附件1两个表, due by the 10th): a county office files it, its city office follows it.
ROLE_ACTIONS[Role.OFFICE] = ROLE_ACTIONS[Role.OFFICE] | {A.COUNTY_RETURN}


# 工作月报、工作通报 (reports.data.monthly): the jurisdiction's figures, institutions named; the
# regional roles that read the dashboard and answer for the month's work (seed 000: the office
# reports, the analysis group supplies the figures; insurance and the auditor read them).
for _role in (Role.OFFICE, Role.ANALYST, Role.INSURANCE, Role.AUDITOR):
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | {A.MONTHLY_REPORT}
# Notices with a 文号 (文书): the office issues them (the number is the office's); the office
# and the recipient institution read and download them.
ROLE_ACTIONS[Role.OFFICE] = ROLE_ACTIONS[Role.OFFICE] | {A.NOTICE_ISSUE, A.NOTICE_READ}
ROLE_ACTIONS[Role.INSTITUTION] = ROLE_ACTIONS[Role.INSTITUTION] | {A.NOTICE_READ}


def can(user: User, action: Action) -> bool:
    """Whether the user's role may take `action` (an inactive user may take none)."""
    return user.is_active and action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: User, action: Action) -> None:
    """Raise PermissionDeniedError unless the user may take `action`."""
    if not can(user, action):
        raise PermissionDeniedError(
            f"角色“{user.role.label_zh}”无权执行“{action.label_zh}”",
            f"role {user.role.value} may not take action {action.value}",
        )
