"""Tests of the workflow store's access area."""
