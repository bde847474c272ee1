"""The fault policy on its own: validation, latency distributions, method matching, seeds, damage."""

from __future__ import annotations

import dataclasses
import inspect
import random

import pytest

from pytest_mcp import markers
from pytest_mcp.chaos import ChaosOptions, FaultInjector, exponential, normal
from pytest_mcp.chaos._policy import (
    DOCS,
    derive_seed,
    method_matches,
    sample_ms,
)
from pytest_mcp.chaos.injector import damage
from pytest_mcp.run_seed import parse_seed

pytestmark = [pytest.mark.unit, pytest.mark.chaos]


def test_marker_fixture_and_injector_share_one_options_type() -> None:
    marker = markers.options_signature(ChaosOptions).parameters
    assert list(marker) == [field.name for field in dataclasses.fields(ChaosOptions)]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in marker.values())
    by_keywords = FaultInjector(seed=3, drop_rate=0.5, methods=["tools/call"])
    by_options = FaultInjector(ChaosOptions(seed=3, drop_rate=0.5, methods=["tools/call"]))
    assert by_keywords.policy == by_options.policy == ChaosOptions(seed=3, drop_rate=0.5, methods=("tools/call",))
    with pytest.raises(TypeError, match="unexpected keyword argument 'drop'"):
        FaultInjector(drop=0.5)


def test_bind_names_the_wrong_keyword_and_shows_the_signature() -> None:
    with pytest.raises(
        pytest.UsageError, match=r"got an unexpected keyword argument 'latency'\. Signature: mcp_chaos\(\*, seed"
    ):
        markers.bind("mcp_chaos", (), {"latency": 5}, ChaosOptions, DOCS)
    with pytest.raises(pytest.UsageError, match="too many positional arguments"):
        markers.bind("mcp_chaos", (0.5,), {}, ChaosOptions, DOCS)
    with pytest.raises(pytest.UsageError, match=r"^@pytest.mark.mcp_chaos\(drop_rate=2\): drop_rate=2: a rate is"):
        markers.bind("mcp_chaos", (), {"drop_rate": 2}, ChaosOptions, DOCS)
    assert markers.bind("mcp_chaos", (), {"drop_rate": 0.5}, ChaosOptions, DOCS).drop_rate == 0.5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"drop_rate": 1.5}, "drop_rate=1.5: a rate is a probability between 0 and 1"),
        ({"error_rate": -0.1}, "error_rate=-0.1: a rate"),
        ({"latency_rate": True}, "latency_rate=True: a rate"),
        ({"latency_ms": -1}, "latency_ms=-1: give milliseconds"),
        ({"latency_ms": "slow"}, "latency_ms='slow': give milliseconds"),
        ({"latency_ms": (5, 1)}, r"latency_ms=\(5, 1\): a range must be"),
        ({"disconnect_after_ms": (1, 2, 3)}, "disconnect_after_ms=.*a range must be"),
        ({"max_hold_ms": 0}, "max_hold_ms=0: give a number of milliseconds greater than 0"),
    ],
)
def test_bad_policies_are_rejected_with_the_reason(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ChaosOptions(**changes)  # type: ignore[arg-type]


def test_latency_specs_are_sampled_within_their_bounds_and_capped() -> None:
    rng = random.Random(1)
    assert sample_ms(None, rng, limit_ms=100) == 0
    assert sample_ms(40, rng, limit_ms=100) == 40
    assert sample_ms(400, rng, limit_ms=100) == 100
    samples = [sample_ms((10, 20), rng, limit_ms=100) for _ in range(200)]
    assert all(10 <= s <= 20 for s in samples) and max(samples) - min(samples) > 5
    assert sample_ms(lambda r: -5, rng, limit_ms=100) == 0
    tail = [sample_ms(exponential(10, max_ms=50), rng, limit_ms=1000) for _ in range(2000)]
    assert max(tail) == 50 and 7 < sum(tail) / len(tail) < 12
    bell = [sample_ms(normal(30, 5), rng, limit_ms=1000) for _ in range(2000)]
    assert min(bell) >= 0 and max(bell) <= 50 and 28 < sum(bell) / len(bell) < 32


def test_methods_match_by_method_or_method_and_name_and_spare_the_handshake() -> None:
    call = {"name": "create_item", "arguments": {}}
    assert method_matches("tools/call", call, None)
    assert not method_matches("initialize", {}, None)
    assert not method_matches("server/discover", {}, None)
    assert method_matches("server/discover", {}, None, handshake=True)
    assert method_matches("tools/call", call, ["tools/*"])
    assert method_matches("tools/call", call, ["tools/call:create_*"])
    assert not method_matches("tools/call", call, ["tools/call:delete_*"])
    assert method_matches("resources/read", {"uri": "demo://items/1"}, ["resources/read:demo://items/*"])
    assert not method_matches("tools/list", {}, ["tools/call"])


def test_policy_describes_only_what_is_switched_on() -> None:
    assert ChaosOptions().describe() == "no faults"
    assert not ChaosOptions().active
    policy = ChaosOptions(latency_ms=(1, 5), latency_rate=0.5, drop_rate=0.1, methods=["tools/call"])
    assert policy.describe() == "latency_ms=(1, 5) at rate 0.5, drop_rate=0.1, methods=['tools/call']"
    assert policy.active
    assert ChaosOptions(latency_ms=exponential(20)).describe() == "latency_ms=exponential(mean_ms=20, max_ms=200)"
    assert ChaosOptions(methods="tools/call").methods == ("tools/call",)


def test_seeds_are_stable_per_base_and_name_and_parse_like_ints() -> None:
    assert derive_seed(42, "tests/test_a.py::test_x") == derive_seed(42, "tests/test_a.py::test_x")
    assert derive_seed(42, "tests/test_a.py::test_x") != derive_seed(42, "tests/test_a.py::test_y")
    assert derive_seed(42, "tests/test_a.py::test_x") != derive_seed(43, "tests/test_a.py::test_x")
    assert 0 <= derive_seed(1, "x") < 2**32
    assert parse_seed("123") == 123
    assert parse_seed("0x1f") == 31
    with pytest.raises(ValueError, match="must be >= 0"):
        parse_seed("-1")


def test_damage_changes_one_argument_to_a_wrong_type_and_keeps_meta() -> None:
    params = {"name": "add", "arguments": {"a": 1, "b": 2}, "_meta": {"k": "v"}}
    damaged, detail = damage(params, random.Random(3))
    assert damaged["_meta"] == {"k": "v"} and damaged["name"] == "add"
    changed = [key for key in ("a", "b") if damaged["arguments"][key] != params["arguments"][key]]
    assert len(changed) == 1
    assert not isinstance(damaged["arguments"][changed[0]], int)
    assert detail.startswith(f"arguments.{changed[0]}: {params['arguments'][changed[0]]} -> ")
    assert params["arguments"] == {"a": 1, "b": 2}, "the caller's params must not change"
    assert damage(params, random.Random(3)) == (damaged, detail)


def test_damage_garbles_the_name_when_there_are_no_arguments() -> None:
    damaged, detail = damage({"name": "count", "arguments": {}}, random.Random(0))
    assert damaged["name"] == "tnuoc\ufffd"
    assert detail == 'name: "count" -> "tnuoc\\ufffd"'
    damaged, _ = damage({"uri": "demo://x"}, random.Random(0))
    assert damaged["uri"] == "x//:omed\ufffd"
    damaged, _ = damage(None, random.Random(0))
    assert damaged == {"\ufffd": "\ufffd"}
