"""Who a document is generated for: a signed-in user, or the CLI's reader of a region.

The report-data functions take a `User` and read through the jurisdiction filters, so a
document holds only what that user may see. `sjg report ... --region CODE` is run by the
server's operator, who may read every region: it reads as the office of that region
(`region_office_reader`), a user that exists only for the call (never stored, never
able to act: reports only read).
"""

from __future__ import annotations

from sanjianguan.access.regions import RegionCode
from sanjianguan.workflow_db.models import Role, User

CLI_READER = "sjg-report"


def region_office_reader(region_code: str) -> User:
    """The 三监管办公室 of `region_code`, as the jurisdiction filters see it (not stored)."""
    region = RegionCode.parse(region_code)
    return User(
        username=CLI_READER,
        display_name=f"{region.code} 三监管办公室",
        role=Role.OFFICE,
        region_code=region.code,
        institution_id=None,
        password_hash="!",  # no password: it cannot sign in
        is_active=True,
    )
