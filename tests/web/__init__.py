"""Tests of the workflow store's web area."""
