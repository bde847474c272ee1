"""Tests of the example assignment server."""
