"""Planted-defect servers of the suite's own tests."""
