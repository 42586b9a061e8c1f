"""定时任务 (the scheduler): the workflow's calendar run by itself, once, with catch-up.

Run as its own process, `sjg worker` (not inside `sjg serve`: serve runs several worker
processes and each would start its own scheduler). APScheduler wakes the worker
(`worker.py`, a database job store on the workflow store); every job is a plain function
of `jobs/` taking the environment and `now`, so tests call it without APScheduler.
`runs.py` is the once-only lock (`job_runs`), `slots.py` says which slot of a job is
due, `runner.py` claims, runs and records it. Where a job would message someone it
returns `hooks.Notification`s (the message centre delivers them).
"""
