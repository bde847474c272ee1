"""chaos tests of the example server."""
