"""The counts each reliability test reports, shown together at the end of the run.

CI runs pytest without `-s`, so a test's own prints are only shown when it fails. Counts given
to the `report` fixture are also printed in a `reliability counts` section of pytest's terminal
summary, pass or fail, and appended as JSON lines to `$FLXD_RELIABILITY_REPORT` when it is set.
A module whose counts add up over many tests (hypothesis properties) reports them once, when
the module is done, through :func:`report_when_done` -- a fixture finaliser, not a test that
could never fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flxd_woocommerce.sandbox import PessimismConfig

Report = Callable[..., None]
BEHAVIOURS = ("documented", "pessimistic")
"""The BigCommerce sandbox's behaviours (flxd_bigcommerce.sandbox.behaviour)."""


SETTLING_RUNS = 3
"""Final `run --once` rounds on the pessimistic WooCommerce store: its batch items fail at
random (a per-item database error), and a failed item is sent again by the next run, not
retried at once, so the end state is what a few runs leave, as a daemon's next intervals
would. (The BigCommerce store fails only a write's inventory part, which the reconciliation pass
finds.)"""


def final_runs(behaviour: str) -> int:
    return SETTLING_RUNS if behaviour == "pessimistic" else 1


def woo_listed_by(behaviour: str) -> datetime | None:
    """Taken as flxd's final runs begin: on the pessimistic WooCommerce store, an order placed
    after this moment was not yet listed (PessimismConfig.order_lag_s), so no run could see
    it; the end state leaves those out (and counts them)."""
    if behaviour != "pessimistic":
        return None
    return datetime.now(UTC) - timedelta(seconds=PessimismConfig().order_lag_s)


def on_behaviours(*names: str) -> pytest.MarkDecorator:
    """Parametrise a test's `behaviour` argument over the sandbox behaviours (both unless
    named)."""
    return pytest.mark.parametrize("behaviour", names or BEHAVIOURS)


_REPORTED: list[tuple[str, dict[str, Any]]] = []


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Report:
    """`report(kills=50, faults={...})`: print the counts and keep them for the summary."""

    def add(**counts: Any) -> None:
        _record(request.node.nodeid, counts)

    return add


def report_when_done(**counts: Callable[[], Any]) -> Any:
    """A module-scoped autouse fixture reporting ``{name: counts[name]()}`` after the module's
    last test. Use: ``_counts = report_when_done(examples=lambda: dict(CHECKED))``."""

    @pytest.fixture(scope="module", autouse=True)
    def _report_when_done(request: pytest.FixtureRequest) -> Iterator[None]:
        yield
        _record(request.node.nodeid, {name: read() for name, read in counts.items()})

    return _report_when_done


def _record(nodeid: str, counts: dict[str, Any]) -> None:
    line = " ".join(f"{k}={_show(v)}" for k, v in counts.items())
    print(f"{nodeid}: {line}")
    _REPORTED.append((nodeid, counts))
    target = os.environ.get("FLXD_RELIABILITY_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"test": nodeid, **counts}) + "\n")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_show(v)}" for k, v in sorted(value.items())) + "}"
    return str(value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _REPORTED:
        return
    terminalreporter.section("reliability counts")
    for nodeid, counts in _REPORTED:
        terminalreporter.write_line(f"{nodeid.removeprefix('tests/reliability/')}:")
        for key, value in counts.items():
            terminalreporter.write_line(f"    {key} = {_show(value)}")


RECONCILE = ("--reconcile",)
"""On the pessimistic stores, stock the store changed without moving a date (orders placed on
it, a lost inventory part of a 207) is found only by the reconciliation pass: after the final
runs, what the daemon does at `reconcile_interval`, a `run --once --reconcile` and then a
`run --once` whose sync puts the hub's values back."""
