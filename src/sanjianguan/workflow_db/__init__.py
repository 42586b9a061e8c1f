"""The workflow store (流程库): SQLAlchemy models, engine and Alembic migrations.

SQLite in the data folder by default (`<home>/workflow.sqlite`), PostgreSQL when
`db.url` (env `SJG__DB__URL`) is set. The schema only ever changes through migrations.
"""
