"""The README's examples, run: each block marked `<!-- example: SESSION -->` is a console
session, and flxd must print what it shows; the plugin in "Writing a channel plugin" (blocks
marked `<!-- plugin-example: PART -->`) is loaded and imports a store.

Blocks of one session run in README order, in one directory (shown in the README as
`~/flxd`) that starts with a copy of the default `flxd.toml` (or what SETUPS puts there).
`$ flxd …` runs flxd; `$ cat FILE` shows a file the example uses, so the test writes it;
`$ echo $?` shows the last exit status. What a command prints is its standard output, after
flxd's own messages on standard error (lines starting `flxd: `, and their indented
continuations; not progress or log lines). Times, dates and the SECONDS column vary from run
to run and are normalised on both sides; everything else must match.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flxd_memory import server
from flxd_memory.store import MemoryStore, stores

from flxd.config import parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.operation import Operation
from flxd.plugin.manager import load_plugins
from flxd.runs.journal import RunOutcome

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_BLOCK = re.compile(
    r"<!-- example: (?P<session>[\w-]+) -->\n```\n(?P<body>.*?)```\n<!-- /example -->", re.S
)
_PLUGIN = re.compile(
    r"<!-- plugin-example: (?P<part>\w+) -->\n```\w*\n(?P<body>.*?)```\n<!-- /plugin-example -->",
    re.S,
)
_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z| UTC)?")


@dataclass
class Step:
    command: str
    shown: list[str] = field(default_factory=list)


def sessions(text: str) -> dict[str, list[Step]]:
    found: dict[str, list[Step]] = {}
    for block in _BLOCK.finditer(text):
        steps = found.setdefault(block["session"], [])
        for line in block["body"].splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:].strip()))
            elif not steps:
                raise AssertionError(f"example {block['session']}: output before a $ command")
            else:
                steps[-1].shown.append(line)
    return found


def _check_config_setup(home: Path) -> None:
    (home / "flxd.toml").write_text(
        '[connections.shop1]\nchannel = "bigcommerce"\nstore_hash = "abc123xyz"\n'
        'access_token_env = "SHOP1_TOKEN"\n[connections.shop1.get_orders]\nenabled = true\n'
        'statuses = ["Awaiting Fulfillment", "Shipped", "shiped"]\nintervall = "5m"\n'
    )


SETUPS: dict[str, Callable[[Path], None]] = {"check-config": _check_config_setup}


def normalise(lines: list[str], home: Path) -> list[str]:
    """Times as <time>, the session directory as ~/flxd, and tables as their cells with the
    SECONDS column blanked (its width, and so the spacing, varies with the values)."""
    result: list[str] = []
    seconds: int | None = None
    for line in lines:
        line = _TIME.sub("<time>", line.replace(str(home), "~/flxd")).rstrip()
        cells = re.split(r"\s{2,}", line.strip())
        if "SECONDS" in cells and line == line.upper():
            seconds = cells.index("SECONDS")
        elif seconds is not None and len(cells) > seconds and not line.startswith(" "):
            cells[seconds] = "<seconds>"
        else:
            seconds = None
        result.append(" | ".join(cells) if seconds is not None else line)
    return result


def flxd_said(stderr: str) -> list[str]:
    """flxd's own messages on standard error (not progress lines, not log lines)."""
    kept: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("flxd: ") or (kept and line.startswith("  ")):
            kept.append(line)
        elif kept and not line.startswith("  "):
            kept.append("\0")  # ends a message: continuation lines belong to the one above
    return [line for line in kept if line != "\0"]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("FLXD_", "SHOP"))}


EXAMPLES = sessions(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_and_every_marker_is_closed() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count("<!-- example: ") == len(list(_BLOCK.finditer(text))) > 0
    assert {"demo", "check-config"} <= set(EXAMPLES)


@pytest.mark.parametrize("session", sorted(EXAMPLES))
def test_readme_examples(session: str, tmp_path: Path) -> None:
    home = tmp_path / "flxd"
    home.mkdir()
    SETUPS.get(session, lambda h: shutil.copy(ROOT / "flxd.toml", h / "flxd.toml"))(home)
    status = 0
    for step in EXAMPLES[session]:
        words = shlex.split(step.command)
        if words[0] == "cat" and len(words) == 2:
            (home / words[1]).write_text("\n".join(step.shown) + "\n")
            continue
        if step.command == "echo $?":
            printed = [str(status)]
        elif words[0] == "flxd":
            done = subprocess.run(
                [sys.executable, "-m", "flxd", *words[1:]],
                cwd=home,
                env=environment(),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            status = done.returncode
            printed = flxd_said(done.stderr) + done.stdout.splitlines()
        else:
            raise AssertionError(f"README example {session}: cannot run `{step.command}`")
        assert normalise(printed, home) == normalise(step.shown, home), (
            f"README example {session}: `$ {step.command}` printed:\n" + "\n".join(printed)
        )


PLUGIN = {block["part"]: block["body"] for block in _PLUGIN.finditer(README.read_text("utf-8"))}


def test_the_plugin_example_uses_only_the_plugin_api() -> None:
    entry_points = tomllib.loads(PLUGIN["pyproject"])["project"]["entry-points"]["flxd"]
    assert entry_points == {"mychannel": "flxd_mychannel.plugin"}
    imported: set[str] = set()
    for node in ast.walk(ast.parse(PLUGIN["module"])):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert {m for m in imported if m.split(".")[0] == "flxd"} == {"flxd.plugin"}


@pytest.mark.asyncio
async def test_the_plugin_example_imports_a_store(tmp_path: Path) -> None:
    """Loaded as the module its entry point names, it imports every product of a store that
    speaks its API (the memory channel's store does), pages shorter than asked included."""
    plugin = types.ModuleType("flxd_mychannel.plugin")
    code = compile(PLUGIN["module"], "README.md (plugin example)", "exec", dont_inherit=True)
    exec(code, plugin.__dict__)
    host = load_plugins(extra=[plugin])
    name = f"readme-{uuid.uuid4().hex[:8]}"
    store = stores[name] = MemoryStore(page_cap=2)
    store.seed(products=5, orders=0)
    url = await server.acquire()
    try:
        text = (
            f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n[connections.shop]\n'
            f'channel = "mychannel"\nbase_url = "{url}/stores/{name}"\ntoken_env = "TOKEN"\n'
            "[connections.shop.import_listings]\nenabled = true\n"
        )
        config = parse_config(
            text, registries=host, environ={"TOKEN": store.token}, base_dir=tmp_path
        )
        [summary] = await Daemon(config, host).run_once(
            Selection("shop", Operation.IMPORT_LISTINGS)
        )
    finally:
        await server.release()
        stores.pop(name)
    assert summary.outcome is RunOutcome.OK, summary.error
    variants = sum(len(p.variants) for p in store.products.values())
    assert summary.counts == {"products": 5, "created": variants}
