"""The channel contract: one test class every channel plugin runs against its own store.

    from flxd.testing.contract import ChannelContract, ContractHarness

    class TestMyChannel(ChannelContract):
        @pytest.fixture
        async def contract_harness(self):
            async with start_my_fake_store() as store:
                yield MyHarness(store)  # a ContractHarness

The harness (see `ContractHarness`) tells the suite how to configure a connection, how to look
at the remote store, and, optionally, what the store can be made to do; the suite drives the
real daemon (`run --once` in-process, a SQLite hub under the test's tmp_path) and checks what a
merchant would notice:

- basics: registered through an entry point, unknown config keys refused, every remote SKU
  linked once, prices and quantities pushed (not for paused listings), orders imported once,
  shipments pushed once, a revoked token pausing the connection;
- writes: a dry run sends no write, plans every write operation's, and leaves the hub and
  cursors as they were (needs `store_writes`); an item the store refuses out of a batch makes
  the run partial with the reason, keeps its link's error and is not retried, while the rest of
  the batch is pushed (`refuse_writes`);
- paging: lists end on the store's end marker, never on a short page (`serve_short_pages`); a
  run that fails between pages leaves those before committed, and the next one resumes after
  them, creating and announcing nothing twice (`fail_after_pages`);
- reconcile: stock changed on the store behind flxd's back is found by the reconciliation
  pass (`ChannelType.reconcile`), and the next sync puts the hub's value back (`drift_stock`;
  skipped for a channel without a reader);
- orders: `order.imported` carries exactly core's payload (flxd.hub.events.order_imported);
  with `pii_retention_days`, a get_orders run after the period erases the customer's personal
  data from the hub (core does it; the channel does nothing).

A test whose optional capability the harness lacks is skipped, naming the capability.
"""

from flxd.testing.contract.basics import BasicContract
from flxd.testing.contract.harness import ContractHarness
from flxd.testing.contract.orders import OrdersContract
from flxd.testing.contract.paging import PagingContract
from flxd.testing.contract.reconcile import ReconcileContract
from flxd.testing.contract.writes import WritesContract

__all__ = ["ChannelContract", "ContractHarness"]


class ChannelContract(
    BasicContract, WritesContract, PagingContract, OrdersContract, ReconcileContract
):
    """Subclass and provide an async `contract_harness` fixture; the tests come with it."""
