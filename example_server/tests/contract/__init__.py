"""contract tests of the example server."""
