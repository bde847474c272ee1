"""BackendMocks and the mcp_mock_backend fixture/marker: autospec'd replacements, always restored."""

from __future__ import annotations

import inspect

import pytest

from pytest_mcp.errors import McpAssertionError, McpUsageError
from pytest_mcp.mocks import BackendMocks
from tests.mocks import servers

pytestmark = pytest.mark.anyio


class Store:
    limit = 10

    def __init__(self) -> None:
        self.rows: list[str] = []

    def add(self, row: str) -> int:
        self.rows.append(row)
        return len(self.rows)

    async def fetch(self, key: str, *, fresh: bool = False) -> str:
        return key


async def test_async_functions_become_awaitable_autospec_mocks() -> None:
    original = servers.fetch_quota
    with BackendMocks() as mocks:
        quota = mocks.patch(servers, "fetch_quota", return_value=500)
        assert servers.fetch_quota is quota
        assert await servers.fetch_quota("ann") == 500
        with pytest.raises(TypeError):
            await servers.fetch_quota("ann", "extra")  # the real signature is enforced
        quota.assert_awaited_with("ann")
    assert servers.fetch_quota is original


async def test_methods_classes_and_instances() -> None:
    store = Store()
    with BackendMocks() as mocks:
        fetch = mocks.patch(Store, "fetch", return_value="cached")
        assert await Store().fetch("k", fresh=True) == "cached"
        fetch.assert_awaited_once()
        with pytest.raises(TypeError):
            await Store().fetch("k", stale=True)

        add = mocks.patch(store, "add", side_effect=[1, 2])
        assert (store.add("a"), store.add("b")) == (1, 2)
        assert add.call_count == 2

        fake_class = mocks.patch("tests.mocks.servers:Billing")
        fake_class.return_value.charge.return_value = "charged"
        assert await servers.Billing().charge("ann", 5) == "charged"
        assert inspect.iscoroutinefunction(Store.fetch) is False  # it is the mock now
    assert inspect.iscoroutinefunction(Store.fetch)
    assert "add" not in vars(store), "an attribute the instance did not own is removed again"
    assert servers.Billing.__name__ == "Billing"


async def test_string_forms_and_configure_mock() -> None:
    with BackendMocks() as mocks:
        charge = mocks.patch("tests.mocks.servers:Billing.charge", return_value="ok")
        assert await servers.Billing().charge("ann", 1) == "ok"
        quota = mocks.patch("tests.mocks.servers.fetch_quota", side_effect=RuntimeError("down"))
        with pytest.raises(RuntimeError, match="down"):
            await servers.fetch_quota("ann")
        store_cls = mocks("tests.mocks.test_backend", "Store", **{"return_value.add.return_value": 7})
        assert Store().add("x") == 7
        assert mocks["tests.mocks.servers:Billing.charge"] is charge
        assert mocks["tests.mocks.servers.fetch_quota"] is quota
        assert mocks["tests.mocks.test_backend:Store"] is store_cls
        assert len(mocks) == 3 and list(mocks) == [charge, quota, store_cls]
        with pytest.raises(
            KeyError, match=r"no backend mock 'nope'; replaced so far: 'tests\.mocks\.servers:Billing\.charge'"
        ):
            mocks["nope"]


def test_patches_are_undone_newest_first_even_on_the_same_name() -> None:
    original = Store.add
    mocks = BackendMocks(assert_all_called=False)
    first = mocks.patch(Store, "add")
    mocks.patch(Store, "add")
    mocks.undo()
    assert Store.add is original and first is not original
    assert len(mocks) == 0


def test_mocks_nobody_called_fail_at_undo() -> None:
    mocks = BackendMocks()
    mocks.patch(Store, "add")
    mocks.patch(Store, "fetch", assert_called=False)
    with pytest.raises(McpAssertionError) as raised:
        mocks.undo()
    assert str(raised.value).startswith(
        "mcp_mock_backend: replaced but never called: 'Store.add'. If the code under test imported the name with "
        "`from module import name`, patch it where it is used"
    )
    assert inspect.iscoroutinefunction(Store.fetch), "restored even though verification failed"


def test_wrong_targets_are_usage_errors() -> None:
    mocks = BackendMocks()
    with pytest.raises(McpUsageError, match=r"cannot import 'tests.mocks.nowhere'"):
        mocks.patch("tests.mocks.nowhere:thing")
    with pytest.raises(McpUsageError, match=r"has no attribute 'charg' \(it has: charge\)"):
        mocks.patch("tests.mocks.servers:Billing.charg")
    with pytest.raises(McpUsageError, match="name what to replace"):
        mocks.patch("servers")
    with pytest.raises(McpUsageError, match="name the attribute"):
        mocks.patch(Store)
    with pytest.raises(McpUsageError, match="cannot configure"):
        mocks.patch(Store, "limit", **{"missing.return_value": 1})
    mocks.undo(verify=False)
    assert Store.limit == 10


SERVER_CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.fixture
def mcp_server_target():
    return "tests.mocks.servers:make_weather_server"
"""


def test_fixture_and_marker_with_an_in_process_server(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(SERVER_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        from tests.mocks import servers
        pytestmark = pytest.mark.anyio

        async def test_fixture(mcp_client, mcp_mock_backend):
            mcp_mock_backend(servers, "fetch_quota", return_value=100)
            charge = mcp_mock_backend("tests.mocks.servers:Billing.charge", return_value="receipt-1")
            assert (await mcp_client.call("buy", user="ann", cents=50)).text == "receipt-1"
            charge.assert_awaited_once()
            assert charge.await_args.args[1:] == ("ann", 50)

        @pytest.mark.mcp_mock_backend("tests.mocks.servers:fetch_quota", return_value=10)
        @pytest.mark.mcp_mock_backend("tests.mocks.servers:Billing.charge", assert_called=False)
        async def test_markers(mcp_client, mcp_mock_backend):
            assert (await mcp_client.call("buy", user="ann", cents=50)).text == "over quota"
            mcp_mock_backend["tests.mocks.servers:fetch_quota"].assert_awaited_once_with("ann")

        def test_restored():
            assert "Mock" not in type(servers.fetch_quota).__name__
            assert servers.Billing.charge.__qualname__ == "Billing.charge"

        @pytest.mark.mcp_mock_backend("tests.mocks.servers:fetch_quota")
        async def test_never_called(mcp_mock_backend):
            pass

        @pytest.mark.mcp_mock_backend("tests.mocks.servers:nothing_here")
        def test_bad_target(mcp_mock_backend):
            pass

        @pytest.mark.mcp_mock_backend()
        def test_no_target():
            pass
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            "*test_fixture PASSED*",
            "*test_markers PASSED*",
            "*test_restored PASSED*",
            "*test_never_called ERROR*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*mcp_mock_backend: replaced but never called: 'tests.mocks.servers:fetch_quota'. If the code under test*"]
    )
    result.stdout.fnmatch_lines(["*'tests.mocks.servers:nothing_here'*has no attribute 'nothing_here'*"])
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.mcp_mock_backend: missing a required argument: 'target'. Signature: mcp_mock_backend(target*"]
    )
    result.assert_outcomes(passed=4, errors=3)


def test_a_backend_patch_is_what_patch_and_the_marker_apply() -> None:
    from pytest_mcp.mocks import BackendPatch

    original = Store.add
    with BackendMocks() as mocks:
        mock = mocks.apply(BackendPatch(Store, "add", assert_called=False, configure={"return_value": 7}))
        assert Store.add is mock and Store().add("row") == 7
    assert Store.add is original
    with pytest.raises(McpUsageError, match=r"the arguments are \(target, attribute=None"):
        BackendMocks().patch()
