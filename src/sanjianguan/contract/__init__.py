"""The public data contract: schemas, batch reading, validation."""
