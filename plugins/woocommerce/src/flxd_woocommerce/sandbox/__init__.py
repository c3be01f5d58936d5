r"""An emulated WooCommerce store: what the WooCommerce channel is built and proven on.

One aiohttp application serves any number of WordPress sites, each at
``{base_url}/stores/{name}`` (a WordPress installed in a subdirectory). A client is configured
with that site URL and finds the API where WooCommerce puts it: ``{site}/wp-json/wc/v3/...``,
or ``{site}/?rest_route=/wc/v3/...`` on a site without pretty permalinks.

Using it::

    python -m flxd_woocommerce.sandbox --port 8081 --seed-products 20 --tls --cert-out cert.pem

    sandbox = Sandbox(SandboxConfig(tls=True, seed_products=20), clock=FakeClock())
    async with sandbox.serve(port=0) as base_url:           # https://127.0.0.1:PORT
        site = sandbox.site_url("shop1")                    # base_url + "/stores/shop1"
        key = sandbox.default_key("shop1")                  # .consumer_key, .consumer_secret
        ssl_context = sandbox.client_ssl_context()          # trusts the self-signed certificate
        ...
        sandbox.requests("shop1").assert_valid()            # every request was schema-valid

``sandbox.app`` also works with aiohttp's test client. ``sandbox.store(name)`` gives tests a
site's records (``catalog.products``, ``catalog.variations``, ``orders.orders``,
``orders.notes``, ``hooks.hooks``, ``keys.keys``), its ``counters``, ``requests`` (the request
log), ``deliveries`` (webhook outcomes), ``approvals``, ``capacity`` and ``faults``. All time
(dates, OAuth windows, server latency, slow faults, late webhooks) comes from the injected
clock; generated data, keys, faults and the pessimistic dice are reproducible from ``seed``.

Emulated under ``/wp-json/``
----------------------------
- ``/`` (site index: ``namespaces`` lists ``wc-shipment-tracking/v3`` only when the store has
  the extension) and ``/wc/v3`` (namespace index with every served route's argument schemas).
- ``/wc/v3/products`` (list, create), ``/products/{id}`` (get, update, delete; trash unless
  ``force``), ``/products/batch``; ``/products/{id}/variations`` (list, create), ``.../{id}``
  (get, update, delete with ``force``), ``.../batch``. Simple and variable products with the
  fields a syncing client needs (id, name, sku, ``global_unique_id``, type, status,
  catalog_visibility, prices as strings, stock fields, attributes with ``variation`` and
  options, variations, meta_data, the four dates) and every other documented field rendered
  empty rather than missing.
- ``/wc/v3/orders`` (list, create, get, update, delete), ``/orders/batch``,
  ``/orders/{id}/notes`` (list by ``type``, create with ``customer_note``, get, delete).
- ``/wc/v3/webhooks`` (CRUD and batch) with deliveries for ``order.created``,
  ``order.updated``, ``order.deleted``, ``product.created``, ``product.updated``,
  ``product.deleted`` (other valid topics are accepted and never fire).
- ``/wc-shipment-tracking/v3/orders/{order_id}/shipment-trackings`` (list, create, get,
  delete, ``providers``) when the store has the Shipment Tracking extension (off by default).
- ``{site}/wc-auth/v1/authorize``: the app approval flow (see :mod:`.approval`).

List filters: ``page``, ``per_page`` (1-100), ``offset``, ``include``, ``exclude``,
``search``, ``after``/``before`` (creation), ``modified_after``/``modified_before``,
``dates_are_gmt``, ``order``/``orderby``; products also ``sku``, ``global_unique_id``,
``status``, ``type``, ``slug``, ``parent``, ``featured``, ``on_sale``, ``stock_status``;
orders ``status`` (one, ``a,b``, or ``status[]=``; custom statuses by slug), ``customer``,
``product``, ``dp``. Pagination headers ``X-WP-Total``, ``X-WP-TotalPages``, ``Link``.
Every answer takes WordPress's global ``_fields`` (``a,b``, nested ``a.b``: see
:mod:`.fields`) and carries a ``Date`` header from the sandbox clock (the site's server
time).

Authentication (see :mod:`.authn`, :mod:`.oauth1`)
--------------------------------------------------
- HTTPS only: HTTP Basic with the consumer key and secret, or ``consumer_key`` /
  ``consumer_secret`` query parameters. Over plain HTTP those are ignored and the request is
  unauthenticated (401 ``woocommerce_rest_cannot_view``/``_create``/``_edit``/``_delete``/
  ``_batch``).
- OAuth 1.0a one-legged, HMAC-SHA1 or HMAC-SHA256, parameters in the query, a form body or an
  ``Authorization: OAuth`` header; the base string uses the *site's home URL* plus the path
  (for ``?rest_route=`` the home URL without a trailing slash); timestamp within 15 minutes;
  a nonce once per key (old nonces are only forgotten when a later request succeeds, as in
  WooCommerce). Refusals are 401 ``woocommerce_rest_authentication_error`` (``Consumer key is
  invalid.``, ``Invalid signature - ...``, ``Invalid timestamp.``, ``Invalid nonce - ...``) or
  ``woocommerce_rest_authentication_missing_parameter``.
- Keys are per store with ``read``, ``write`` or ``read_write``. A key used against its
  permission is 401 ``woocommerce_rest_authentication_error`` "The API key provided does not
  have write permissions." (or read), checked before the route is matched: this is what
  WooCommerce's ``check_user_permissions`` answers; ``woocommerce_rest_cannot_create`` and
  friends are what an unauthenticated caller gets.

Control API (no authentication; loopback use), under ``/__sandbox``
------------------------------------------------------------------
- ``GET|POST /stores`` (``{"name", "seed_products", "seed_orders", "settings"}``),
  ``GET /stores/{name}``, ``PATCH /stores/{name}/settings`` (``permalinks``,
  ``shipment_tracking``, ``behaviour``, ``approval``, ``timezone``, ``home_url``: the site's
  address when clients reach it through a proxy)
- ``POST /stores/{name}/keys`` (``{"permissions", "description"}``),
  ``DELETE /stores/{name}/keys/{key_id}``
- ``POST /stores/{name}/seed`` (``{"products", "orders"}``), ``POST /stores/{name}/products``
  (a REST product body plus ``variations``), ``PUT /stores/{name}/stock/{id}``
  (``{"quantity"}``: stock set by another system, no date moved, no webhook)
- ``POST /stores/{name}/orders`` (check out as a shopper: ``{"lines": [{"product_id",
  "variation_id", "quantity"}], "status", "billing", "customer_id", "customer_note"}``; stock
  is taken, ``order.created`` fires), ``PUT /stores/{name}/orders/{id}`` (``{"status"}`` and/or
  ``{"quantities": {item_id: n}}``), ``POST /stores/{name}/order-statuses`` (``{"slug",
  "label"}``)
- ``PUT|GET /stores/{name}/faults`` (``{"profile", "rate"}``; GET adds faults served by kind),
  ``PUT|GET /stores/{name}/capacity`` (:class:`CapacityConfig` fields; GET gives in-flight,
  peak, admitted, refused, timed-out counts)
- ``GET|DELETE /stores/{name}/counters``, ``GET|DELETE /stores/{name}/requests`` (the log with
  each request's problems), ``GET /stores/{name}/webhook-deliveries``,
  ``GET /stores/{name}/approvals``
- ``PUT /outbound-tls`` (``{"verify", "trust_pem"}``), ``GET /certificate``, ``POST /reset``

Contract checks (:mod:`.contract`)
----------------------------------
Every request is checked against its route's argument schema the way WordPress checks it
(types, enums, bounds, required; unknown parameters ignored): invalid requests are refused
with 400 ``rest_invalid_param`` / ``rest_missing_callback_param`` and every problem is kept in
the request log (batch items too, which WordPress lets through unchecked: logged, not
refused). ``sandbox.requests(name).assert_valid()`` fails listing them;
``contract.RouteIndex.load().assert_valid(log)`` checks the same log against WooCommerce's
published route index instead; ``contract.DocumentedFields`` checks answers against the
documented property tables.

Behaviours
----------
``documented`` (default) and ``pessimistic``. In both, what WooCommerce's issue tracker and
code show it really does:

- stock taken or given back by orders (and stock set from outside the API) moves no
  ``date_modified`` and fires no webhook (issue 40060, open; 17841 regressed);
- a variation's edit moves its own ``date_modified`` only for status or menu order
  (issues 19427, 19562: its data store updates the post for those fields alone);
- changes to an order's items do not move the order's ``date_modified`` (issue 34798);
- notes and Shipment Tracking items do not move the order's ``date_modified``.

``pessimistic`` adds (:class:`PessimismConfig`): ``per_page`` served at most
``per_page_cap`` (default 37) while ``X-WP-Total``/``X-WP-TotalPages``/``Link`` count with
what was served; new orders listed only ``order_lag_s`` (30 s) after they were placed;
``batch_error_rate`` (10 %) of batch items fail with a 500 ``db_*_error`` and are not
applied; webhooks delayed up to ``webhook_max_delay_s`` (120 s, so late and out of order),
``webhook_duplicate_rate`` (10 %) sent twice, ``webhook_loss_rate`` (10 %) never sent;
a product write that changes only stock moves no ``date_modified``; a variation's save does
not move its parent's.

Choices where the documents are silent, disagree, or older than WooCommerce (source)
-------------------------------------------------------------------------------------
- Request schemas follow the route index plus: ``per_page`` 1-100 and ``page`` >= 1
  (WP_REST_Controller), ``format: date-time`` on the date filters (WooCommerce's collection
  params; a date without a time is 400 "Invalid date."), ``modified_after``/``_before``/
  ``dates_are_gmt``/``stock_status`` (the parameter tables), orders ``status`` as an array
  with ``trash`` and the store's custom statuses (parameter table; ``wc_get_order_statuses``),
  products/variations ``stock_status``, variations ``status`` (property tables),
  ``global_unique_id`` (WooCommerce 9.2+), notes ``added_by_user`` (property table), ``dp`` on
  a single order (retrieve parameters). Webhooks need ``secret`` on creation (the index
  marks it required; WooCommerce's code would generate one).
- A meta value may be any JSON (WooCommerce's "mixed"; the index says string): the store
  accepts it; the index check still wants strings. A ``null`` value deletes the row.
- Date filters: strict ``>``/``<`` at second resolution on the site-time column, or the GMT
  one with ``dates_are_gmt``; a value with an offset is converted to *site* time whichever
  column it meets (WP_Date_Query), so ``...Z`` with ``dates_are_gmt=true`` is shifted by the
  site's offset. The default site timezone is ``-03:00`` (the documents' examples), not UTC.
- ``sku`` and ``global_unique_id`` filters take comma lists, match without case and find
  variations (WooCommerce 9, MySQL collation); SKU uniqueness is case-insensitive across
  products and variations, trash excluded; duplicates are 400 ``product_invalid_sku``
  "Invalid or duplicated SKU." with ``resource_id``; GTINs keep only ``0-9Xx-`` and are checked
  for format then uniqueness (``product_invalid_global_unique_id[_format]``).
- A price that does not parse is stored as ``""`` without an error (``wc_format_decimal``);
  managed stock decides ``stock_status``; a variable product's price is its cheapest
  published variation's, its stock status its variations'.
- ``GET /products/{id}`` of a variation id answers the variation as a product (type
  ``variation``); ``product.*`` webhooks for variations carry that shape. Writing through
  ``/products/{variation id}`` is 404 ``woocommerce_rest_invalid_product_id``.
- Listing the variations of a product that does not exist gives ``[]``; creating one is 404
  ``woocommerce_rest_product_variation_invalid_parent``.
- ``Link`` has ``prev``/``next`` only, repeats all query parameters (credentials included) and
  mangles ``+``/``%`` in values (WooCommerce's CRUD controller; see :mod:`.pagination`).
- PHP request parsing: a repeated parameter keeps its last value, ``+`` is a space, a JSON
  body is read only with ``Content-Type: application/json`` (else silently ignored);
  bodies are written by ``wp_json_encode`` (``\/`` and ``\uXXXX`` escapes).
- Batch: 100 items in all, else 413 ``woocommerce_rest_request_entity_too_large``; items run
  one by one with errors in place (``{"id", "error": {"code", "message", "data"}}``); deletes
  are forced; a section that is not a list is 400 ``rest_invalid_param``.
- Orders: ``POST /orders`` does not check stock (``set_paid`` makes it processing); a status
  change adds the system note "Order status changed from X to Y."; stock is taken on
  processing/completed/on-hold and given back on cancelled/pending; line items are not
  edited through the API (the control API edits quantities); shipping addresses have no
  ``phone`` (not documented). Unknown ids: 404 on read/delete, 400 on update.
- Webhooks: one attempt per delivery (WooCommerce does not retry), payload rendered when sent;
  2xx, 301 and 302 are successes; disabled after 5 consecutive failures (the documents say 5;
  ``failed_delivery``'s count lets two more through) and the count is not reset by
  re-activating; creating one sends the ``webhook_id=N`` ping first (its outcome ignored);
  only trashing fires ``*.deleted``; an unknown webhook id is 400 "ID is invalid.".
- Notes: deleting without ``force`` answers 501 "Webhooks do not support trashing." (sic,
  WooCommerce's order notes controller).
- Shipment Tracking follows the extension's own REST documentation; items are kept in the
  ``_wc_shipment_tracking_items`` meta row (visible in ``meta_data``); unknown providers are
  kept as their slug without a link; deleting answers the deleted item.
- App approval: no login or grant pages: the merchant's decision is the store's ``approval``
  setting (``approve``/``deny``); everything ``WC_Auth`` validates is validated; the POSTed
  ``user_id`` is the string the app gave (the documents show a number).
- Capacity is per store (one store, one server); WooCommerce itself has no quota
  (:mod:`.capacity`). Fault pages: a 500 is WordPress's JSON ``internal_server_error``, other
  5xx and overload refusals are a proxy's HTML pages.

Deviations from a real store, on purpose
----------------------------------------
- Outbound requests may go to loopback hosts on any port (``outbound_policy="loopback"``,
  the default); ``"wordpress"`` applies ``wp_http_validate_url`` exactly.
- Categories, tags, images, downloads, coupons, customers, refunds, taxes, currencies and the
  other routes of the index are not modelled: their fields are rendered empty, their routes
  answer 404 ``rest_no_route``.
- A slow fault or a busy server's wait is slept on the injected clock: with a fake clock the
  answer waits until the test moves time (or the client gives up).
"""

from flxd_woocommerce.sandbox.clock import SandboxClock, SystemClock
from flxd_woocommerce.sandbox.config import CapacityConfig, PessimismConfig, SandboxConfig
from flxd_woocommerce.sandbox.orders.book import CartLine
from flxd_woocommerce.sandbox.requestlog import LoggedRequest, RequestLog
from flxd_woocommerce.sandbox.server import Sandbox
from flxd_woocommerce.sandbox.store import Store

__all__ = [
    "CapacityConfig",
    "CartLine",
    "LoggedRequest",
    "PessimismConfig",
    "RequestLog",
    "Sandbox",
    "SandboxClock",
    "SandboxConfig",
    "Store",
    "SystemClock",
]
