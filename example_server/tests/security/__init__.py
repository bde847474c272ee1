"""security tests of the example server."""
