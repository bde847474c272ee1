"""The zero-code suite: conformance checks, schema-driven fuzzing and security probes (issue 4)."""
