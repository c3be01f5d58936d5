"""An emulated BigCommerce store: what flxd's tests, benchmarks and default config talk to.

One aiohttp application serves any number of stores under ``/stores/{store_hash}/`` with
BigCommerce's own paths, query parameters and bodies, so the same client code talks to either;
only the API base URL (``https://api.bigcommerce.com`` -> ``base_url``) and the login base URL
(``https://login.bigcommerce.com`` -> ``login_base_url``) differ.

Emulated:

- Catalog V3: products (list with filters ``id``/``id:in``/``sku``/``sku:in``/``upc``/``mpn``/
  ``price``/``availability``/``date_modified:min|max``/..., ``sort``/``direction``, ``page``/
  ``limit`` <= 250, ``include=variants,custom_fields,options``, ``include_fields``), get, create
  (with ``variants`` and ``custom_fields``), update, batch update (<= 10), delete and delete by
  filter (<= 250); variants (per product CRUD, ``GET/PUT /catalog/variants``, batch <= 50 with
  422 ``batch_errors``); options and option values; custom fields.
- Inventory V3: ``PUT /inventory/adjustments/absolute`` (<= 2,000 items), ``GET /inventory/items``.
- Orders V2: orders (list, count, get, status PUT), order products, shipping addresses,
  shipments (list, count, create, get, update, delete), order statuses; ``GET /v2/store``,
  ``GET /v2/time``. Orders V3 metafields. Webhooks (``/v3/hooks``) with deliveries.
- Auth: ``X-Auth-Token`` per store (401 missing/wrong/revoked, 403 without the scope) and the
  OAuth login service: ``{login_base_url}/oauth2/authorize`` approves at once and redirects to the
  app's callback with ``code``, ``scope``, ``context=stores/{hash}``, ``account_uuid`` (and
  ``state``); ``POST {login_base_url}/oauth2/token`` exchanges the code (JSON or form body).
- Rate limits: a quota per store and window (150 per 30,000 ms by default), the four
  ``X-Rate-Limit-*`` headers on every answer of a known store (429s and errors included), 429 with
  ``X-Retry-After`` past the quota; optionally a cap on requests in flight per store (429 above).

Using it::

    flxd sandbox --port 8080 --seed-products 100 --seed-orders 50     # or:
    python -m flxd_bigcommerce.sandbox --port 8080 --stores 2 --quota 5 --window-ms 200
    flxd sandbox --behaviour pessimistic --visibility-delay 10        # see "Behaviours"

    sandbox = Sandbox(SandboxConfig(seed_products=20), clock=FakeClock())  # flxd.testing.clock
    async with sandbox.serve(port=0) as base_url:
        token = sandbox.default_token(sandbox.store_hashes[0])

``sandbox.app`` also works with aiohttp's test client; ``sandbox.store(hash)`` gives tests the
store's records (products, variants, orders, shipments, hooks, counters) and query helpers.
Every store is created with one API account token holding the scopes flxd needs
(:data:`FLXD_SCOPES`): ``sandbox.default_token(hash)`` or ``GET /__sandbox/stores``; the banner
of ``flxd sandbox`` prints them too. The OAuth app is
``SandboxConfig.oauth`` (client id ``flxd-sandbox-app``, secret ``flxd-sandbox-secret``).
All time (dates, ``/v2/time``, quota windows, code expiry) comes from the injected clock;
seeding, generated store hashes, default tokens and faults are reproducible from ``seed``.
State lives in memory unless ``state_file`` (``--state``) is set: it is loaded at start and saved
when ``serve()`` ends.

Control API (no auth; loopback use), never under ``/stores/``:

- ``GET|POST /__sandbox/stores`` (``{"hash", "seed_products", "seed_orders"}``),
  ``GET /__sandbox/stores/{hash}``
- ``POST /__sandbox/stores/{hash}/tokens`` (``{"scopes", "client_id"}``),
  ``DELETE /__sandbox/tokens/{token}`` (revoke)
- ``POST /__sandbox/stores/{hash}/seed`` (``{"products", "orders"}``)
- ``POST /__sandbox/stores/{hash}/orders`` (check out as a shopper: ``{"lines": [{"product_id",
  "variant_id", "quantity"}], "status_id"}``), ``PUT /__sandbox/stores/{hash}/orders/{id}``
  (``{"status_id"}`` or ``{"is_deleted": true}``)
- ``POST /__sandbox/stores/{hash}/quota/consume`` (``{"units"}``: another app's usage)
- ``PUT /__sandbox/stores/{hash}/quota`` (``{"quota", "window_ms"}``; a null quota: none)
- ``PUT /__sandbox/stores/{hash}/faults`` (``{"profile", "rate"}``), ``GET`` the same path:
  the profile, its rate and the faults served so far by kind (``injected``)
- ``GET|DELETE /__sandbox/stores/{hash}/counters`` (requests per endpoint and status)
- ``GET /__sandbox/stores/{hash}/webhook-deliveries`` (attempted) and ``.../lost`` (never sent);
  ``POST /__sandbox/reset``
- ``GET|PUT /__sandbox/behaviour`` (``{"behaviour", "pessimism": {knob: value}}``): switch every
  store at once; delays already decided run their course

Fault profiles (``--faults``; ``--fault-rate`` overrides the rate): ``flaky`` (5% of requests,
every fault kind), ``chaos`` (25%), and single-kind profiles at 10%: ``5xx`` (bursts of
500/502/503/504), ``slow`` (answer held ``fault_slow_ms``, 35 s by default), ``429`` (no rate
headers), ``truncated`` (half a JSON body, or an HTML page labelled JSON), ``drop`` (connection
closed without an answer). Faults never touch the control API or the login service.

Deviations from the real service, on purpose:

- Webhook destinations must be ``https`` on port 443 as on BigCommerce, but plain ``http`` on any
  port to a loopback host (127.0.0.0/8, ::1, localhost) is accepted too, for local receivers.
  Each delivery is attempted once (no retries, blocklisting or deactivation); outcomes are in
  ``sandbox.deliveries(hash)``.
- Inventory adjustments apply before the answer (BigCommerce applies them asynchronously; the
  pessimistic behaviour shows them to reads late); the store has one location, id 1. Tokens can
  be revoked (standing in for a deleted API account).

Choices where BigCommerce's documents are silent, disagree or are UNCONFIRMED (see API.md), as
the ``documented`` behaviour takes them:

- V2 lists answer 204 with no body when empty; V2 ``limit`` above 250 is a 413, as on V3; so is
  ``GET /catalog/variants`` past 250 and an adjustment past 2,000 items.
- ``GET /v2/orders`` leaves out incomplete (status 0) orders unless ``status_id=0`` and archived
  ones unless ``is_deleted=true``; ``/v2/orders/count`` counts the same, per status including 0.
- Shipments: a bad request (missing ``order_address_id``/``items``, unknown line or address,
  quantity above what is unshipped) is a 400 with a V2 error array; creating one moves the order
  to Shipped (2) when all items shipped and Partially Shipped (3) otherwise.
- Duplicate SKU (any case, across products and variants) or product name (any case) is 409;
  duplicate custom-field name/value pairs are 422, the code the custom-field spec documents.
- 207 (saved, but not all of it): stock written to a product with variants that tracks by
  variant, or to one of its variants when it tracks by product. A simple product and its base
  variant are one stock item, written through either; with tracking ``none`` writes are kept.
- ``date_modified`` bumps on any change to the product or its variants, options, custom fields
  or stock. ``base_variant_id`` is null for products with option variants (the schema says
  integer). Product batch updates check every item before applying any.
- ``include=consignments[.line_items]`` returns the object structure with
  ``consignment_structure=object`` and that object wrapped in a list without it.
- Order metafields need ``store_v2_orders``. V2 ``PUT /orders/{id}`` writes ``status_id``,
  ``staff_notes``, ``customer_message``, ``is_deleted`` and ``external_order_id``; read-only
  fields are a 400, other fields a 400 saying the sandbox does not support them.
- Quota: authenticated requests count (401/403/429 do not); a window starts with its first
  request. An unknown store hash is a 404 without rate headers. Malformed JSON is a 400, a body
  not sent as ``application/json`` a 415. The OAuth token endpoint answers errors in RFC 6749's
  ``{"error", "error_description"}`` shape; codes expire after five minutes.
- A create's 207 carries the product in a one-item ``data`` array, as D:PROD documents the 207
  of ``POST /catalog/products`` (its 200, and an update's 207, carry the object).
- V2 date filters include their bound, like V3's ``:min``/``:max`` (D:QP#L12). Every write
  shows in reads at once, a new order is listed at once, webhooks go out at once, once each and
  in order, and every over-quota 429 carries the rate-limit headers.

Behaviours (``SandboxConfig(behaviour=...)``, ``--behaviour``, ``PUT /__sandbox/behaviour``,
``sandbox = { behaviour = ... }`` in a flxd connection): ``documented``, the default, is all of
the above. ``pessimistic`` takes, wherever the documents are silent or UNCONFIRMED, the reading
worst for a syncing client. Each choice has a knob in :class:`PessimisticSettings` (default in
brackets; ``PessimisticSettings.off()`` turns them all off, so a test can turn on one alone):

- Product ``date_modified`` moves only when a product-level field other than stock is written;
  variant writes (base variants included), variant create/delete, options, custom fields, stock
  writes (product/variant ``inventory_level``/``inventory_warning_level``, inventory
  adjustments) and stock taken by orders leave it (``date_modified_on_product_fields_only``
  [True]). API.md §11 pitfall 6 and §12: whether variant edits bump it is UNCONFIRMED; §13:
  ``store/product/updated`` fires for stock edits, which says nothing of ``date_modified``.
- V2 ``min_/max_date_created`` and ``min_/max_date_modified`` exclude their bound, compared at
  whole seconds: the filter value is cut to its second, so ``max_date_modified=12:00:01.5``
  leaves out an order stamped 12:00:01 (``exclusive_v2_date_bounds`` [True]). API.md §13: no
  source for V2 date-filter inclusivity; §11 pitfall 1: second resolution.
- Pages hold fewer items than ``limit`` before the last one. Products listed with
  ``include=variants`` and ``GET /catalog/products/{id}/variants`` / ``GET /catalog/variants``
  serve at most ``variants_page_limit`` [50] a page; V2 lists (orders, order products, shipping
  addresses, shipments) at most ``v2_page_limit`` [50]. The page number counts pages of the
  served size, so ``page=2&limit=250`` is items 51-100. V3 ``meta.pagination`` stays truthful
  (``per_page``, ``total``, ``total_pages``, ``links`` for the served size); on V2 only 204 (or
  an empty page) ends a list. API.md §6.2 (``include=options`` caps pages at 10; whether
  ``include=variants`` truncates is UNCONFIRMED), §7 and §9.1/§12 (the variants and V2 orders
  maximum ``limit`` is not stated), §9.1 (no V2 pagination metadata).
- Stock and price writes show in reads ``visibility_delay`` [5.0] seconds late: every stock
  change (inventory adjustments, ``inventory_level`` in product and variant writes, stock taken
  by orders) and every price field (``price``, ``sale_price``, ``retail_price``, ``map_price``,
  ``cost_price``) of products and variants. Reads are listings, gets, filters and sorts on
  those fields, and ``GET /inventory/items``; the write's own answer shows what was written.
  Writes show in the order they were made. API.md §8 and §13: the Inventory API is
  asynchronous and Catalog stock writes go through it; no source says price reads are
  immediate, so prices lag the same.
- A new order is in ``GET /v2/orders`` and ``/v2/orders/count`` only ``order_listing_lag``
  [5.0] seconds after it was placed, though stamped (``date_created``/``date_modified``) at
  placement; ``GET /v2/orders/{id}`` finds it at once. A cursor that passed the stamp meanwhile
  misses it. API.md §11 pitfall 1 (never trust "now"; query with overlap) -- no source bounds
  how soon a new order is listed. Status changes of existing orders are listed at once.
- Product and variant creates and updates, single and batch, that carry inventory fields lose
  them with chance ``partial_write_rate`` [0.25] per item: the rest is saved and the answer is a
  207 with ``errors.errors`` naming each item's lost fields (``"<id>.inventory_level"`` in a
  batch, ``"inventory_level"`` or ``"variants.<n>.inventory_level"`` in a single write); a
  write without inventory fields is always saved whole. API.md §13 (207 means product fields
  saved, inventory fields not) and §5/§6.3 (the 207 body). BigCommerce documents no 207 for
  ``PUT /catalog/variants``: the sandbox answers it in the products batch's shape (``data`` an
  array, one ``errorMultiStatus`` object), a shape of its own choosing.
- Webhooks arrive late, a random 0..``webhook_max_delay`` [60.0] seconds after the event, so out
  of order; ``webhook_duplicate_rate`` [0.2] of them twice (each copy with its own delay);
  ``webhook_loss_rate`` [0.05] never (``sandbox.lost_deliveries(hash)``). Payloads keep the
  event's ``created_at``. API.md §10: "up to one minute before a new hook fires", duplicates
  can occur; nothing promises order or delivery.
- ``POST /v3/orders/metafields`` refuses a batch of more than ``metafield_batch_limit`` [25]
  metafields whole, with a 422 titled "Too many metafields in one request" (documented: no
  limit). API.md §9.7 and §13: BigCommerce states no maximum for that batch.
- Over-quota 429s come without any ``X-Rate-Limit-*`` or ``X-Retry-After`` header with chance
  ``bare_429_rate`` [0.3]. API.md §4: a 429 without the headers is what BigCommerce sends under
  platform load.

Every pessimistic chance is drawn from per-store RNGs seeded with ``seed`` and the store hash;
every delay is decided by comparing readings of the injected clock (nothing sleeps: move a fake
clock, then ``await sandbox.deliver_due()`` for webhooks). Seeding and loading a state file are
not delayed. Delays are run-time only: a saved state holds what was written.
"""

from flxd_bigcommerce.sandbox.behaviour import BEHAVIOURS, PessimisticSettings
from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.config import FLXD_SCOPES, OAuthAppConfig, SandboxConfig
from flxd_bigcommerce.sandbox.orders.checkout import CartLine
from flxd_bigcommerce.sandbox.orders.records import Address
from flxd_bigcommerce.sandbox.server import Sandbox
from flxd_bigcommerce.sandbox.store import Store

__all__ = [
    "BEHAVIOURS",
    "FLXD_SCOPES",
    "Address",
    "CartLine",
    "OAuthAppConfig",
    "PessimisticSettings",
    "Sandbox",
    "SandboxClock",
    "SandboxConfig",
    "Store",
]
