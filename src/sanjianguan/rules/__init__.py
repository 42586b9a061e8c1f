"""The level-1 rule catalogue (一级指标): one declaration per rule, a registry, a runner.

A rule is a query that returns the offending rows (疑似问题). Built-in rules live in
`catalogue/` as one TOML file each; a region adds its own in `<home>/rules/` and
re-parameterises or switches off any rule in `<home>/rules.toml`.
"""
