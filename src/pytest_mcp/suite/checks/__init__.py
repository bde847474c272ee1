"""The conformance checks, one module per area of the spec checklist (see ``registry.CHECK_MODULES``)."""
