"""Checks against WooCommerce's published REST documents, for the sandbox's own tests and for
the tests of any client run against it.

The documents live outside the repository, in ``../shared/woocommerce/docs`` relative to the
repository root (``FLXD_SHARED_DIR`` overrides ``../shared``); they are read there, never
copied. Two checks:

- :class:`RouteIndex` parses the JSON route index of ``_index.md`` (every route, its methods and
  its arguments' schemas) and checks requests against it the way WordPress checks them. Use it
  on a store's request log to prove a client sent nothing WooCommerce would refuse::

      index = RouteIndex.load()
      index.assert_valid(sandbox.requests("shop1"))

  Batch items, which WordPress itself does not check, are checked against the single-item
  route's arguments.
- :class:`DocumentedFields` parses the property tables of ``_products.md``,
  ``_product-variations.md``, ``_orders.md``, ``_order-notes.md`` and ``_webhooks.md`` and
  checks an answer for fields the documents do not have and values of the wrong type.

The index is older than the tables and than WooCommerce itself. :data:`INDEX_ERRATA` and
:data:`ANSWER_DEVIATIONS` list every place where the sandbox (and WooCommerce) differ from it,
each with its source; nothing else is allowed.
"""

from flxd_woocommerce.sandbox.contract.answers import DocumentedFields
from flxd_woocommerce.sandbox.contract.documents import (
    REPO_ROOT,
    docs_dir,
    missing_reason,
    require_docs,
    shared_dir,
)
from flxd_woocommerce.sandbox.contract.errata import ANSWER_DEVIATIONS, INDEX_ERRATA
from flxd_woocommerce.sandbox.contract.requests import RouteIndex, schema_differences

__all__ = [
    "ANSWER_DEVIATIONS",
    "INDEX_ERRATA",
    "REPO_ROOT",
    "DocumentedFields",
    "RouteIndex",
    "docs_dir",
    "missing_reason",
    "require_docs",
    "schema_differences",
    "shared_dir",
]
