"""`sjg worker`: APScheduler with its job store in the workflow store, waking the jobs.

Why a process of its own and not inside `sjg serve`: serve starts several worker
processes (`--workers N`), and each would start its own scheduler; the worker is one
process, started once (systemd: deploy/sjg-worker.service). Two workers started by
mistake (or two hosts) still run each job once: `runs.claim` (the `job_runs` lock).

The APScheduler jobs live in the table `apscheduler_jobs` of the workflow store
(SQLAlchemyJobStore on the same engine: SQLite or PostgreSQL), so their next run times
survive a restart. Each catalogue job is one APScheduler job, fired daily at
`[scheduler] hour` (China time) with `coalesce=True` and no misfire limit: wakes missed
while the worker was down fire once when it starts, not once per missed day. A start
first runs `run_due` once (the catch-up, also on the very first start). Either way the
job itself decides its slot (`slots`), and a slot already done is skipped.

Beside them, `messages.deliver` sends the message centre's queued email and webhook
deliveries every `[messages] deliver_minutes` (an interval job; 0 leaves it out). It has
no slot: the deliveries' own claims (`messages.delivery`) keep two workers from sending
one twice, and the sending happens outside any transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sanjianguan.clock import Clock
from sanjianguan.scheduler.catalogue import JobSpec, catalogue
from sanjianguan.scheduler.jobs import JobEnv
from sanjianguan.scheduler.runner import JobOutcome, run_due, run_job

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from sanjianguan.messages.delivery import DeliveryReport

log = logging.getLogger("sanjianguan.scheduler")

JOBSTORE_TABLE = "apscheduler_jobs"
# 消息外发: the interval job beside the catalogue's daily ones (`[messages] deliver_minutes`).
DELIVER_JOB, DELIVER_ZH = "messages.deliver", "消息外发"
TIMEZONE = "Asia/Shanghai"


class _Current:
    """The environment of this worker process: APScheduler's stored jobs name only a job id
    (the job store keeps a reference to `wake`, never the database or the settings)."""

    env: JobEnv | None = None
    clock: Clock | None = None
    jobs: dict[str, JobSpec] = {}  # noqa: RUF012 (one per process, set by `build`)


def wake(job_id: str) -> JobOutcome | None:
    """APScheduler's entry: run one catalogue job for its due slot (skipped if done)."""
    env, clock = _Current.env, _Current.clock
    job = _Current.jobs.get(job_id)
    if env is None or clock is None or job is None:
        log.warning("job %s woke outside a configured worker: skipped", job_id)
        return None
    outcome = run_job(env, job, clock())
    log.info("job %s slot %s: %s", outcome.job_id, outcome.slot, outcome.outcome)
    return outcome


def build(env: JobEnv, clock: Clock) -> BackgroundScheduler:
    """A started, paused scheduler whose job store holds exactly the catalogue's jobs.

    A job already stored keeps its next run time (a wake missed while the worker was down
    then fires once when the scheduler resumes); a new job is added; a changed hour
    reschedules it; a job no longer in the catalogue (`disabled`) is removed.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    jobs = catalogue(env.settings)
    _Current.env, _Current.clock, _Current.jobs = env, clock, {j.job_id: j for j in jobs}
    store = SQLAlchemyJobStore(engine=env.database.engine, tablename=JOBSTORE_TABLE)
    defaults = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
    scheduler = BackgroundScheduler(jobstores={"default": store}, job_defaults=defaults, timezone=TIMEZONE)
    scheduler.start(paused=True)
    trigger = CronTrigger(hour=env.settings.scheduler.hour, minute=0, timezone=TIMEZONE)
    for job in jobs:
        stored = scheduler.get_job(job.job_id)
        if stored is None:
            scheduler.add_job(wake, trigger, args=[job.job_id], id=job.job_id, name=job.zh)
        elif str(stored.trigger) != str(trigger):
            scheduler.reschedule_job(job.job_id, trigger=trigger)
    wanted = set(_Current.jobs)
    if env.settings.messages.deliver_minutes:
        _schedule_delivery(scheduler, env.settings.messages.deliver_minutes)
        wanted.add(DELIVER_JOB)
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            scheduler.remove_job(stored.id)
    return scheduler


def _schedule_delivery(scheduler: BackgroundScheduler, minutes: int) -> None:
    """The message centre's outbound job, every `minutes` (not a catalogue job: no slot, no
    `job_runs` row; two workers at once are safe through the deliveries' claims)."""
    from apscheduler.triggers.interval import IntervalTrigger

    trigger = IntervalTrigger(minutes=minutes, timezone=TIMEZONE)
    stored = scheduler.get_job(DELIVER_JOB)
    if stored is None:
        scheduler.add_job(deliver_messages, trigger, id=DELIVER_JOB, name=DELIVER_ZH)
    elif str(stored.trigger) != str(trigger):
        scheduler.reschedule_job(DELIVER_JOB, trigger=trigger)


def deliver_messages() -> DeliveryReport | None:
    """APScheduler's entry for `messages.deliver`: send the due email and webhook deliveries."""
    from sanjianguan.messages.delivery import deliver_pending

    env, clock = _Current.env, _Current.clock
    if env is None or clock is None:
        log.warning("%s woke outside a configured worker: skipped", DELIVER_JOB)
        return None
    report = deliver_pending(env.database, env.settings, clock())
    if report.sent or report.retrying or report.dead or report.lost:
        log.info(
            "%s: sent %d, retrying %d, dead %d, lost %d",
            DELIVER_JOB,
            len(report.sent),
            len(report.retrying),
            len(report.dead),
            len(report.lost),
        )
    return report


def start(
    env: JobEnv, clock: Clock, *, catch_up: bool = True
) -> tuple[BackgroundScheduler, list[JobOutcome]]:
    """Build the scheduler, catch up once (every due slot not yet done), then resume it."""
    scheduler = build(env, clock)
    outcomes = run_due(env, list(_Current.jobs.values()), clock()) if catch_up else []
    scheduler.resume()
    return scheduler, outcomes


def serve_forever(env: JobEnv, clock: Clock, *, on_catch_up: Callable[[list[JobOutcome]], Any]) -> None:
    """`sjg worker`: start, report the catch-up, run until SIGTERM (systemd stop) or Ctrl-C."""
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler, outcomes = start(env, clock)
    on_catch_up(outcomes)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=True)  # a job running now finishes first


def next_runs(env: JobEnv) -> dict[str, datetime | None]:
    """Each stored job's next run time (None: paused), read from the job store's table.

    Read directly (`id`, `next_run_time`: a UTC epoch float, APScheduler's own format), so
    `sjg worker status` works beside a running worker without starting a scheduler."""
    from sqlalchemy import inspect, text

    if not inspect(env.database.engine).has_table(JOBSTORE_TABLE):
        return {}
    with env.database.engine.connect() as con:
        rows = con.execute(text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE}")).all()
    return {job_id: None if at is None else datetime.fromtimestamp(float(at), UTC) for job_id, at in rows}
