"""Users' email addresses (the email channel's): set when the account is made, checked."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sanjianguan.access.regions import ensure_region
from sanjianguan.access.users import check_email, create_user
from sanjianguan.errors import InvalidInputError
from sanjianguan.workflow_db.models import Role


def test_an_account_may_carry_an_email_address(session: Session) -> None:
    ensure_region(session, "511502")
    user = create_user(
        session,
        username="county.mail",
        password="a long enough password",
        role=Role.OFFICE,
        region_code="511502",
        email=" county@example.org ",
    )
    session.commit()
    session.expire_all()
    assert user.email == "county@example.org"


@pytest.mark.parametrize(
    "bad", ["county", "a b@example.org", "@example.org", "x@localhost", "x@" + "a" * 260 + ".cn"]
)
def test_a_malformed_address_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_email(bad)
    assert refused.value.code == "invalid_email"


def test_no_address_is_none() -> None:
    assert check_email(None) is None
    assert check_email("  ") is None
