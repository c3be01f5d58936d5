"""The gateway every REST request passes through, in the order a WordPress host applies things:

1. the host: an injected fault that replaces the answer, then the server's capacity (a refusal,
   or a wait on the sandbox clock before PHP even starts);
2. WooCommerce authentication for ``wc/*`` and ``wc-*`` routes (bad credentials: 401 before
   anything else), then the key's read/write permission;
3. WordPress: route matching (404 ``rest_no_route``), the JSON body (400
   ``rest_invalid_json``), argument checks (400 ``rest_missing_callback_param`` /
   ``rest_invalid_param``), the route's permission (401 ``woocommerce_rest_cannot_*`` for an
   unauthenticated caller), then the handler;
4. the host again: a slow or damaged answer.

Every request is counted and logged (see :mod:`requestlog`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import format_datetime
from typing import TYPE_CHECKING

from aiohttp import web

from flxd_woocommerce.sandbox.authn import Credentials, authenticate, permission_error
from flxd_woocommerce.sandbox.errors import WpError, no_route
from flxd_woocommerce.sandbox.faults import Fault
from flxd_woocommerce.sandbox.fields import filter_fields
from flxd_woocommerce.sandbox.php import QueryValue, parse_query
from flxd_woocommerce.sandbox.requestlog import LoggedRequest, RequestLog
from flxd_woocommerce.sandbox.routes import faultpages
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint
from flxd_woocommerce.sandbox.routes.index import namespace_index, site_index
from flxd_woocommerce.sandbox.routes.responses import json_response, rest_error
from flxd_woocommerce.sandbox.schema.request import collect, parse_json_body
from flxd_woocommerce.sandbox.store import Store

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.server import Sandbox

__all__ = ["serve_rest"]


def _endpoint_name(request_method: str, endpoint: Endpoint | None, rest_route: str) -> str:
    if endpoint is not None:
        return f"{request_method} {endpoint.route}"
    return (
        f"{request_method} {rest_route}"
        if rest_route in ("/", "/wc/v3")
        else (f"{request_method} (no route)")
    )


async def serve_rest(
    sandbox: Sandbox,
    store: Store,
    request: web.Request,
    rest_route: str,
    endpoints: Sequence[Endpoint],
) -> web.StreamResponse:
    entry = store.requests.start(
        at=sandbox.clock.now(), store=store.name, method=request.method, path=request.path
    )
    entry.rest_route = rest_route
    query = parse_query(request.query_string)
    entry.query = RequestLog.redact(query)
    decision = store.faults.decide()
    if decision is not None and decision.fault.replaces_answer:
        store.faults.record(decision.fault)
        entry.fault = decision.fault.value
        store.counters.record(f"{request.method} (fault)", 0)
        if decision.fault is Fault.DROP:
            if request.transport is not None:
                request.transport.abort()
            entry.status = 0
            return web.Response(status=499)
        answer = faultpages.fault_answer(decision)
        entry.status = answer.status
        return answer
    admission = store.capacity.admit()
    if admission.refused:
        config = store.capacity.config
        entry.status = config.overload_status
        store.counters.record(f"{request.method} (overloaded)", config.overload_status)
        return faultpages.overloaded(config.overload_status, config.retry_after_s)
    endpoint: Endpoint | None = None
    try:
        if admission.latency_s > 0:
            await sandbox.clock.sleep(admission.latency_s)
        if admission.timed_out:
            entry.status = 504
            store.counters.record(f"{request.method} (gateway timeout)", 504)
            return faultpages.gateway_timeout()
        endpoint, response = await _wordpress(
            sandbox, store, request, rest_route, query, entry, endpoints
        )
        if decision is not None and decision.fault is Fault.SLOW:
            store.faults.record(decision.fault)
            entry.fault = decision.fault.value
            await sandbox.clock.sleep(sandbox.config.fault_slow_ms / 1000)
    finally:
        store.capacity.leave()
    if decision is not None and decision.fault in (Fault.TRUNCATED, Fault.PHP_NOTICE):
        store.faults.record(decision.fault)
        entry.fault = decision.fault.value
        response = faultpages.corrupt(response, decision.fault)
    entry.status = response.status
    store.counters.record(_endpoint_name(request.method, endpoint, rest_route), response.status)
    # The site's server clock is the sandbox's (a client may measure its skew by it).
    response.headers["Date"] = format_datetime(sandbox.clock.now(), usegmt=True)
    return response


def _match(
    store: Store, rest_route: str, method: str, endpoints: Sequence[Endpoint]
) -> tuple[Endpoint, dict[str, str]] | None:
    for endpoint in endpoints:
        if endpoint.extension == "shipment-tracking" and not store.shipment_tracking:
            continue
        match = endpoint.regex.match(rest_route)
        if match is not None and method in endpoint.methods:
            return endpoint, match.groupdict()
    return None


def _failed(entry: LoggedRequest, error: WpError) -> web.Response:
    entry.code = error.code
    if error.code == "rest_invalid_param":
        params = error.data.get("params", {})
        entry.problems += [m if m.startswith(n) else f"{n}: {m}" for n, m in params.items()]
    elif error.code == "rest_missing_callback_param":
        entry.problems += [f"missing required parameter {n}" for n in error.data.get("params", [])]
    elif error.code == "rest_invalid_json":
        entry.problems.append("the body is not valid JSON")
    return rest_error(error)


async def _wordpress(
    sandbox: Sandbox,
    store: Store,
    request: web.Request,
    rest_route: str,
    query: Mapping[str, QueryValue],
    entry: LoggedRequest,
    endpoints: Sequence[Endpoint],
) -> tuple[Endpoint | None, web.Response]:
    raw = await request.read()
    method = request.method
    form = (
        parse_query(raw.decode("latin-1"))
        if request.content_type == "application/x-www-form-urlencoded"
        else {}
    )
    namespace = rest_route.strip("/")
    key = None
    if namespace.startswith(("wc/", "wc-")):
        result = authenticate(
            Credentials(
                method=method,
                path=request.path,
                query=query,
                form=form,
                authorization=request.headers.get("Authorization", ""),
            ),
            store.keys,
            https=store.https(),
            home_url=store.site.home_url,
            now=int(sandbox.clock.now().timestamp()),
        )
        if result.error is not None:
            return None, _failed(entry, result.error)
        key, entry.auth = result.key, result.scheme
        if key is not None:
            refusal = permission_error(key, method)
            if refusal is not None:
                return None, _failed(entry, refusal)
            key.last_access = sandbox.clock.now()
    fields = query.get("_fields")
    if method == "GET" and rest_route == "/":
        return None, json_response(filter_fields(site_index(sandbox, store, endpoints), fields))
    if method == "GET" and namespace in _namespaces(store):
        index = namespace_index(store, "/" + namespace, endpoints)
        return None, json_response(filter_fields(index, fields))
    matched = _match(store, rest_route, method, endpoints)
    if matched is None:
        if namespace.startswith(("wc/", "wc-")):
            # A client calling a route WooCommerce does not have is a client bug too.
            entry.problems.append(f"no route matches {method} {rest_route}")
        return None, _failed(entry, no_route())
    endpoint, url = matched
    entry.route = endpoint.route
    try:
        body = parse_json_body(raw, request.content_type)
        entry.body = body
        arguments = collect(
            endpoint.args(store), method=method, url=url, query=query, form=form, body=body
        )
        if key is None:
            raise endpoint.permission_error()
        call = Call(
            sandbox=sandbox,
            store=store,
            endpoint=endpoint,
            method=method,
            key=key,
            arguments=arguments,
            url=url,
            query=query,
            body=body,
            entry=entry,
            now=sandbox.clock.now(),
        )
        reply = await endpoint.handler(call)
    except WpError as error:
        return endpoint, _failed(entry, error)
    data = filter_fields(reply.data, fields)
    return endpoint, json_response(data, reply.status, reply.headers, allow=endpoint.methods)


def _namespaces(store: Store) -> tuple[str, ...]:
    if store.shipment_tracking:
        return ("wc/v3", "wc-shipment-tracking/v3")
    return ("wc/v3",)
