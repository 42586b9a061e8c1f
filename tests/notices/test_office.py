"""Every kind of notice opens in an office suite: LibreOffice converts each stored .docx to PDF.

One world (SQLite) and one conversion per document for the whole module: conversions
take seconds each.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.reports.notices import issue_notice, notice_file
from sanjianguan.workflow_db.connection import Database
from tests.notices.world import make_world
from tests.reports.office import pdf_pages, to_pdf
from tests.workflow_db.fixtures import Clock

K = NoticeKind


@pytest.fixture(scope="module")
def pdfs(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("notices")
    shutil.copy(sqlite_template, folder / "workflow.sqlite")
    database = Database.from_url(f"sqlite:///{folder / 'workflow.sqlite'}")
    world = make_world(database, Clock(), folder / "home")
    subjects = [
        (K.NOTIFICATION, "n1"),
        (K.RECTIFICATION, "n1"),
        (K.VERIFICATION, "n1"),
        (K.ADJUDICATION, "n1"),
        (K.ACCOUNTABILITY, world.proposal),
        (K.INTERVIEW, world.interview),
        (K.POINTS, world.staff_points),
        (K.POINTS, world.institution_points),
    ]
    found: dict[str, Path] = {}
    for kind, subject in subjects:
        notice = world.h.run("county", issue_notice, kind, subject, now=world.clock.now)
        document = world.h.run("hospital1", notice_file, notice.id)
        path = folder / f"{kind.value}-{notice.seq}.docx"
        path.write_bytes(document.content)
        found[path.stem] = to_pdf(path, folder / "pdf")
    database.dispose()
    return found


def test_every_kind_converts_to_a_one_page_or_longer_pdf(pdfs: dict[str, Path]) -> None:
    assert {name.split("-")[0] for name in pdfs} == {k.value for k in NoticeKind}
    assert {"points-1", "points-2"} <= set(pdfs)  # 附件3 (staff) and 附件2 (institution)
    for name, pdf in pdfs.items():
        assert pdf_pages(pdf) >= 1, name
