"""One clue through the whole loop in a real browser, every step by the role that takes it.

On the demo's latest month (generated, not yet pushed): the county office pushes the month,
hospital 1 self-checks one of its clues as 不属实 with a PDF (the upload's progress bar),
the office draws the sample with that clue selected, the investigator disagrees on site,
the city adjudicator opens the adjudication and draws a panel of three, the panel's experts
vote on their anonymised pages, the adjudicator rules, the office decides and notifies,
the hospital appeals, the office reviews and issues the responsibility notice, the hospital
reports its rectification and the office closes the clue. Each step is taken from the
clue's page (the action's button, then its form) and checked on the page it leads to.

Along the way: every role's home page opens, the experts' pages hold none of the demo's
institution names or ids, staff ids or patient ids, the self-check form fits a phone, the
console stays clean and no request leaves the server. Also: an institution uploads a batch
and reads its validation report, and the public disclosure opens without a login.
Screenshots of the main pages go to docs/screenshots/ (review them when they change).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanjianguan.bootstrap import open_database
from sanjianguan.demo.org import DEMO_PASSWORD
from sanjianguan.workflow_db.models import Institution
from tests.browser.conftest import PUSHABLE, DemoSite
from tests.browser.watch import PHONE, Watch
from tests.contract.batchkit import INSTITUTION, valid_rows, write_batch, zip_batch

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
COUNTY = "511502"
HOSPITAL = "H51150200001"
ROLES = [
    "office.city",
    "office.cuiping",
    "analyst.cuiping",
    "investigator.cuiping",
    "insurance.cuiping",
    "auditor.cuiping",
    "adjudicator.city",
    "expert2",
    "hospital1",
]
# Identities an expert must never see: staff, patient and institution ids of the demo.
IDENTITY = re.compile(r"\b(?:D9\d{6}|P\d{10}|H5115\d{7})\b")


@pytest.fixture(scope="module")
def watch(chromium: Any, demo_site: DemoSite) -> Watch:
    return Watch(chromium, demo_site.base_url)


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _status(page: Any) -> str:
    return str(page.get_attribute("#summary-status", "data-status"))


def _act(watch: Watch, page: Any, clue_id: str, action: str) -> None:
    """From the clue's page, follow the action's button to its form."""
    page.goto(f"{watch.base_url}/clues/{clue_id}")
    watch.labelled(page)
    page.click(f'#actions a[data-action="{action}"]')
    page.wait_for_selector("#action-form")
    watch.labelled(page)


def _submit(watch: Watch, page: Any, clue_id: str, action: str, status: str) -> None:
    page.click("#action-submit")
    page.wait_for_url(f"{watch.base_url}/clues/{clue_id}?done={action}")
    assert page.is_visible("#done")
    assert _status(page) == status, (action, _status(page))


def _institution_names(demo_site: DemoSite) -> list[str]:
    database = open_database(demo_site.ctx.home, demo_site.ctx.settings)
    try:
        with database.sessions() as session:
            return [name for name in session.execute(select(Institution.name)).scalars() if name]
    finally:
        database.dispose()


def test_every_demo_role_opens_its_home_page(watch: Watch) -> None:
    for username in ROLES:
        page = watch.signed_in(username)
        assert page.url == watch.base_url + "/"
        links = page.eval_on_selector_all("header nav a", "links => links.map(a => a.getAttribute('href'))")
        assert len(links) >= 2, username
        for href in links:  # every page of the role's navigation opens, labelled, without an error
            answer = page.goto(watch.base_url + href)
            assert answer is not None, (username, href)
            assert answer.status == 200, (username, href)
            watch.labelled(page)
        page.context.close()
    assert watch.problems == []


def test_the_login_form_works_by_keyboard(watch: Watch) -> None:
    page = watch.page()
    page.goto(watch.base_url + "/login")
    page.keyboard.press("Tab")  # the first field of the page takes the focus
    for _ in range(5):
        if page.evaluate("document.activeElement.id") == "username":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("office.city")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(watch.base_url + "/")
    page.context.close()
    assert watch.problems == []


def test_one_clue_walks_the_whole_loop(watch: Watch, demo_site: DemoSite, tmp_path: Path) -> None:
    proof = tmp_path / "自查说明.pdf"
    proof.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 推送: the county office pushes the month.
    office = watch.signed_in("office.cuiping")
    office.goto(watch.base_url + "/clues/actions")
    office.fill("#push-period", PUSHABLE)
    office.select_option("#push-region", COUNTY)
    office.click("#push-form button[type=submit]")
    office.wait_for_selector("#push-result")
    assert int(office.inner_text("#pushed-count")) > 0

    # 消息: hospital 1's header counts its unread messages, the push among them; it reads them all.
    hospital = watch.signed_in("hospital1")
    unread = int(hospital.inner_text("#unread-count"))
    hospital.click("header a.personal[href='/messages']")
    hospital.wait_for_selector("#messages")
    watch.labelled(hospital)
    assert hospital.locator("#messages tr.unread-row").count() == unread
    assert hospital.locator("#messages tr[data-kind='new_clues']").count() >= 1
    _shot(hospital, "messages")
    with hospital.expect_navigation():
        hospital.click("#read-all button[type=submit]")
    assert hospital.locator("#unread-count").count() == 0
    assert hospital.inner_text("#unread-total") == "0"

    # 自查: hospital 1 finds the clue in its list and answers 不属实 with a PDF.
    hospital.goto(f"{watch.base_url}/clues?period={PUSHABLE}&status=pushed")
    _shot(hospital, "clue-list")
    clue_id = hospital.get_attribute("table a[href^='/clues/XS']", "href").rsplit("/", 1)[-1]
    phone = watch.signed_in("hospital1", PHONE)  # the same form on a phone: one column, no sideways scroll
    _act(watch, phone, clue_id, "self_check")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(phone, "self-check-phone")
    phone.context.close()
    _act(watch, hospital, clue_id, "self_check")
    hospital.check("#f-outcome-disputed")
    hospital.fill("#f-explanation", "该项目按医嘱执行，收费与病历记录一致，附医嘱单。")
    hospital.set_input_files("#f-files", str(proof))
    _shot(hospital, "self-check-form")
    _submit(watch, hospital, clue_id, "self_check", "self_checked")
    _shot(hospital, "clue-detail")

    # 抽查: the office draws the sample, the disputed clue selected.
    office.goto(watch.base_url + "/clues/actions")
    office.fill("#sample-period", PUSHABLE)
    office.select_option("#sample-region", COUNTY)
    office.fill("#sample-rate", "0.1")
    office.fill("#sample-include", clue_id)
    office.click("#sample-form button[type=submit]")
    office.wait_for_selector("#draw-result")
    assert clue_id in office.inner_text("#drawn-ids")

    # 调查核实: the investigator disagrees with the self-check.
    investigator = watch.signed_in("investigator.cuiping")
    _act(watch, investigator, clue_id, "verify")  # by keyboard only: arrows, Tab, typing, Enter
    investigator.focus("#f-outcome-agree")
    investigator.keyboard.press("ArrowDown")  # the next choice of the radio group: 不一致
    assert investigator.is_checked("#f-outcome-disagree")
    investigator.keyboard.press("Tab")
    investigator.keyboard.type("现场核查：医嘱单为事后补记，与护理记录不符。")
    investigator.focus("#action-submit")
    investigator.keyboard.press("Enter")
    investigator.wait_for_url(f"{watch.base_url}/clues/{clue_id}?done=verify")
    assert _status(investigator) == "verified"

    # 裁定: the city adjudicator opens it and draws a panel of three 内科 experts.
    adjudicator = watch.signed_in("adjudicator.city")
    _act(watch, adjudicator, clue_id, "open_adjudication")
    adjudicator.fill("#f-reason", "自查与核实结论不一致，提请专家裁定。")
    adjudicator.fill("#f-specialty", "内科")
    _submit(watch, adjudicator, clue_id, "open_adjudication", "adjudicating")

    names = _institution_names(demo_site)
    voted = _experts_vote(watch, clue_id, names)
    assert voted == 3

    _act(watch, adjudicator, clue_id, "rule")
    adjudicator.fill("#f-text", "专家组多数意见：收费不合理。")
    _submit(watch, adjudicator, clue_id, "rule", "adjudicating")

    # 认定、告知: the office decides after the ruling and notifies the hospital.
    _act(watch, office, clue_id, "decide")
    _submit(watch, office, clue_id, "decide", "decided")
    _act(watch, office, clue_id, "notify")
    office.fill("#f-text", "经专家裁定，该收费不合理，请于期限内申诉或整改。")
    _submit(watch, office, clue_id, "notify", "decided")

    # 申诉、复核: the hospital appeals, the office upholds the decision.
    _act(watch, hospital, clue_id, "appeal")
    hospital.fill("#f-reason", "申请复核：医嘱补记有护士签字。")
    _submit(watch, hospital, clue_id, "appeal", "appealed")
    _act(watch, office, clue_id, "review")
    office.check("#f-outcome-upheld")
    office.fill("#f-explanation", "复核维持原认定。")
    _submit(watch, office, clue_id, "review", "decided")

    # 责任追究、整改、办结.
    _act(watch, office, clue_id, "issue_responsibility_notice")
    office.fill("#f-text", "请按第三十条落实责任追究并限期整改。")
    _submit(watch, office, clue_id, "issue_responsibility_notice", "accountability")
    _act(watch, hospital, clue_id, "report_rectification")
    hospital.fill("#f-report", "已退回多收费用，修订医嘱管理制度。")
    _submit(watch, hospital, clue_id, "report_rectification", "accountability")
    _act(watch, office, clue_id, "close")
    _submit(watch, office, clue_id, "close", "closed")
    assert office.locator("#no-actions").is_visible()

    for page in (office, hospital, investigator, adjudicator):
        page.context.close()
    city = watch.signed_in("office.city")  # the dashboard with the month pushed and one clue closed
    city.wait_for_selector("#by-status-chart canvas")
    _shot(city, "dashboard")
    city.context.close()
    assert watch.problems == []
    assert watch.server_only()


def test_an_institution_uploads_a_batch_and_reads_its_report(watch: Watch, tmp_path: Path) -> None:
    rows = {
        table: [{k: (HOSPITAL if v == INSTITUTION else v) for k, v in row.items()} for row in table_rows]
        for table, table_rows in valid_rows().items()
    }
    rows["fee_items"][0]["encounter_id"] = "E999"  # a fee line of no encounter: quarantined
    folder = write_batch(tmp_path / "batch", rows=rows, manifest={"institution_id": HOSPITAL})
    archive = zip_batch(folder, tmp_path / "批次.zip")

    hospital = watch.signed_in("hospital1")
    hospital.goto(watch.base_url + "/submissions")
    hospital.set_input_files("#sub-file", str(archive))
    hospital.click("#sub-submit")
    hospital.wait_for_selector("#rep-summary")
    assert hospital.get_attribute("#rep-status", "data-status") == "accepted"
    assert int(hospital.inner_text("#rep-quarantined")) == 1
    row = hospital.locator("#rep-quarantine-table tbody tr").first
    where = (row.get_attribute("data-file"), row.get_attribute("data-field"))
    assert where == ("fee_items.csv", "encounter_id")
    _shot(hospital, "batch-report")
    hospital.context.close()
    assert watch.problems == []
    assert watch.server_only()


def test_the_public_disclosure_opens_without_a_login(watch: Watch) -> None:
    page = watch.page()
    page.goto(watch.base_url + "/public/disclosure")
    assert page.url == watch.base_url + "/public/disclosure"  # no redirect to the login page
    assert "记分情况公示" in page.inner_text("h1")
    assert page.locator("form[action='/logout']").count() == 0
    _shot(page, "public-disclosure")
    page.context.close()
    assert watch.problems == []


def _experts_vote(watch: Watch, clue_id: str, names: list[str]) -> int:
    """Each demo expert looks for the clue among their packages; the panel's three vote 不合理."""
    voted = 0
    for number in range(1, 6):
        expert = watch.signed_in(f"expert{number}")
        start = len(watch.urls)
        expert.goto(watch.base_url + "/expert")
        _no_identity(expert, names)
        link = expert.locator(f'a[href="/expert/packages/{clue_id}"]')
        if link.count():
            link.first.click()
            expert.wait_for_selector("#vote-form")
            _no_identity(expert, names)
            if voted == 0:
                _shot(expert, "expert-vote")
            expert.check("#outcome-unreasonable")
            expert.fill("#explanation", "病历与收费不符，属不合理收费。")
            expert.click("#vote-submit")
            expert.wait_for_selector("#my-vote")
            _no_identity(expert, names)
            voted += 1
        assert not any(IDENTITY.search(url) for url in watch.urls[start:]), "an identity in a URL"
        expert.context.close()
    return voted


def _no_identity(page: Any, names: list[str]) -> None:
    html = page.content()
    assert not IDENTITY.search(html), IDENTITY.search(html)
    assert not [name for name in names if name in html]
