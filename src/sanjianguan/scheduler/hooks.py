"""What a job would tell people: the hook between the jobs and the message centre.

The jobs do not send messages themselves (the message centre, `sanjianguan.messages`,
is another parcel). A job returns `Notification`s: the kind (a `MessageKind` value of
the message centre), who is meant (an institution's users, or a region office's), the
text and a dedup `subject`. The runner hands them to a `Deliver` callable: by default
`keep` (they stay in the run's result); the integrator passes one that calls
`messages.service.notify` with `recipients_of_institution` / `recipients_of_region_office`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

# The MessageKind values of the message centre (snake_case), named here without importing it.
NEW_CLUES = "new_clues"
DEADLINE_SOON = "deadline_soon"
OVERDUE = "overdue"
ESCALATION = "escalation"
POINTS_NOTICE = "points_notice"


@dataclass(frozen=True)
class Notification:
    """One message a job would send: to an institution's users or to a region's office."""

    kind: str
    title: str
    body: str
    subject: str  # dedup key: the same (recipient, kind, subject) is never sent twice
    institution_id: str | None = None
    region_code: str | None = None  # the office of this region (county, or city for escalation)
    link: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Deliver = Callable[[Session, Sequence[Notification], datetime], None]


def keep(session: Session, notifications: Sequence[Notification], now: datetime) -> None:
    """No message centre wired: the notifications are only listed in the run's result."""
