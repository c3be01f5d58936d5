"""No command ends in a Python traceback: not when its reader goes away (`flxd … | head`), not
with standard output closed (`flxd … >&-`), not with paths that cannot be read or written.

Every verb the parser knows (plugin commands included) must have a line in VERBS, so a new
verb is driven here too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flxd.cli import build_parser
from flxd.commands.streams import EXIT_READER_GONE
from flxd.plugin.manager import load_plugins
from tests.commands.cli import MEMORY_TOKEN, Result, flxd, memory_config

ENV = {**os.environ, "SHOP1_TOKEN": MEMORY_TOKEN}

# Each verb with arguments that make it print something (on the hub built by `workspace`).
VERBS: dict[str, list[str]] = {
    "run": ["run", "--admin-listen", "127.0.0.1:0"],
    "run --once": ["run", "--once"],
    "check-config": ["check-config"],
    "listings upsert": ["listings", "upsert", "{feed}"],
    "listings list": ["listings", "list"],
    "listings show": ["listings", "show", "MEM-0000-0"],
    "listings pause": ["listings", "pause", "MEM-0001-0"],
    "listings unpause": ["listings", "unpause", "MEM-0001-0"],
    "listings hide": ["listings", "hide", "MEM-0002-0"],
    "listings unhide": ["listings", "unhide", "MEM-0002-0"],
    "listings delist": ["listings", "delist", "MEM-0002-0"],
    "listings relist": ["listings", "relist", "MEM-0002-0"],
    "listings export": ["listings", "export"],
    "orders list": ["orders", "list"],
    "orders show": ["orders", "show", "1"],
    "orders export": ["orders", "export"],
    "orders ship": ["orders", "ship", "1", "--tracking", "T1", "--item", "MEM-0000-0=1"],
    "orders explain": ["orders", "explain", "shop1", "1"],
    "status": ["status"],
    "runs": ["runs", "--verbose"],
    "plugins": ["plugins"],
    "connections check": ["connections", "check", "shop1"],
    "connections add": ["connections", "add", "shop9", "--channel", "memory", "--token-env", "X"],
    "sandbox": ["sandbox", "--port", "0"],
    "sandbox bigcommerce": ["sandbox", "bigcommerce", "--port", "0"],
    "sandbox woocommerce": ["sandbox", "woocommerce", "--port", "0"],
    "--help": ["--help"],
    "--version": ["--version"],
}

SERVING = {name for name in VERBS if name == "run" or name.startswith("sandbox")}
"""Verbs that serve until stopped."""

# Paths that cannot be used, each where a command takes one.
BAD_PATHS: list[list[str]] = [
    ["--config", "/nonexistent/flxd.toml", "status"],
    ["--config", "/", "listings", "list"],
    ["listings", "upsert", "/nonexistent/feed.csv"],
    ["listings", "upsert", "/"],
    ["listings", "export", "--output", "/proc/nonexistent/listings.csv"],
    ["listings", "export", "--output", "/"],
    ["orders", "ship", "--file", "/nonexistent/shipments.csv"],
    ["orders", "ship", "--file", "/"],
    ["sandbox", "--faults", "gremlins"],
    ["sandbox", "woocommerce", "--faults", "gremlins"],
    ["sandbox", "atlantis"],
    ["run", "--admin-listen", "nowhere"],
    ["listings", "list", "--limit", "many"],
]


def leaf_verbs(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    for action in parser._actions:  # argparse offers no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from leaf_verbs(sub, f"{prefix}{name} ")
            return
    yield prefix.strip()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config of one memory connection, with a hub that has listings, orders and runs."""
    home = tmp_path_factory.mktemp("verbs")
    config = memory_config(home)
    assert flxd(config, "run", "--once", env={"SHOP1_TOKEN": MEMORY_TOKEN}).code == 0
    (home / "feed.csv").write_text("sku,price\nMEM-0000-0,9.99\n")
    return home


def copy_of(workspace: Path, name: str) -> Path:
    """Each command works on its own copy: some change the hub or the config."""
    target = workspace.parent / f"{workspace.name}-{name.replace(' ', '-').strip('-')}"
    if not target.exists():
        shutil.copytree(workspace, target)
    text = (target / "flxd.toml").read_text().replace(str(workspace), str(target))
    (target / "flxd.toml").write_text(text)
    return target


def command(home: Path, args: list[str]) -> list[str]:
    head = [] if "--config" in args else ["--config", str(home / "flxd.toml")]
    words = [a.replace("{feed}", str(home / "feed.csv")) for a in args]
    return [sys.executable, "-m", "flxd", *head, *words]


def run(home: Path, args: list[str], stdout: str) -> subprocess.CompletedProcess[str]:
    """`stdout`: "gone" (a pipe whose reader has closed it) or "closed" (no descriptor 1)."""
    words = command(home, args)
    if stdout == "closed":  # the shell closes it, as `flxd … >&-` does
        words = ["sh", "-c", 'exec "$@" >&-', "sh", *words]
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            words,
            stdout=write if stdout == "gone" else None,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
            cwd=home,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)


def test_every_verb_is_driven() -> None:
    host = load_plugins()
    parser = build_parser([r.item for r in host.commands], [r.item for r in host.channels])
    assert set(leaf_verbs(parser)) <= set(VERBS), set(leaf_verbs(parser)) - set(VERBS)


def test_a_reader_that_goes_away_ends_every_verb_quietly(workspace: Path) -> None:
    names = sorted(VERBS)
    homes = [copy_of(workspace, f"gone-{name}") for name in names]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(
            pool.map(lambda nh: run(nh[1], VERBS[nh[0]], "gone"), zip(names, homes, strict=True))
        )
    for name, result in zip(names, results, strict=True):
        assert "Traceback" not in result.stderr, (name, result.stderr)
        # argparse's --help and --version ignore a failed write themselves, and exit 0.
        quiet = {EXIT_READER_GONE, 0} if name.startswith("--") else {EXIT_READER_GONE}
        assert result.returncode in quiet, (name, result.returncode, result.stderr)


def test_a_closed_standard_output_ends_every_verb_quietly(workspace: Path) -> None:
    names = sorted(set(VERBS) - SERVING)
    homes = [copy_of(workspace, f"closed-{name}") for name in names]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(
            pool.map(lambda nh: run(nh[1], VERBS[nh[0]], "closed"), zip(names, homes, strict=True))
        )
    for name, result, home in zip(names, results, homes, strict=True):
        assert "Traceback" not in result.stderr, (name, result.stderr)
        assert result.returncode in (0, 1), (name, result.returncode, result.stderr)
        # Nothing meant for standard output went into a file that took its descriptor.
        assert flxd(home / "flxd.toml", "listings", "list").code == 0, name


def in_process(home: Path, args: list[str]) -> Result:
    """The command in this process: an exception flxd does not handle fails the test."""
    words = [a.replace("{feed}", str(home / "feed.csv")) for a in args]
    return flxd(home / "flxd.toml", *words, env={"SHOP1_TOKEN": MEMORY_TOKEN})


def test_a_bad_path_is_named_without_a_traceback(workspace: Path) -> None:
    for args in BAD_PATHS:
        result = in_process(workspace, args)
        assert result.code in (1, 2), (args, result)
        assert result.err.startswith(("flxd: ", "usage: ")), (args, result.err)


def test_every_verb_with_a_state_dir_that_cannot_be_created(workspace: Path) -> None:
    home = copy_of(workspace, "proc")
    config = home / "flxd.toml"
    config.write_text(config.read_text().replace("state_dir = 'state'", "state_dir = '/proc/x'"))
    for name in sorted(set(VERBS) - SERVING):
        result = in_process(home, VERBS[name])
        assert result.code in (0, 1, 2), (name, result)
        assert "Traceback" not in result.err, (name, result.err)
