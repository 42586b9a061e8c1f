"""`sjg report`: the documents offices file and send (公文、报表), generated from the data.

Each document command lives in its own module (`report_*.py`) and registers on
`report_app`; this module holds what they share: the options, the reader they generate
for (`--region`: that region's office; `--as USER`: what that user may see), writing the
file (its format follows `--out`'s suffix) and printing the figures it used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:  # SQLAlchemy only when a command runs (tests/cli/test_startup.py)
    from sqlalchemy.orm import Session

    from sanjianguan.reports.document_file import DocumentFile
    from sanjianguan.workflow_db.models import User

report_app = typer.Typer(no_args_is_help=True, help="公文与报表 / official documents and returns")
app.add_typer(report_app, name="report")

RegionOption = Annotated[str, typer.Option("--region", help="行政区划代码 / region code (6 digits)")]
PeriodOption = Annotated[str, typer.Option("--period", help="月份 YYYY-MM / month")]
OutOption = Annotated[
    Path, typer.Option("--out", help="输出文件，格式按后缀（.docx/.xlsx）/ output file, format by suffix")
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as", help="以该用户可见的范围生成 / generate what this user may see (default: the region's office)"
    ),
]
TodayOption = Annotated[
    datetime | None,
    typer.Option("--today", formats=["%Y-%m-%d"], help="当天日期 / today's date (default: today in China)"),
]


@contextmanager
def reading(region: str, username: str | None) -> Iterator[tuple[Session, User]]:
    """A session of the data folder's workflow store and the user the document is for.

    `--as USER` reads as that user (must be active and within `--region`); otherwise as
    the office of `--region` (`reports.reader.region_office_reader`).
    """
    from sanjianguan.access.regions import RegionCode
    from sanjianguan.access.users import find_user
    from sanjianguan.bootstrap import open_database
    from sanjianguan.errors import InvalidInputError, NotFoundError
    from sanjianguan.reports.reader import region_office_reader

    ctx = state.context()
    code = RegionCode.parse(region)
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.sessions() as session:
            if username is None:
                yield session, region_office_reader(code.code)
                return
            user = find_user(session, username)
            if user is None or not user.is_active:
                raise NotFoundError.no_such("用户", "user", username)
            if user.region_code is None or not code.contains(RegionCode.parse(user.region_code)):
                raise InvalidInputError(
                    f"用户 {username} 不属于辖区 {code.code}",
                    f"user {username} is not within region {code.code}",
                    code="user_outside_region",
                )
            yield session, user
    finally:
        database.dispose()


def write_document(out: Path, document: DocumentFile, figures: Mapping[str, object]) -> None:
    """Write the document to `out` and print the figures it used (one per line, as label: value)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(document.content)
    for label, value in figures.items():
        typer.echo(f"{label}: {value}")
    typer.echo(f"已生成 / written: {out} ({len(document.content):,} bytes)")
