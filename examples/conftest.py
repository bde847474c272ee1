"""The repository's run of the examples: each example directory is a project of its own, run
by ``test_examples.py`` from a copy, as a user would run it; the repository run does not collect
the example directories themselves."""

collect_ignore = ["minimal"]
