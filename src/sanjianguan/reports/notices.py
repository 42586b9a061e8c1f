"""文书的版式与措辞: each kind of notice as an official document (.docx), and its download.

`render` is the renderer `sanjianguan.notices.service.issue_notice` calls once, when the
notice is numbered; the bytes it returns are stored and never rendered again, so a later
change of wording here changes only notices issued after it. `issue_notice` and
`notice_file` are what the API, the pages and the CLI call.

Every value comes from the facts (`notices.facts`): the 基本情况 table, the narrative, the
deadline. The wording follows the seeds: 告知书 and the 7-working-day appeal (seed 003
art. 29), 责任追究通知书 and the rectification report (art. 30), the 记分通知书 of seed
001 (附件2 医疗机构, 附件3 医务人员: appeal within 3 days of receipt, decided within 10
working days).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from sanjianguan.notices import service
from sanjianguan.notices.facts import NoticeFacts
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.notices.scope import get_notice
from sanjianguan.notices.service import Heading, Rendered
from sanjianguan.reports.document_file import DOCX, DocumentFile
from sanjianguan.reports.official.document import OfficialDocument, chinese_date
from sanjianguan.workflow_db.models import OfficialNotice, User

POINTS_TITLES = {"institution": "医疗机构不良执业行为记分通知书", "staff": "医务人员不良执业行为记分通知书"}
POINTS_ANNEX = {"institution": "附件2", "staff": "附件3"}


def title_of(facts: NoticeFacts) -> str:
    """The document's title (文种): the kind's, or the 记分通知书's of 附件2/附件3."""
    if facts.kind is NoticeKind.POINTS:
        return POINTS_TITLES.get(facts.variant, facts.kind.label_zh)
    return facts.kind.label_zh


def _opening(facts: NoticeFacts) -> str:
    """The first paragraph: what was found or done, in the seeds' words."""
    return {
        NoticeKind.NOTIFICATION: "经我办组织调查核实和认定，你单位下列疑似问题线索认定为不合理问题。"
        "根据《医疗“三监管”责任追究办法》第二十九条，现将认定结论告知如下。",
        NoticeKind.ACCOUNTABILITY: "根据《医疗“三监管”责任追究办法》第三十条，经认定，你单位存在下列情形，"
        "已达到责任追究条件，现下达责任追究通知。",
        NoticeKind.RECTIFICATION: "你单位下列问题经最终认定存在不合理问题，已下达责任追究通知。"
        "现责令你单位在规定期限内改正，并报送整改落实和院内处理情况。",
        NoticeKind.INTERVIEW: "根据《医疗“三监管”责任追究办法》，我办对你单位负责人进行了约谈，记录如下。",
        NoticeKind.POINTS: "经检查，被记分对象存在下列不良执业行为，根据《医疗机构及医务人员不良执业行为"
        "记分管理办法（试行）》，经分管领导审批，予以记分。",
        NoticeKind.VERIFICATION: "根据线索办理流程，调查核实组对下列抽中线索进行了调查核实，"
        "现将核实情况报告如下。",
        NoticeKind.ADJUDICATION: "根据《医疗“三监管”责任追究办法》，对下列线索组织专家进行了裁定判决。"
        "专家从专家库中随机抽取，身份不予公开，现将表决结果报告如下。",
    }[facts.kind]


def _closing(facts: NoticeFacts) -> list[str]:
    """The last paragraphs: rights and deadlines (from the workflow's own calendar)."""
    due = chinese_date(facts.deadline) if facts.deadline is not None else None
    if facts.kind is NoticeKind.NOTIFICATION:
        return [
            f"你单位如对认定结论不服，可在收到本告知书之日起7个工作日内（即{due}前）"
            "向我办提出书面申诉，并提供相关证明材料。我办将在30日内作出复核决定。逾期未申诉的，认定结论生效。"
        ]
    if facts.kind is NoticeKind.RECTIFICATION:
        return [f"请你单位于{due}前完成整改，并将整改落实和责任追究情况报送我办。"]
    if facts.kind is NoticeKind.ACCOUNTABILITY:
        return ["请你单位按照上述措施落实责任追究，并将整改落实和责任追究情况及时报送我办。"]
    if facts.kind is NoticeKind.POINTS:
        when = f"（即{due}前）" if due else ""
        return [
            f"被记分的单位或个人对记分有异议的，可在收到本通知书之日起3日内{when}向卫生健康主管部门申诉，"
            "受理后10个工作日内作出决定。"
        ]
    return []


def render(facts: NoticeFacts, heading: Heading) -> Rendered:
    """The notice as a .docx: 发文机关, 文号, 标题, 主送, body, 基本情况 table, closing, signature."""
    title = title_of(facts)
    doc = OfficialDocument()
    doc.issuer_mark(heading.issuer)
    doc.number(heading.number)
    if facts.kind is NoticeKind.POINTS and facts.variant in POINTS_ANNEX:
        doc.caption(POINTS_ANNEX[facts.variant])
    doc.title(title)
    doc.addressee(facts.recipient_name)
    doc.paragraph(_opening(facts))
    doc.heading("基本情况")
    doc.table(["项目", "内容"], [list(row) for row in facts.rows], widths_cm=[4.5, 11.0])
    if facts.narrative:
        doc.heading("情况说明")
        for text in facts.narrative:
            doc.paragraph(text)
    for text in _closing(facts):
        doc.paragraph(text)
    doc.paragraph(f"收文单位：{facts.recipient_name}（{facts.recipient_id}）")
    doc.signature(heading.issuer, heading.issued_on)
    filename = f"{title}_{heading.number}.docx"
    return Rendered(content=doc.to_bytes(), title=title, filename=filename)


def issue_notice(
    session: Session,
    user: User,
    kind: NoticeKind | str,
    subject_id: str,
    *,
    now: datetime,
    prefixes: Mapping[str, str] | None = None,
) -> OfficialNotice:
    """出具文书 with this module's layout (the API, pages and CLI call this)."""
    return service.issue_notice(session, user, kind, subject_id, now=now, render=render, prefixes=prefixes)


def notice_file(session: Session, user: User, notice_id: int) -> DocumentFile:
    """The stored .docx, byte for byte as issued (recipient institution and issuing office; else 404)."""
    notice = get_notice(session, user, notice_id)
    return DocumentFile(content=notice.content, filename=notice.filename, format=DOCX)
