"""Synthetic region generator with planted cases and their truth."""
