"""API schemas (pydantic), one module per resource: `XCreate` in, `XPublic` out."""
