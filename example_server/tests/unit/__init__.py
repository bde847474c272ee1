"""Fast tests: validation, service rules, store, tools driven in-process."""
