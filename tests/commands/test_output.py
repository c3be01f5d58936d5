"""Tables for people: long cells keep both ends, and the last column is never cut."""

from __future__ import annotations

import io
from pathlib import Path

from flxd.commands.output import print_table, shorten
from flxd.plugin.manager import load_plugins
from tests.commands.cli import flxd


def test_a_long_cell_keeps_its_start_and_its_end() -> None:
    error = (
        "TransientError: cannot connect to 10.1.2.3:443 for GET /stores/abc123/v3/catalog/"
        "products: [Errno 111] Connect call failed ('10.1.2.3', 443)"
    )
    cut = shorten(error, 60)
    assert len(cut) == 60
    assert cut.startswith("TransientError: cannot") and cut.endswith("('10.1.2.3', 443)")
    assert shorten("short", 60) == "short"


def test_a_column_without_a_limit_is_never_cut() -> None:
    out = io.StringIO()
    long = "x" * 200
    print_table(["a", "b"], [(long, long)], out, limits={"b": None})
    [_, row] = out.getvalue().splitlines()
    first, second = row.split("  ")
    assert len(first) == 60 and second == long


def test_plugins_lists_everything_each_plugin_registered(tmp_path: Path) -> None:
    host = load_plugins()
    shown = flxd(tmp_path / "absent.toml", "plugins")
    assert shown.code == 0
    for info in host.plugins:
        line = next(x for x in shown.out.splitlines() if x.startswith(info.name + " "))
        expected = ", ".join(f"{kind}:{name}" for kind, name in host.registrations(info.name))
        assert line.rstrip().endswith(expected or "-"), line
