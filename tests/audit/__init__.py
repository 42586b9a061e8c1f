"""Tests of the workflow store's audit area."""
