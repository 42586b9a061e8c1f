"""Tests of the workflow store's clues area."""
