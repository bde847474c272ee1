"""Chaos: seeded transport fault proxies and backend fault injection (issue 5)."""
