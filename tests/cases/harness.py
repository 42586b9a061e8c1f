"""A small driver for the clue workflow tests: users by name, one transaction per call."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from sanjianguan.cases.evidence import EvidenceStore, Upload
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, ExpertConflict, ExpertProfile, User
from tests.workflow_db.fixtures import Clock, Org, _user, sample_clue, seed_org

T = TypeVar("T")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes(*, macro: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00")
    return buffer.getvalue()


def pdf(name: str = "说明.pdf") -> Upload:
    return Upload(name=name, data=PDF)


EXPERTS = {
    # name: (specialty list, affiliated institution)
    "e1": (["内科"], "H2"),
    "e2": (["内科"], "H3"),
    "e3": (["内科", "外科"], None),
    "e4": (["内科"], None),
    "e5": (["内科"], "H2"),
    "e_same": (["内科"], "H1"),  # works at H1: never on an H1 panel
    "e_conflict": (["内科"], None),  # declared a conflict with H1
    "e_surgery": (["外科"], None),
}


@dataclass
class Harness:
    database: Database
    clock: Clock
    store: EvidenceStore
    org: Org

    def user(self, session: Session, name: str) -> User:
        found = session.get(User, self.org.users[name].id)
        assert found is not None
        return found

    def run(self, name: str | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a service in one committed transaction as user `name` (None: no user argument)."""
        with self.database.transaction() as session:
            if name is None:
                return fn(session, *args, **kwargs)
            return fn(session, self.user(session, name), *args, **kwargs)

    def status(self, clue_id: str) -> str:
        with self.database.sessions() as session:
            clue = session.get(Clue, clue_id)
            assert clue is not None
            return clue.status

    def add_clues(
        self, ids: list[str], *, institution: str = "H1", region: str = "511502", period: str
    ) -> None:
        with self.database.transaction() as session:
            for clue_id in ids:
                clue = sample_clue(clue_id, institution, region, period)
                session.add(clue)

    def later(self, days: float) -> None:
        self.clock.advance(days=days)


def make_harness(database: Database, clock: Clock, home: Path) -> Harness:
    with database.sessions() as session:
        org = seed_org(session)
        for name, (specialties, institution) in EXPERTS.items():
            user = _user(session, name, org.users["expert"].role, "511500", None)
            org.users[name] = user
            session.add(
                ExpertProfile(
                    user_id=user.id, specialties=specialties, institution_id=institution, updated_at=clock.now
                )
            )
        session.flush()
        session.add(
            ExpertConflict(
                expert_user_id=org.users["e_conflict"].id,
                institution_id="H1",
                reason="曾在该院任职",
                declared_at=clock.now - timedelta(days=30),
            )
        )
        session.commit()
    return Harness(database, clock, EvidenceStore.for_home(home, 1024 * 1024), org)
