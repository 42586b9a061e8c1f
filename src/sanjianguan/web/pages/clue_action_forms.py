"""办理表单 (the action forms of a clue): one declarative row per action, and their checks.

Each row names the fields of one action's form: label, kind (text, text area, choice,
files), whether it is required (always, or only when another field has a given value:
a self-check 属实 needs the in-hospital handling, 不属实 needs evidence files), its
choices and its length limit. One generic template draws every row
(`clue_action.html`), and `validate` checks a posted form against its row on the server,
in Chinese, field by field, before any service is called. The labels are the services'
own field names (`inputs.text(..., "自查说明", ...)`), so a refusal from the service
names the same field as the form. Not here: 推送 and 抽查 (batch actions of the clue
list), 专家表决 (the expert's pages), 逾期判定不合理 (the scheduled job only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sanjianguan.cases.panel import PANEL_SIZES
from sanjianguan.cases.states import ReviewResult, SelfCheckOutcome, VerificationConclusion
from sanjianguan.cases.transitions import ACTION_ZH, CaseAction
from sanjianguan.web.pages.forms import MAX_FIELD
from sanjianguan.web.schemas.common import FORBIDDEN

Kind = Literal["text", "textarea", "radio", "files"]
A = CaseAction
_FORBIDDEN = re.compile(f"[{FORBIDDEN}]")  # what the API's SafeText refuses


@dataclass(frozen=True)
class FormField:
    """One input of an action form."""

    name: str
    label: str
    kind: Kind = "textarea"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, 中文)
    max_length: int = MAX_FIELD
    hint: str = ""
    required_when: tuple[str, str] | None = None  # (other field, its value): required only then
    default: str = ""

    def needed(self, posted: Mapping[str, str]) -> bool:
        """Whether the field must be filled in, given the other posted fields."""
        if self.required_when is not None:
            other, value = self.required_when
            return posted.get(other, "") == value
        return self.required


@dataclass(frozen=True)
class ActionForm:
    """The form of one action: what it does (in words), its fields, its button."""

    action: CaseAction
    intro: str
    fields: tuple[FormField, ...]
    submit: str = "提交"

    @property
    def title(self) -> str:
        return ACTION_ZH[self.action]

    @property
    def uploads(self) -> bool:
        return any(field.kind == "files" for field in self.fields)

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


def _choices(
    members: tuple[SelfCheckOutcome, ...] | tuple[VerificationConclusion, ...] | tuple[ReviewResult, ...],
) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, m.label_zh) for m in members)


NOTE = FormField("reason", "说明", required=False, hint="选填")
SPECIALTY = FormField("specialty", "专业", "text", max_length=64, hint="专家库中登记的专业，如“内科”")
PANEL_SIZE = FormField(
    "panel_size", "专家人数", "radio", choices=tuple((str(n), f"{n} 名") for n in PANEL_SIZES), default="3"
)
SEED = FormField(
    "seed",
    "随机种子",
    "text",
    required=False,
    max_length=40,
    hint="选填；留空则随机生成，填写后抽选结果可复现",
)

FORMS: dict[CaseAction, ActionForm] = {
    form.action: form
    for form in (
        ActionForm(
            A.REMIND,
            "给机构设定第二个、也是最后一个自查反馈期限（5 个工作日）；逾期仍未反馈的，"
            "按第三十一条直接判定不合理。",
            (FormField("reason", "催办说明", required=False, hint="选填"),),
            "催办",
        ),
        ActionForm(
            A.SELF_CHECK,
            "第二十八条：收到线索后 7 个工作日内反馈自查结论。属实的，填写院内处理及整改情况；"
            "不属实的，须上传证明材料。",
            (
                FormField("outcome", "自查结论", "radio", choices=_choices(tuple(SelfCheckOutcome))),
                FormField("explanation", "自查说明"),
                FormField(
                    "handling",
                    "院内处理及整改情况",
                    required_when=("outcome", SelfCheckOutcome.CONFIRMED.value),
                    hint="自查结论为“属实”时必填",
                ),
                FormField(
                    "files",
                    "证明材料",
                    "files",
                    required_when=("outcome", SelfCheckOutcome.DISPUTED.value),
                    hint="自查结论为“不属实”时必须上传",
                ),
            ),
            "提交自查反馈",
        ),
        ActionForm(
            A.REQUEST_EVIDENCE,
            "第三十一条：责令机构在 5 个工作日内提供证明材料；逾期未提供的，直接判定不合理。",
            (FormField("text", "所需材料说明"),),
            "发出通知",
        ),
        ActionForm(
            A.SUPPLY_EVIDENCE,
            "按办公室或核查组的要求，在期限内提供证明材料。",
            (FormField("note", "说明", required=False, hint="选填"), FormField("files", "证明材料", "files")),
            "提交材料",
        ),
        ActionForm(
            A.VERIFY,
            "调查核实：对照自查结论，记录现场核查情况并给出核实结论。",
            (
                FormField("outcome", "核实结论", "radio", choices=_choices(tuple(VerificationConclusion))),
                FormField("explanation", "现场核查记录"),
                FormField("files", "现场核查材料", "files", required=False, hint="选填"),
            ),
            "提交核实结论",
        ),
        ActionForm(
            A.OPEN_ADJUDICATION,
            "第二十七条：自查与核实结论不一致或情况复杂的，受理裁定，并从专家库随机抽选 3 或 5 名专家"
            "（双盲：专家看不到机构、医生和患者身份，机构看不到专家）。",
            (FormField("reason", "提请裁定理由"), SPECIALTY, PANEL_SIZE, SEED),
            "受理并抽选专家",
        ),
        ActionForm(
            A.DRAW_PANEL,
            "已受理裁定但尚未抽选专家：从专家库随机抽选 3 或 5 名专家（排除回避的专家）。",
            (SPECIALTY, PANEL_SIZE, SEED),
            "抽选专家",
        ),
        ActionForm(
            A.RULE,
            "全部专家表决后，按多数意见形成裁定意见。",
            (FormField("text", "裁定意见"),),
            "形成裁定意见",
        ),
        ActionForm(
            A.DECIDE,
            "认定：采纳专家裁定、与自查一致的核实结论，或（未被抽中的线索）机构的自查结论。",
            (NOTE,),
            "认定",
        ),
        ActionForm(
            A.NOTIFY,
            "第二十九条：把认定的不合理问题告知机构；机构可在 7 个工作日内申诉。",
            (FormField("text", "告知内容"),),
            "发出告知",
        ),
        ActionForm(
            A.APPEAL,
            "第二十九条：对认定有异议的，在收到告知后 7 个工作日内申诉，可附证明材料。",
            (
                FormField("reason", "申诉理由"),
                FormField("files", "证明材料", "files", required=False, hint="选填"),
            ),
            "提交申诉",
        ),
        ActionForm(
            A.REVIEW,
            "申诉复核（30 日内）：维持原认定，或撤销（线索改为合理）。",
            (
                FormField("outcome", "复核结果", "radio", choices=_choices(tuple(ReviewResult))),
                FormField("explanation", "复核意见"),
            ),
            "提交复核结果",
        ),
        ActionForm(
            A.ISSUE_RESPONSIBILITY_NOTICE,
            "第三十条：下达责任追究通知；机构须在 30 日内报送整改落实和院内处理情况。",
            (FormField("text", "通知内容"),),
            "下达通知",
        ),
        ActionForm(
            A.REPORT_RECTIFICATION,
            "第三十条：报送整改落实情况和院内处理情况，可附整改材料。",
            (
                FormField("report", "整改落实情况"),
                FormField("handling", "院内处理情况", required=False, hint="选填"),
                FormField("files", "整改材料", "files", required=False, hint="选填"),
            ),
            "报送",
        ),
        ActionForm(
            A.CLOSE,
            "办结：认定为合理的线索，或整改落实情况已报送的责任追究线索。",
            (NOTE,),
            "办结",
        ),
    )
}

# Actions of the loop that have no form here, and where they are done instead.
ELSEWHERE: dict[CaseAction, str] = {
    A.PUSH: "「推送」按结算月批量办理，请在线索列表页操作",
    A.SAMPLE: "「抽查」按结算月批量抽取，请在线索列表页操作",
    A.VOTE: "「专家表决」请在专家的案卷页面办理",
    A.DEFAULT_UNREASONABLE: "「逾期判定不合理」由系统按期限自动执行，无需办理",
}

# The message the clue's page shows after `?done=<action>` (looked up, never echoed).
DONE_ZH: dict[str, str] = {form.action.value: f"已办理：{form.title}" for form in FORMS.values()}


def _required_error(field: FormField, form: ActionForm) -> str:
    verb = {"radio": "请选择", "files": "请上传"}.get(field.kind, "请填写")
    if field.required_when is None:
        return f"{verb}{field.label}"
    other = form.field(field.required_when[0])
    assert other is not None, field.required_when
    value = dict(other.choices).get(field.required_when[1], field.required_when[1])
    return f"{other.label}为“{value}”时，{verb}{field.label}"


def _field_error(
    field: FormField, form: ActionForm, posted: Mapping[str, str], file_count: int
) -> str | None:
    if field.kind == "files":
        return _required_error(field, form) if field.needed(posted) and not file_count else None
    value = posted.get(field.name, "")
    if not value.strip():
        return _required_error(field, form) if field.needed(posted) else None
    if field.choices and value not in dict(field.choices):
        return f"请从列出的选项中选择{field.label}"
    if len(value) > field.max_length:
        return f"{field.label}最多 {field.max_length} 个字符（现有 {len(value)} 个）"
    if _FORBIDDEN.search(value):
        return f"{field.label}含有不允许的控制字符或文字方向字符，请删除后再提交"
    return None


def validate(form: ActionForm, posted: Mapping[str, str], file_count: int) -> dict[str, str]:
    """The errors of a posted form by field name (empty: the form may go to the service)."""
    errors = {}
    for field in form.fields:
        error = _field_error(field, form, posted, file_count)
        if error is not None:
            errors[field.name] = error
    return errors


def kept(form: ActionForm, posted: Mapping[str, str]) -> dict[str, str]:
    """The posted values of the form's fields, as typed (to refill the form); defaults otherwise."""
    return {f.name: posted.get(f.name, f.default) for f in form.fields if f.kind != "files"}
