"""Local token issuer, JWKS and OAuth metadata for servers under test (issue 5)."""
