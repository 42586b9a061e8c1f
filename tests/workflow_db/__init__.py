"""Tests of the workflow store's db area."""
