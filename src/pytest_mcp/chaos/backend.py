"""Backend faults: make a function, method or respx route slow, failing or hanging, with a seed.

Meant for in-process servers (the test and the server share the interpreter, so patching a name
the server calls changes what the server does). Every patch is undone by ``restore()``.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ..errors import McpUsageError
from ._policy import BackendFaultOptions, derive_seed, sample_ms
from .events import ChaosEvent

__all__ = ["BackendFault"]

_MISSING: Final = object()


@dataclass(frozen=True)
class _Plan:
    call: int
    delay_s: float
    timeout: bool
    fail: bool


def _in_event_loop() -> bool:
    import anyio

    try:
        anyio.get_current_task()
    except RuntimeError:
        return False
    return True


def _is_respx_route(target: Any) -> bool:
    module = type(target).__module__
    return module.startswith("respx") and hasattr(target, "resolve") and hasattr(target, "side_effect")


def _resolve_path(spec: str) -> tuple[Any, str]:
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not attr_path:
        raise McpUsageError(
            f"chaos.backend({spec!r}): name the target as 'package.module:function' or 'package.module:Class.method'"
        )
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise McpUsageError(f"chaos.backend({spec!r}): cannot import {module_name!r}: {exc}") from None
    parts = attr_path.split(".")
    for part in parts[:-1]:
        try:
            owner = getattr(owner, part)
        except AttributeError:
            raise McpUsageError(f"chaos.backend({spec!r}): {owner!r} has no attribute {part!r}") from None
    if not hasattr(owner, parts[-1]):
        names = ", ".join(sorted(n for n in dir(owner) if not n.startswith("_"))[:20])
        raise McpUsageError(f"chaos.backend({spec!r}): no attribute {parts[-1]!r} (there is: {names})")
    return owner, parts[-1]


class BackendFault:
    """One patched backend target: its call counts, and ``restore()`` to undo the patch."""

    def __init__(
        self, target: Any, options: BackendFaultOptions, *, seed: int = 0, events: list[Any] | None = None
    ) -> None:
        self.target = target
        self.options = options
        self.calls = 0
        """How many times the patched target was called."""
        self.failures = 0
        self.timeouts = 0
        self.delays = 0
        self._events = events if events is not None else []
        self._lock = threading.Lock()
        self.label = self._label(target)
        self._rng = random.Random(derive_seed(seed, "backend", self.label))
        self._undo: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"<BackendFault {self.label} calls={self.calls} failures={self.failures} timeouts={self.timeouts}>"

    @staticmethod
    def _label(target: Any) -> str:
        if isinstance(target, str):
            return target
        if isinstance(target, tuple) and len(target) == 2:
            owner, name = target
            return f"{getattr(owner, '__qualname__', None) or getattr(owner, '__name__', None) or type(owner).__name__}.{name}"
        if _is_respx_route(target):
            return f"respx route {target.name or target.pattern!r}"
        return repr(target)

    # -- the fault plan ---------------------------------------------------------------------------
    def _plan(self) -> _Plan:
        with self._lock:
            self.calls += 1
            rng = self._rng
            timeout_roll, fail_roll, delay_roll = rng.random(), rng.random(), rng.random()
            private = random.Random(rng.getrandbits(64))
            call = self.calls
        delay = 0.0
        if self.options.delay_ms is not None and delay_roll < self.options.delay_rate:
            delay = sample_ms(self.options.delay_ms, private, limit_ms=self.options.timeout_ms * 10 + 60_000) / 1000
        plan = _Plan(call, delay, timeout_roll < self.options.timeout_rate, fail_roll < self.options.fail_rate)
        self._note(plan)
        return plan

    def _note(self, plan: _Plan) -> None:

        if plan.timeout:
            self.timeouts += 1
            fault, detail = "backend timeout", f"hangs {self.options.timeout_ms:.0f} ms, then times out"
        elif plan.fail:
            self.failures += 1
            fault, detail = "backend failure", f"raises {self._exception_name()}"
        elif plan.delay_s:
            fault, detail = "backend delay", ""
        else:
            return
        if plan.delay_s:
            self.delays += 1
        self._events.append(
            ChaosEvent(0, "backend", self.label, fault, f"call {plan.call}: {detail}".rstrip(": "), plan.delay_s * 1000)
        )

    def _exception_name(self) -> str:
        exc = self.options.exception
        if exc is None:
            return "OSError"
        if isinstance(exc, Exception):
            return f"{type(exc).__name__}({exc})"
        return getattr(exc, "__name__", repr(exc))

    def _make_exception(self, plan: _Plan) -> Exception:
        exc = self.options.exception
        message = f"chaos: injected failure in {self.label} (call {plan.call})"
        if exc is None:
            return OSError(message)
        if isinstance(exc, Exception):
            try:
                return copy.copy(exc)
            except Exception:
                return exc
        if isinstance(exc, type) and issubclass(exc, Exception):
            return exc(message)
        if callable(exc):
            made = exc()
            if isinstance(made, Exception):
                return made
        raise McpUsageError(f"chaos.backend({self.label!r}): exception={exc!r} is not an exception, class or factory")

    def _timeout_exception(self, request: Any = None) -> Exception:
        message = f"chaos: {self.label} timed out after {self.options.timeout_ms:.0f} ms"
        if request is not None:
            import httpx

            return httpx.ReadTimeout(message, request=request)
        return TimeoutError(message)

    # -- patching ----------------------------------------------------------------------------------
    def install(self) -> BackendFault:
        if self._undo is not None:
            return self
        target = self.target
        if _is_respx_route(target):
            self._undo = self._patch_route(target)
            return self
        if isinstance(target, str):
            owner, name = _resolve_path(target)
        elif isinstance(target, tuple) and len(target) == 2 and isinstance(target[1], str):
            owner, name = target
        else:
            raise McpUsageError(
                f"chaos.backend({target!r}): give 'pkg.module:name', 'pkg.module:Class.method', (owner, 'name') "
                "or a respx route"
            )
        self._undo = self._patch_attribute(owner, name)
        return self

    def restore(self) -> None:
        """Undo the patch (safe to call twice)."""
        undo, self._undo = self._undo, None
        if undo is not None:
            undo()

    def _patch_attribute(self, owner: Any, name: str) -> Callable[[], None]:
        own = vars(owner).get(name, _MISSING) if hasattr(owner, "__dict__") else _MISSING
        static = inspect.getattr_static(owner, name)
        if isinstance(static, staticmethod | classmethod):
            replacement: Any = type(static)(self._wrap(static.__func__))
        elif (inspect.isclass(owner) or inspect.ismodule(owner)) and callable(static):
            replacement = self._wrap(static)  # a function: on a class it binds like the original
        else:
            bound = getattr(owner, name)  # an object's method: patch the bound method on the instance
            if not callable(bound):
                raise McpUsageError(f"chaos.backend({self.label!r}): {name!r} is not callable")
            replacement = self._wrap(bound)
        setattr(owner, name, replacement)

        def undo() -> None:
            if own is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, own)

        return undo

    def _wrap(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isasyncgenfunction(func):
            raise McpUsageError(f"chaos.backend({self.label!r}): async generators are not supported")
        fault = self
        if inspect.iscoroutinefunction(func):

            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                import anyio

                plan = fault._plan()
                if plan.delay_s:
                    await anyio.sleep(plan.delay_s)
                if plan.timeout:
                    await anyio.sleep(fault.options.timeout_ms / 1000)
                    raise fault._timeout_exception()
                if plan.fail:
                    raise fault._make_exception(plan)
                return await func(*args, **kwargs)

            wrapper: Callable[..., Any] = async_wrapper
        else:

            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                plan = fault._plan()
                if plan.delay_s:
                    time.sleep(plan.delay_s)
                if plan.timeout:
                    time.sleep(fault.options.timeout_ms / 1000)
                    raise fault._timeout_exception()
                if plan.fail:
                    raise fault._make_exception(plan)
                return func(*args, **kwargs)

            wrapper = sync_wrapper
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            if hasattr(func, attribute):
                setattr(wrapper, attribute, getattr(func, attribute))
        wrapper.__wrapped__ = func  # type: ignore[attr-defined]
        return wrapper

    def _patch_route(self, route: Any) -> Callable[[], None]:
        from respx.models import SideEffectError

        original = route.resolve
        fault = self

        def resolve(request: Any, **kwargs: Any) -> Any:
            plan = fault._plan()
            if not (plan.delay_s or plan.timeout or plan.fail):
                return original(request, **kwargs)
            if _in_event_loop():
                return later(plan, request, kwargs)
            time.sleep(plan.delay_s + (fault.options.timeout_ms / 1000 if plan.timeout else 0))
            if plan.timeout:
                raise SideEffectError(route, origin=fault._timeout_exception(request))
            if plan.fail:
                raise SideEffectError(route, origin=fault._make_exception(plan))
            return original(request, **kwargs)

        async def later(plan: _Plan, request: Any, kwargs: dict[str, Any]) -> Any:
            import anyio

            await anyio.sleep(plan.delay_s + (fault.options.timeout_ms / 1000 if plan.timeout else 0))
            if plan.timeout:
                raise fault._timeout_exception(request)
            if plan.fail:
                raise fault._make_exception(plan)
            try:
                result = original(request, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
            except SideEffectError as error:
                raise error.origin from None
            return result

        route.resolve = resolve

        def undo() -> None:
            vars(route).pop("resolve", None)

        return undo
