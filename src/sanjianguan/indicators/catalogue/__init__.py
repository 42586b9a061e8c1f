"""Built-in indicator declarations, one TOML file per indicator (see docs/indicators.md)."""
