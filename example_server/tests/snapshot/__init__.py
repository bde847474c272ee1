"""snapshot tests of the example server."""
