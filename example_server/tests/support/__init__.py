"""Helpers shared by the example server's tests (no pytest plugins, no fixtures: plain functions)."""
