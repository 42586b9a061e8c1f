"""Tests of data quality (数据质控) and reporting duty (上报义务)."""
