"""文本遮蔽: free text shown to experts is scanned and identities are masked (double-blind).

What is masked (every match is replaced by `MASK`):
- the ids and names of every institution the workflow store knows, in any case and also
  inside a longer word (`xh51150200001号` → `x〔已遮蔽〕号`);
- the doctor, patient and encounter ids of the clue and of every clue of its institution,
  and the ids and personal dates the clue's evidence carries (see `anonymise.masker_for`);
- the names of the people the store knows (users' display names, and their person part
  before the unit in brackets; two characters or more) and the clue's department;
- mobile numbers (`1[3-9]` + 9 digits, optionally `+86`), landlines written with an area
  code (`0833-1234567`, `(0833)1234567`) and 18-character ID numbers (last one may be X).

Limits (documented in docs/security.md): the names of doctors and patients are not in the
workflow store (the analytic store holds staff names; patients are pseudonymised), so a
person's name that no user carries is not detected; abbreviations of institution names
(“市一院”) are not detected; 15-digit (first-generation) ID numbers are not matched, as
they cannot be told from the 15-digit national item codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sanjianguan.workflow_db.models import Clue, Institution, User

MASK = "〔已遮蔽〕"
MIN_TERM = 2  # shorter terms (one character, one digit) would mask ordinary text

PATTERNS = (
    re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),  # 居民身份证号 (18 位)
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)"),  # 手机号
    re.compile(r"(?<!\d)(?:\(0\d{2,3}\)\s?|（0\d{2,3}）|0\d{2,3}[- ])\d{7,8}(?!\d)"),  # 固定电话
)


@dataclass(frozen=True)
class TextMasker:
    """Masks a fixed set of terms (case-insensitive, anywhere) and the patterns above."""

    terms: re.Pattern[str] | None

    @classmethod
    def of(cls, terms: Iterable[str | None]) -> TextMasker:
        kept = sorted({t.strip() for t in terms if t and len(t.strip()) >= MIN_TERM}, key=len, reverse=True)
        if not kept:
            return cls(None)
        return cls(re.compile("|".join(re.escape(t) for t in kept), re.IGNORECASE))

    def mask(self, text: str) -> str:
        """`text` with every term and every phone / ID number replaced by MASK."""
        if self.terms is not None:
            text = self.terms.sub(MASK, text)
        for pattern in PATTERNS:
            text = pattern.sub(MASK, text)
        return text


def person_names(display_name: str | None) -> set[str]:
    """A user's display name, and its person part before the unit (`何科长（…医保办）` → `何科长`)."""
    if not display_name:
        return set()
    person = re.split(r"[（(]", display_name, maxsplit=1)[0].strip()
    return {display_name.strip(), person} - {""}


def store_terms(session: Session, clue: Clue) -> set[str]:
    """Names and ids from the workflow store: all institutions, all users, the institution's clues."""
    terms: set[str] = set()
    for ident, name in session.execute(select(Institution.id, Institution.name)):
        terms.update((ident, name))
    for (display,) in session.execute(select(User.display_name)):
        terms.update(person_names(display))
    people = session.execute(
        select(Clue.doctor_id, Clue.patient_id, Clue.encounter_id).where(
            Clue.institution_id == clue.institution_id,
            or_(Clue.doctor_id.is_not(None), Clue.patient_id.is_not(None), Clue.encounter_id.is_not(None)),
        )
    )
    for row in people:
        terms.update(v for v in row if v)
    return {t for t in terms if t}
