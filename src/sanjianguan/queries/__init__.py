"""Declared queries (声明式查询): what rules, indicators and their views have in common.

A rule (一级指标规则), an indicator (二、三级指标) and a shared view are each a query
declared in DuckDB SQL, with `:name` placeholders, read from TOML or Python. This
package holds the parts they share: TOML loading with errors naming file and key
(`declared`), parameters and placeholder checks (`params`), compilation to an
engine's dialect (`compile`), the view declaration (`views`), the built-in period
placeholders and the no-data check (`period`). Rules and indicators build on it and
never import each other.
"""
