"""integration tests of the example server."""
