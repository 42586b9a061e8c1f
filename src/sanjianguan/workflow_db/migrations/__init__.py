"""Alembic migrations of the workflow store (run by `sjg db upgrade` and on start)."""
