"""load tests of the example server."""
