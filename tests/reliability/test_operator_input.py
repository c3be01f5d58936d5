"""Bad input from the operator: fuzzed config files and listing feed files (hypothesis).

Config: a complete, valid config is mutated (a value of the wrong type or out of range, a key
removed or misspelt, the file cut short or a stray line inserted). flxd must refuse it with
every problem placed (a key path, or a line for TOML syntax), exit 2 from `run --once` without
creating anything, or take it because it really is valid: everything in it usable as it is.

Feed files: CSV and JSON Lines listing files with rows spoilt at random. Each bad row is refused
with its line number and the column at fault and nothing of it is written; a bad file (its
header) is refused whole with nothing written; every good row lands with its values.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import math
import os
import sqlite3
import tempfile
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from flxd.cli import main
from flxd.config import Config, parse_config
from flxd.errors import ConfigError
from flxd.plugin.manager import load_plugins
from tests.reliability.channel_payloads import ODD_TEXT
from tests.reliability.conftest import report_when_done
from tests.reliability.toml_text import dumps

HOST = load_plugins()
SEEN: Counter[str] = Counter()
_counts = report_when_done(examples=lambda: dict(SEEN))  # what was checked
BASE = """
[daemon]
state_dir = "state"
grace_period = "20s"
max_concurrent_runs = 16
jitter = 0.1

[admin]
enabled = false
listen = "127.0.0.1:8786"

[logging]
level = "info"
format = "json"

[connections.shop]
channel = "bigcommerce"
store_hash = "abc123"
access_token_env = "SHOP_TOKEN"
api_base_url = "http://127.0.0.1:9"
max_concurrency = 3
request_timeout = "30s"

[connections.shop.import_listings]
enabled = true
interval = "5m"
master_sku = "sku"
mode = "create_only"
overlap = "5m"

[connections.shop.sync_listings]
enabled = true
interval = "1m"
location_id = 1

[connections.shop.get_orders]
enabled = true
interval = "2m"
statuses = ["Awaiting Fulfillment", 8]
acknowledge = "status"
acknowledge_status = "Awaiting Shipment"
pii_retention_days = 90

[connections.shop.sync_orders]
enabled = true
interval = "5m"
carriers = { ups = { shipping_provider = "ups" } }

[sinks.events]
type = "jsonl"
path = "state/events.jsonl"

[feeds.stock]
type = "file"
path = "supplier/stock.csv"
interval = "5m"
"""
TOML_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 65536, 2**31, 10**12]),
    st.floats(),
    st.sampled_from([float("nan"), float("inf"), 1e300, 0.5, -0.0]),
    st.text(max_size=20),
    st.sampled_from([t for t in ODD_TEXT if len(t) < 1000]),
    st.sampled_from(
        ["5", "5x", "1h30", "-5m", "9" * 30 + "d", "1e400", "250ms", "0s", "nan", "inf"]
    ),
    st.sampled_from(["a\x00b", "../../etc", "/dev/null", "~/x", "127.0.0.1:99999", "[::1]:80"]),
    st.datetimes(),
    st.lists(st.integers(min_value=-3, max_value=20), max_size=3),
    st.dictionaries(st.sampled_from(["enabled", "x", "type"]), st.booleans(), max_size=2),
)
_DROP = object()


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((*prefix, key))
            found += _paths(inner, (*prefix, key))
    return found


@st.composite
def fuzzed_configs(draw: st.DrawFn) -> str:
    data = tomllib.loads(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(data)))
        parent: Any = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "drop", "misspell", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(TOML_VALUES)
        elif action == "drop":
            del parent[path[-1]]
        elif action == "misspell":
            parent[path[-1] + draw(st.sampled_from(["l", "s", "_"]))] = parent.pop(path[-1])
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.sampled_from(["intervall", "enable", "x y"]))] = 1
    text = dumps(data)
    edit = draw(st.sampled_from(["none", "none", "cut", "insert"]))
    if edit == "cut":
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    elif edit == "insert":
        lines = text.split("\n")
        at = draw(st.integers(min_value=0, max_value=len(lines)))
        junk = draw(st.sampled_from(["[connections", "key = ", "= 1", "x = 1\nx = 2", "\x00"]))
        text = "\n".join([*lines[:at], junk, *lines[at:]])
    return text


def usable(config: Config) -> None:
    """What an accepted config promises: every value in it can be used as it is (durations
    are finite timedeltas, paths and text have no NUL, numbers are finite)."""
    for where, value in _values(config):
        if isinstance(value, float):
            assert math.isfinite(value), where
            timedelta(seconds=value)  # would overflow at start-up
        if isinstance(value, str | Path):
            assert "\x00" not in str(value), where
            str(value).encode("utf-8")


def _values(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _values(getattr(value, name), f"{where}.{name}")
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            yield from _values(getattr(value, item.name), f"{where}.{item.name}")
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _values(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for n, inner in enumerate(value):
            yield from _values(inner, f"{where}[{n}]")
    else:
        yield where, value


def run_cli(tmp: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=fuzzed_configs())
def test_a_fuzzed_config_is_refused_with_each_problem_placed(text: str) -> None:
    SEEN["configs"] += 1
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, {"SHOP_TOKEN": "t"}):
        root = Path(tmp)
        path = root / "flxd.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            config = parse_config(
                text,
                registries=HOST,
                base_dir=root,
                environ={"SHOP_TOKEN": "t"},
                path=path,
            )
        except ConfigError as exc:
            SEEN["configs_refused"] += 1
            assert exc.problems
            for problem in exc.problems:
                assert (
                    problem.path
                    or " line " in problem.message
                    or "end of document" in problem.message
                ), problem
            code, said = run_cli(root, "--config", str(path), "run", "--once")
            assert code == 2, said
            assert said.startswith("flxd: ") and "problem(s) in the config" in said, said
            assert sorted(p.name for p in root.iterdir()) == ["flxd.toml"], "something written"
            return
        SEEN["configs_accepted"] += 1
        usable(config)


# ---- feed files -------------------------------------------------------------------------------

COLUMNS = ["sku", "parent", "name", "price", "quantity", "upc", "options"]
BAD_CELLS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from([t for t in ODD_TEXT if len(t) < 300]),
    st.sampled_from(["-1", "1.23456", "1e12", "abc", "12345", "0" * 20, "Size", "=M", "{]"]),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


def good_row(n: int) -> dict[str, Any]:
    return {
        "sku": f"F-{n:03d}",
        "parent": f"P-{n // 2:03d}",
        "name": f"Feed thing {n // 2}",
        "price": f"{n}.{n % 100:02d}",
        "quantity": str(n * 3),
        "upc": f"{100000000000 + n}",
        "options": f"Size={'SML'[n % 3]}",
    }


@st.composite
def feed_files(draw: st.DrawFn) -> tuple[str, str, list[dict[str, Any]], set[int]]:
    """(format, file text, the rows as written, indexes of the rows that were spoilt)."""
    kind = draw(st.sampled_from(["csv", "jsonl"]))
    rows = [good_row(n) for n in range(draw(st.integers(min_value=1, max_value=8)))]
    spoilt: set[int] = set()
    for index in draw(st.sets(st.integers(min_value=0, max_value=len(rows) - 1), max_size=3)):
        row = copy.deepcopy(rows[index])
        column = draw(st.sampled_from([*COLUMNS, "extra"]))
        row[column] = draw(BAD_CELLS)
        rows[index] = row
        spoilt.add(index)
    header = list(COLUMNS)
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        header[draw(st.integers(min_value=0, max_value=len(header) - 1))] = draw(
            st.sampled_from(["skew", "Price", "", "sku"])
        )
    if kind == "jsonl":
        text = "\n".join(json.dumps({k: v for k, v in r.items()}) for r in rows) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else str(r.get(c)) for c in header])
        text = buffer.getvalue()
    return kind, text, rows, spoilt


def hub_rows(db: Path) -> dict[str, sqlite3.Row]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {r["sku"]: r for r in conn.execute("SELECT sku, price, quantity FROM variants")}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=feed_files())
def test_a_fuzzed_feed_file_lands_its_good_rows_and_refuses_the_rest_by_line(
    case: tuple[str, str, list[dict[str, Any]], set[int]],
) -> None:
    kind, text, rows, spoilt = case
    SEEN["feed_files"] += 1
    SEEN["feed_rows"] += len(rows)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "flxd.toml").write_text('[daemon]\nstate_dir = "state"\n', encoding="utf-8")
        feed = root / f"stock.{kind}"
        feed.write_bytes(text.encode("utf-8", "surrogatepass"))
        code, said = run_cli(
            root, "--config", str(root / "flxd.toml"), "listings", "upsert", str(feed)
        )
        stored = hub_rows(root / "state" / "flxd.db")
    assert code in (0, 1, 2), said
    assert "Traceback" not in said, said
    refused = [line for line in said.splitlines() if ": line " in line]
    if code == 2 or " row(s): " not in said:
        # The file itself was refused: nothing from it was written.
        SEEN["feed_files_refused"] += 1
        assert not stored, said
        assert ": line 1: " in said or "not UTF-8" in said, said
        return
    refused_lines = {int(line.split(": line ", 1)[1].split(":", 1)[0]) for line in refused}
    first_row = 1 if kind == "jsonl" else 2
    for index, row in enumerate(rows):
        line = first_row + index
        sku = row.get("sku")
        if line in refused_lines:
            SEEN["feed_rows_refused"] += 1
            message = next(r for r in refused if f": line {line}: " in r)
            said = message.split(f": line {line}: ", 1)[1]
            # It names the column, or (a row cut short or too long) the cell count.
            assert ":" in said or said.startswith("expected "), message
            if isinstance(sku, str) and sku.startswith("F-"):
                assert sku not in stored or _written_by_another(rows, index, sku), message
            continue
        assert index in spoilt or line not in refused_lines, said
        if index not in spoilt:
            mine = stored[row["sku"]]
            assert Decimal(mine["price"]) == Decimal(row["price"]), mine
            assert mine["quantity"] == int(row["quantity"]), mine


def _written_by_another(rows: list[dict[str, Any]], index: int, sku: str) -> bool:
    return any(i != index and r.get("sku") == sku for i, r in enumerate(rows))
