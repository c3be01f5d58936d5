"""Checks sandbox replies against BigCommerce's published OpenAPI documents.

The documents live outside the repository, in ``../shared/bigcommerce/openapi`` relative to the
repository root (``FLXD_SHARED_DIR`` overrides ``../shared``); they are read there, never
copied. Without them a contract test skips with the reason -- except under ``CI=true``, where
it fails (:func:`require_documents`), so a CI run without the documents cannot pass green.

A reply whose status the operation documents is validated with openapi-core against that
response; one it does not document (most errors: 401, 403, 429, many 404/409/422) is validated
against the API's general error schema from the same documents.

BigCommerce's documents contradict its own API in a few places. ``ERRATA`` patches those in
memory, each with its reason, so the rest of each schema is still enforced.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator
from sandbox_client import Reply

REPO_ROOT = Path(__file__).resolve().parents[4]
RATE_HEADERS = (
    "X-Rate-Limit-Requests-Left",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Time-Window-Ms",
)


def shared_dir() -> Path:
    override = os.environ.get("FLXD_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


def openapi_dir() -> Path:
    return shared_dir() / "bigcommerce" / "openapi"


def webhooks_dir() -> Path:
    return shared_dir() / "bigcommerce" / "webhooks"


def missing_reason() -> str | None:
    where = openapi_dir()
    if not where.is_dir():
        return (
            f"BigCommerce's OpenAPI documents are not at {where} (set FLXD_SHARED_DIR to the "
            "directory holding bigcommerce/openapi): contract tests skipped"
        )
    return None


def require_documents() -> None:
    """Skip the calling test when the documents are missing, or fail it under ``CI=true``."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason.replace("contract tests skipped", "failing under CI=true"))
    pytest.skip(reason)


def documents_present() -> bool:
    """For a test that checks shapes only when it can: False when the documents are missing
    (the test goes on without), but under ``CI=true`` the test fails instead."""
    reason = missing_reason()
    if reason is not None and os.environ.get("CI") == "true":
        pytest.fail(reason.replace("contract tests skipped", "failing under CI=true"))
    return reason is None


def _walk(node: Any, path: str) -> dict[str, Any]:
    """The object at a JSON-pointer-like ``path`` (``~1`` stands for ``/``)."""
    for part in path.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part.replace("~1", "/")]
    assert isinstance(node, dict), path
    return node


def _make_nullable(schema: dict[str, Any]) -> None:
    schema["nullable"] = True


def _requiring(*names: str) -> Callable[[dict[str, Any]], None]:
    def fix(schema: dict[str, Any]) -> None:
        schema["required"] = list(names)

    return fix


def _batch_multi_status(schema: dict[str, Any]) -> None:
    """Give ``PUT /catalog/variants`` the 207 the products batch documents."""
    schema["207"] = {
        "description": "Multi-status (sandbox, pessimistic behaviour)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "data": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/productVariant_Full"},
                        },
                        "errors": {"$ref": "#/components/schemas/errorMultiStatus"},
                        "meta": {"$ref": "#/components/schemas/metaCollection_Full"},
                    },
                }
            }
        },
    }


@dataclass(frozen=True, slots=True)
class Erratum:
    document: str
    pointer: str
    fix: Callable[[dict[str, Any]], None]
    why: str


ERRATA = (
    Erratum(
        "products_catalog.v3.yml",
        "components/schemas/product_Full/allOf/2/properties/base_variant_id",
        _make_nullable,
        "base_variant_id is null for a product with option variants (API.md §6.1: "
        "'null for complex products'); the schema says integer",
    ),
    Erratum(
        "orders.v2.oas2.yml",
        "components/schemas/orderConsignments_Resource",
        _requiring("url", "resource"),
        "the two consignment shapes of an order (a link, or the object) have no required keys, "
        "so any object matches both and their oneOf can never pass; each shape's keys are "
        "always present, so requiring them tells the shapes apart",
    ),
    Erratum(
        "orders.v2.oas2.yml",
        "components/schemas/orderConsignment_Get",
        _requiring("pickups", "shipping", "downloads", "email"),
        "see orderConsignments_Resource",
    ),
    Erratum(
        "orders.v2.oas2.yml",
        "components/schemas/products_Resource",
        _requiring("url", "resource"),
        "consignment line_items are oneOf links or order products; a link without required "
        "keys matches any order product too, so the oneOf can never pass",
    ),
    Erratum(
        "product-variants_catalog.v3.yml",
        "paths/~1catalog~1variants/put/responses",
        _batch_multi_status,
        "BigCommerce says product and variant updates answer 207 when inventory data was not "
        "saved (API.md §13) but documents no 207 for the variants batch; the sandbox's "
        "pessimistic behaviour answers it in the shape the products batch documents (data as "
        "an array, one errorMultiStatus object) -- an undocumented shape, so it is checked "
        "against that one",
    ),
)


def _x_nullable(node: Any) -> None:
    """Some documents keep OpenAPI 2's ``x-nullable``; OpenAPI 3.0 spells it ``nullable``
    (the catalog variants endpoints document null prices this way)."""
    if isinstance(node, dict):
        if node.get("x-nullable") is True:
            node["nullable"] = True
        for value in node.values():
            _x_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _x_nullable(value)


@cache
def _document(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((openapi_dir() / name).read_text())
    patched = copy.deepcopy(loaded)
    _x_nullable(patched)
    for erratum in ERRATA:
        if erratum.document == name:
            erratum.fix(_walk(patched, erratum.pointer))
    return patched


@cache
def _openapi(name: str) -> OpenAPI:
    # The Inventory API answers 422 as application/problem+json, which is JSON.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(_document(name), config=config)


def _document_for(api_path: str, method: str) -> str:
    """Which BigCommerce document describes ``api_path`` (relative to /stores/{hash})."""
    if api_path.startswith("/v2/store") or api_path == "/v2/time":
        return "store_information.v2.yml"
    if api_path.startswith("/v2/"):
        return "orders.v2.oas2.yml"
    if api_path.startswith("/v3/hooks"):
        return "webhooks.v3.yml"
    if api_path.startswith("/v3/inventory"):
        return "inventory.v3.yml"
    if api_path.startswith("/v3/orders"):
        return "orders.v3.yml"
    if "/variants" in api_path:
        return "product-variants_catalog.v3.yml"
    if "/options" in api_path:
        return "product-variant-options_catalog.v3.yml"
    return "products_catalog.v3.yml"


def _fallback_schema(document: str) -> dict[str, Any]:
    if document.startswith(("orders.v2", "store_information")):
        return _walk(
            _document("orders.v2.oas2.yml"),
            "components/responses/404_Resp/content/application~1json/schema",
        )
    if document == "inventory.v3.yml":
        return _walk(_document(document), "components/schemas/ErrorResponse")
    return _walk(_document("products_catalog.v3.yml"), "components/schemas/GeneralErrorWithErrors")


def _documented(
    document: str, path_template: str, method: str, status: int
) -> dict[str, Any] | None:
    """The documented response for this status, if any (``$ref`` resolved)."""
    responses = _document(document)["paths"][path_template].get(method.lower(), {})["responses"]
    found: dict[str, Any] | None = responses.get(str(status), responses.get("default"))
    if found is not None and "$ref" in found:
        found = _walk(_document(document), found["$ref"].lstrip("#/"))
    return found


def _template(document: str, api_path: str) -> str:
    """The spec's path template for a concrete path (``/catalog/products/{product_id}``); a
    literal segment beats a parameter (``/orders/count`` is not ``/orders/{order_id}``)."""
    concrete = api_path.split("/", 2)[2]  # drop "/v2" or "/v3"
    parts = concrete.strip("/").split("/")
    best: tuple[int, str] | None = None
    templates: list[str] = list(_document(document)["paths"])
    for template in templates:
        pieces = template.strip("/").split("/")
        if len(pieces) != len(parts):
            continue
        literal = [p == c for p, c in zip(pieces, parts, strict=True)]
        if all(
            hit or (p.startswith("{") and p.endswith("}"))
            for hit, p in zip(literal, pieces, strict=True)
        ) and (best is None or sum(literal) > best[0]):
            best = (sum(literal), template)
    if best is None:
        raise AssertionError(f"{api_path} is not in {document}")
    return best[1]


def documented_operation(method: str, api_path: str) -> bool:
    """Whether ``method api_path`` (relative to /stores/{hash}, templated or concrete) is an
    operation of BigCommerce's documents."""
    document = _document_for(api_path, method)
    relative = "/" + api_path.split("/", 2)[2]
    pattern = [p if not p.startswith("{") else "{}" for p in relative.strip("/").split("/")]
    for template, item in _document(document)["paths"].items():
        pieces = ["{}" if p.startswith("{") else p for p in template.strip("/").split("/")]
        if pieces == pattern and method.lower() in item:
            return True
    return False


class ContractChecker:
    """``bare_429``: a 429 may come without any rate-limit header (BigCommerce under platform
    load, D:RL#L93; the sandbox's pessimistic behaviour sends some that way)."""

    def __init__(self, store_hash: str, *, quota_on: bool = True, bare_429: bool = False) -> None:
        self.store_hash = store_hash
        self.quota_on = quota_on
        self.bare_429 = bare_429
        self.checked: list[str] = []

    def check(self, reply: Reply, *, request: bool = True) -> Reply:
        """Validate one reply (and, unless ``request`` is False, its request); returns it."""
        prefix = f"/stores/{self.store_hash}"
        assert reply.path.startswith(prefix), reply.path
        api_path = reply.path[len(prefix) :]
        document = _document_for(api_path, reply.method)
        template = _template(document, api_path)
        spec = _openapi(document)
        mock_request = MockRequest(
            "https://api.bigcommerce.com",
            reply.method.lower(),
            reply.path,
            args=dict(parse_qsl(reply.query, keep_blank_values=True)),
            headers=dict(reply.request_headers),
            data=reply.request_body,
        )
        if request:
            spec.validate_request(mock_request)
        bare = reply.status == 429 and not any(h in reply.headers for h in RATE_HEADERS)
        if self.quota_on and not (bare and self.bare_429):
            for header in RATE_HEADERS:
                assert header in reply.headers, f"{header} missing on {reply.method} {api_path}"
                int(reply.headers[header])
        documented = _documented(document, template, reply.method, reply.status)
        if reply.status == 204 and reply.method == "GET" and api_path.startswith("/v2/"):
            # Known gap: V2 lists answer 204 with no body when empty, which the spec leaves out
            # for most of them (API.md §9.1).
            assert reply.body == b"", "a 204 has no body"
        elif documented is not None and not documented.get("content"):
            assert reply.body == b"", f"{template} {reply.status} is documented without a body"
        elif documented is not None:
            mock_response = MockResponse(
                reply.body,
                status_code=reply.status,
                headers=dict(reply.headers),
                content_type=reply.content_type if reply.body else "application/json",
            )
            spec.validate_response(mock_request, mock_response)
        else:
            assert reply.status >= 400, (
                f"{reply.method} {template} -> {reply.status} is a success the spec lacks"
            )
            body = json.loads(reply.body)
            OAS30Validator(_fallback_schema(document)).validate(body)
            first = body[0] if isinstance(body, list) else body
            assert first["status"] == reply.status
        self.checked.append(f"{reply.method} {template} {reply.status}")
        return reply


def webhook_schema(scope: str) -> Mapping[str, Any]:
    """The callback payload schema BigCommerce publishes for ``scope``."""
    name = "store_" + scope.removeprefix("store/").replace("/", "_") + ".yml"
    document = yaml.safe_load((webhooks_dir() / name).read_text())
    schema: Mapping[str, Any] = document["properties"][scope]
    return schema
