"""A sandbox store on loopback and a flxd config pointing at it, for the plugin's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flxd_bigcommerce.sandbox import Sandbox, SandboxConfig

from flxd.plugin import Config
from flxd.testing import load_plugins, parse_config

HOST = load_plugins()


@dataclass
class BcEnv:
    sandbox: Sandbox
    base_url: str
    store_hash: str
    token: str
    tmp_path: Path

    @property
    def environ(self) -> dict[str, str]:
        return {"BC_TOKEN": self.token}

    def connection(self, name: str = "shop", *, extra: str = "", operations: str = "") -> str:
        return (
            f'[connections.{name}]\nchannel = "bigcommerce"\nstore_hash = "{self.store_hash}"\n'
            f'client_id = "flxd-test"\naccess_token_env = "BC_TOKEN"\n'
            f'api_base_url = "{self.base_url}"\n{extra}\n{operations}\n'
        )

    def config(self, text: str, environ: dict[str, str] | None = None) -> Config:
        full = f'[daemon]\nstate_dir = "{self.tmp_path / "state"}"\n\n{text}'
        return parse_config(
            full,
            registries=HOST,
            base_dir=self.tmp_path,
            environ=self.environ if environ is None else environ,
            path=self.tmp_path / "flxd.toml",
        )


@asynccontextmanager
async def sandbox_env(
    tmp_path: Path, config: SandboxConfig | None = None, clock: Any = None
) -> AsyncIterator[BcEnv]:
    sandbox = Sandbox(config or SandboxConfig(seed_products=10, seed_orders=5), clock=clock)
    async with sandbox.serve() as base_url:
        store_hash = sandbox.store_hashes[0]
        yield BcEnv(sandbox, base_url, store_hash, sandbox.default_token(store_hash), tmp_path)
