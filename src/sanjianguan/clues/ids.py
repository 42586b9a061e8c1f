"""线索编号: opaque public clue ids, and the old ids (别名) that still resolve.

A clue's id is `XS` (线索) + 16 random characters (77 bits) of an alphabet without vowels
and without the look-alikes 0/O and 1/I (so an id never spells a word, such as "HIT",
and reads back unambiguously over the phone): it says nothing of the
institution, period, rule or indicator, nor of any order among them, and it is the same
for every role. The stable key that makes generation idempotent is the clue's
(`source_kind`, `source_id`), kept internally (never in an expert's view).

Ids of the former scheme (`hit-<hit_id>`, `indicator-<period>.<institution>.<indicator>`)
were renamed by migration 0006 and kept in `clue_aliases`: an old id resolves to the
clue for a user who may see that clue, except experts (the old id names the
institution); for anyone else it is unknown (404, like a missing id). Old audit events
keep their old ids; `current_ids` maps them when history is shown.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import clue_filter, sees_identities
from sanjianguan.workflow_db.models import Clue, ClueAlias, User

PREFIX = "XS"
ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"  # 28 characters: log2(28) × 16 ≈ 77 bits
LENGTH = 16
# Ids issued before (RFC 4648 base32: A-Z, 2-7) keep the same form and stay valid.
OPAQUE = re.compile(rf"^{PREFIX}[A-Z2-9]{{{LENGTH}}}$")
CHUNK = 500


def new_clue_id() -> str:
    """A fresh opaque clue id (random; uniqueness is the primary key's to guard)."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_opaque(clue_id: str) -> bool:
    """Whether `clue_id` has the opaque form (`XS` + 16 characters of A-Z and 2-9)."""
    return OPAQUE.match(clue_id) is not None


def resolve_clue_id(session: Session, user: User, clue_id: str) -> str:
    """The current id of `clue_id` for `user`: an old id of a clue the user may see maps to
    the clue's id; anything else is returned as given (a later lookup then answers 404).

    Experts never resolve old ids: those name the institution (双盲).
    """
    if is_opaque(clue_id) or not sees_identities(user):
        return clue_id
    query = (
        select(ClueAlias.clue_id)
        .join(Clue, Clue.id == ClueAlias.clue_id)
        .where(ClueAlias.old_id == clue_id, clue_filter(user))
    )
    found = session.execute(query).scalar_one_or_none()
    return found if found is not None else clue_id


def aliases_of(session: Session, clue_id: str) -> list[str]:
    """The old ids of a clue (empty for clues generated since ids became opaque)."""
    query = select(ClueAlias.old_id).where(ClueAlias.clue_id == clue_id).order_by(ClueAlias.old_id)
    return list(session.execute(query).scalars())


def current_ids(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Old id → current id, for those of `ids` that are old ids (to show old audit events)."""
    wanted, found = sorted({i for i in ids if not is_opaque(i)}), dict[str, str]()
    for start in range(0, len(wanted), CHUNK):
        query = select(ClueAlias.old_id, ClueAlias.clue_id).where(
            ClueAlias.old_id.in_(wanted[start : start + CHUNK])
        )
        found.update({str(old): str(new) for old, new in session.execute(query).all()})
    return found
