import pytest


@pytest.mark.slow
def test_unregistered_marker():
    pass
