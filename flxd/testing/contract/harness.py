"""What the contract suite needs from a channel's tests: how to configure a connection to the
channel's own (emulated) store, how to look at that store, and what the store can be made to do.

The first part is required. The second is optional: a method the harness does not have, or
that raises NotImplementedError, skips the tests that need it, saying which capability is
missing. Subclass `ContractHarness` to start from "nothing optional is supported".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import pytest

from flxd.operation import Operation

__all__ = ["CAPABILITIES", "ContractHarness", "use_capability"]


class ContractHarness(Protocol):
    channel: str
    """The registered channel name."""

    environ: Mapping[str, str]
    """Environment for the connection's `*_env` secrets."""

    def connection_table(self) -> str:
        """TOML lines for `[connections.contract]` (without the header and `channel`)."""
        ...

    def operation_table(self, operation: Operation) -> str:
        """Extra TOML lines for `[connections.contract.<operation>]` (may be empty)."""
        ...

    async def remote_skus(self) -> set[str]:
        """Every variant SKU the remote store has (at least five products' worth)."""
        ...

    async def remote_variant(self, sku: str) -> tuple[Decimal | None, int | None] | None:
        """(price, quantity) of a variant on the remote store, None if it is not there."""
        ...

    async def place_order(self, skus: Sequence[str]) -> str:
        """Place an order as a shopper would, in a status the connection imports; its id."""
        ...

    async def remote_shipments(self, order_id: str) -> int:
        """How many shipments the remote order has."""
        ...

    async def revoke_credentials(self) -> None:
        """Make the connection's credentials stop working."""
        ...

    # ---- optional: what the store can be made to do ------------------------------------------

    async def store_writes(self) -> int:
        """How many write requests (anything that could change the store) it has received
        so far, refused ones included."""
        raise NotImplementedError

    async def serve_short_pages(self) -> None:
        """From now on, serve the lists import_listings and get_orders read in pages of at
        most two items, whatever page size the channel asks for, until the last: only the
        store's own end marker says a list is done."""
        raise NotImplementedError

    async def fail_after_pages(self, pages: int) -> None:
        """Serve `pages` more pages of those lists, then refuse the next page request once,
        with an error flxd does not retry (the run fails at once, as if it crashed there)."""
        raise NotImplementedError

    async def refuse_writes(self, sku: str) -> None:
        """From now on refuse every write to this variant the way the store refuses one item
        of a batch (a 207 with per-item results, a 422 naming the item, ...), while taking
        the batch's other items."""
        raise NotImplementedError

    async def drift_stock(self, sku: str, quantity: int) -> None:
        """Set a variant's stock on the store the way another system does, behind flxd's
        back: nothing an incremental import reads moves (no `date_modified`), no webhook."""
        raise NotImplementedError


CAPABILITIES = {
    "store_writes": "report the writes its store received",
    "serve_short_pages": "make its store serve short pages",
    "fail_after_pages": "make its store fail between pages",
    "refuse_writes": "make its store refuse one item of a batch write",
    "drift_stock": "change stock on its store behind flxd's back",
}


async def use_capability(harness: ContractHarness, name: str, *args: Any) -> Any:
    """Call an optional harness method; skip the test when the harness does not offer it."""
    method = getattr(harness, name, None)
    try:
        if method is None:
            raise NotImplementedError
        return await method(*args)
    except NotImplementedError:
        what = CAPABILITIES[name]
        pytest.skip(f"{type(harness).__name__} cannot {what} (ContractHarness.{name})")
