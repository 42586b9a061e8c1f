"""抽查与核实: the sampling phase, a seeded stratified draw of self-checked clues and their verification.

The office draws (抽查) from the self-checked clues of a month and region not yet in a
draw, plus the disputed ones it selects; investigators verify the drawn ones on site
(调查核实). The draw is reproducible from the seed and the population:

Strata are (institution, rule). The sample size is `ceil(rate × N)` ("at least 20%");
each stratum gets `floor(rate × n)` and the remaining places go to the strata with the
largest fractional parts (ties broken by the seeded generator), so every stratum is
represented in proportion. Within a stratum the clues are drawn from the id-sorted list.
The same seed and population always give the same draw.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_clues
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.audit import events as ev
from sanjianguan.audit.log import record
from sanjianguan.cases import inputs
from sanjianguan.cases.evidence import EvidenceStore, Upload
from sanjianguan.cases.states import ClueStatus, SelfCheckOutcome, VerificationConclusion
from sanjianguan.cases.steps import begin, begin_on, finish, load_batch
from sanjianguan.cases.transitions import CaseAction as A
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.workflow_db.models import Clue, SamplingDraw, SamplingMember, SelfCheck, User, Verification

DEFAULT_RATE = Decimal("0.2")


@dataclass(frozen=True)
class Candidate:
    """One clue of the population and its stratum."""

    clue_id: str
    institution_id: str
    rule_id: str

    @property
    def stratum(self) -> str:
        return f"{self.institution_id}|{self.rule_id}"


def strata(population: Iterable[Candidate]) -> dict[str, list[str]]:
    """Stratum → sorted clue ids, strata sorted."""
    groups: dict[str, list[str]] = defaultdict(list)
    for candidate in population:
        groups[candidate.stratum].append(candidate.clue_id)
    return {key: sorted(groups[key]) for key in sorted(groups)}


def population_hash(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()


def allocate(sizes: dict[str, int], rate: Decimal, rng: random.Random) -> dict[str, int]:
    """Places per stratum: proportional, largest remainder, total `ceil(rate × N)`."""
    total = math.ceil(rate * sum(sizes.values()))
    quotas = {key: math.floor(rate * n) for key, n in sizes.items()}
    keys = list(sizes)
    rng.shuffle(keys)  # seeded tie-break among equal remainders
    keys.sort(key=lambda k: rate * sizes[k] - quotas[k], reverse=True)
    for key in keys[: max(0, total - sum(quotas.values()))]:
        quotas[key] += 1
    return quotas


def draw(population: list[Candidate], rate: Decimal, seed: str) -> set[str]:
    """The clue ids drawn from `population` at `rate` with `seed`."""
    rng = random.Random(f"sjg-sampling:{seed}")
    groups = strata(population)
    quotas = allocate({key: len(ids) for key, ids in groups.items()}, rate, rng)
    drawn: set[str] = set()
    for key, ids in groups.items():
        drawn.update(rng.sample(ids, quotas[key]))
    return drawn


# --- 抽查: the office's draw ------------------------------------------------------------


@dataclass(frozen=True)
class SampleResult:
    """One draw: its id and seed, the population, the clues drawn and those selected."""

    draw_id: int
    seed: str
    population: list[str]
    drawn: list[str]
    selected: list[str]


def sample(
    session: Session,
    user: User,
    period: str,
    region_code: str,
    *,
    rate: Decimal = DEFAULT_RATE,
    seed: str | None = None,
    include: Sequence[str] = (),
    now: datetime,
) -> SampleResult:
    """抽查: a seeded, stratified draw of self-checked clues not yet in a draw, plus selected disputes."""
    require(user, Action.CLUE_SAMPLE)
    region = require_region(user, region_code)
    if not Decimal(0) < rate <= Decimal(1):
        raise InvalidInputError("抽查比例应在 0 到 1 之间", "rate must be in (0, 1]", code="invalid_rate")
    seed = seed or secrets.token_hex(8)
    clues = _sampling_population(session, user, inputs.period(period), region.code)
    if not clues:
        raise ConflictError(
            f"{period} 在 {region.code} 没有待抽查的已自查线索",
            f"no self-checked clues to sample for {period} in {region.code}",
            code="nothing_to_sample",
        )
    by_id = {c.id: c for c in clues}
    selected = _selected_disputes(session, include, by_id)
    candidates = [Candidate(c.id, c.institution_id, c.rule_id) for c in clues]
    randomly = draw(candidates, rate, seed)
    drawn = sorted(randomly | set(selected))
    for clue_id in drawn:
        finish(begin_on(session, user, by_id[clue_id], A.SAMPLE, now), None)
    spec = _Draw(period, region.code, rate, seed, candidates, randomly, selected)
    draw_id = _record_draw(session, user, spec, now)
    return SampleResult(draw_id, seed, sorted(by_id), drawn, sorted(selected))


@dataclass(frozen=True)
class _Draw:
    """What a draw took and gave, for its audit event and its rows."""

    period: str
    region_code: str
    rate: Decimal
    seed: str
    candidates: list[Candidate]
    randomly: set[str]
    selected: set[str]

    @property
    def population(self) -> list[str]:
        return sorted(c.clue_id for c in self.candidates)

    @property
    def drawn(self) -> list[str]:
        return sorted(self.randomly | self.selected)

    def reason(self, clue_id: str) -> str:
        """Why a clue of the population is (or is not) in the draw."""
        return (
            "selected" if clue_id in self.selected else "random" if clue_id in self.randomly else "not_drawn"
        )


def _record_draw(session: Session, user: User, spec: _Draw, now: datetime) -> int:
    """The audit event, the draw row and one member row per clue of the population; the draw id."""
    population_sha256 = population_hash(spec.population)
    event = ev.SampleDrawn(
        subject_id=f"{spec.period}/{spec.region_code}",
        before={"status": ClueStatus.SELF_CHECKED.value},
        after={"status": ClueStatus.SAMPLED.value},
        period=spec.period,
        region_code=spec.region_code,
        rate=str(spec.rate),
        seed=spec.seed,
        population=spec.population,
        population_sha256=population_sha256,
        strata=strata(spec.candidates),
        drawn=spec.drawn,
        selected=sorted(spec.selected),
    )
    audited = record(session, event, actor=user, now=now)
    row = SamplingDraw(
        period=spec.period,
        region_code=spec.region_code,
        rate=str(spec.rate),
        seed=spec.seed,
        population_count=len(spec.candidates),
        population_sha256=population_sha256,
        drawn_count=len(spec.drawn),
        drawn_at=now,
        drawn_by=user.id,
        audit_seq=audited.seq,
    )
    session.add(row)
    session.flush()
    drawn = set(spec.drawn)
    for candidate in sorted(spec.candidates, key=lambda c: c.clue_id):
        session.add(
            SamplingMember(
                clue_id=candidate.clue_id,
                draw_id=row.id,
                stratum=candidate.stratum,
                drawn=candidate.clue_id in drawn,
                reason=spec.reason(candidate.clue_id),
            )
        )
    session.flush()
    return row.id


def _sampling_population(session: Session, user: User, period: str, region: str) -> list[Clue]:
    """The self-checked clues of `period` in `region` the user sees and no draw holds yet, locked."""
    not_drawn_yet = visible_clues(user).where(Clue.id.not_in(select(SamplingMember.clue_id)))
    return load_batch(session, not_drawn_yet, period, region, ClueStatus.SELF_CHECKED)


def _selected_disputes(session: Session, include: Sequence[str], population: dict[str, Clue]) -> set[str]:
    """The clues the office selects for verification: each must be a disputed self-check of the population."""
    chosen = set(include)
    for clue_id in sorted(chosen):
        found = session.get(SelfCheck, clue_id) if clue_id in population else None
        if found is None or found.outcome != SelfCheckOutcome.DISPUTED:
            raise InvalidInputError(
                f"选定核实的线索须为本次抽查范围内自查“不属实”的线索：{clue_id}",
                f"a selected clue must be a disputed self-check of this draw's population: {clue_id}",
                code="not_a_disputed_clue",
            )
    return chosen


# --- 调查核实: the investigator's verification -------------------------------------------


def verify(
    session: Session,
    user: User,
    clue_id: str,
    *,
    conclusion: VerificationConclusion,
    record_text: str,
    files: Sequence[Upload] = (),
    store: EvidenceStore,
    now: datetime,
) -> Verification:
    """调查核实: agree or disagree with the self-check, with the on-site record."""
    step = begin(session, user, clue_id, A.VERIFY, now)
    text = inputs.text(record_text, "核实记录", "verification record")
    file_ids = inputs.store_files(step, files, store, required=False)
    row = Verification(
        clue_id=clue_id, conclusion=conclusion.value, record=text, verified_at=now, verified_by=user.id
    )
    session.add(row)
    finish(step, ev.ClueVerified, after={"conclusion": conclusion.value}, file_ids=file_ids)
    return row
