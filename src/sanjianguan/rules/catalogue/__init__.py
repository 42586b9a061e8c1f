"""Built-in rule declarations, one TOML file per rule (see docs/rules.md)."""
