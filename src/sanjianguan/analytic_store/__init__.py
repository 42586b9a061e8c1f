"""The analytic store: layout, idempotent batch loading, code mapping."""
