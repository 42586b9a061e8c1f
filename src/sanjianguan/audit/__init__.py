"""The audit log (审计日志): typed events, an append-only hash-chained writer, and `verify`."""
