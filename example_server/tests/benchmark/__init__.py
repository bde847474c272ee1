"""benchmark tests of the example server."""
