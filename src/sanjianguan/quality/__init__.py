"""Data quality (数据质控) and reporting duty (上报义务) of the institutions' uploads.

It sits above the analytic store: it reads the loaded tables and writes its own store
tables (`quality`, `reporting_events`). The public data contract (`contract/`) only says
what a valid upload is; how good the accepted data is, and whether it came on time, is
judged here.
"""
