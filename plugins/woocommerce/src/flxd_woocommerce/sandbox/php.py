"""PHP's view of a request and of JSON: how ``$_GET`` is built from a query string, how
``urlencode`` and ``add_query_arg`` spell URLs, and how ``wp_json_encode`` writes bodies.

They matter to a client: ``status=a&status=b`` is just ``b`` to PHP (the last wins; send
``status=a,b`` or ``status[]=a&status[]=b``), a ``+`` in a query value is a space, and every
JSON body escapes ``/`` as ``\\/`` and non-ASCII as ``\\uXXXX`` (a webhook signature covers
those exact bytes).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

__all__ = [
    "QueryValue",
    "build_query",
    "parse_query",
    "php_json",
    "rawurlencode",
    "urlencode",
]

QueryValue = str | list["QueryValue"] | dict[str, "QueryValue"]
_SUBKEY = re.compile(r"\[([^\[\]]*)\]")


def urlencode(text: str) -> str:
    """PHP ``urlencode``: space as ``+``, everything but ``A-Za-z0-9-_.`` escaped."""
    return quote_plus(text, safe="").replace("~", "%7E")


def rawurlencode(text: str) -> str:
    """PHP ``rawurlencode`` (RFC 3986): space as ``%20``, ``~`` kept."""
    return quote(text, safe="~")


def parse_query(query: str) -> dict[str, QueryValue]:
    """``parse_str``: the last of repeated keys wins; ``a[]=x`` builds a list, ``a[k]=x`` a map;
    ``.`` and spaces in a top-level name become ``_``."""
    result: dict[str, Any] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        key, value = unquote_plus(raw_key), unquote_plus(raw_value)
        bracket = key.find("[")
        if bracket <= 0 or _SUBKEY.match(key, bracket) is None:
            name = key.replace(".", "_").replace(" ", "_")
            if name:
                result[name] = value
            continue
        name = key[:bracket].replace(".", "_").replace(" ", "_")
        parts = [m.group(1) for m in _SUBKEY.finditer(key, bracket)]
        _assign(result, [name, *parts], value)
    return {k: _listify(v) for k, v in result.items()}


def _assign(target: dict[str, Any], path: list[str], value: str) -> None:
    node = target
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if part == "" and depth > 0:
            part = str(sum(1 for k in node if k.isdigit()))
        if last:
            node[part] = value
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child


def _listify(value: Any) -> QueryValue:
    if isinstance(value, dict):
        converted = {k: _listify(v) for k, v in value.items()}
        if converted and all(k.isdigit() for k in converted):
            return list(converted.values())
        return converted
    return str(value)


def build_query(params: dict[str, QueryValue]) -> str:
    """``http_build_query`` with PHP ``urlencode``: lists as ``a%5B0%5D=x``."""
    pairs: list[str] = []

    def add(prefix: str, value: QueryValue) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                add(f"{prefix}[{index}]", item)
        elif isinstance(value, dict):
            for key, item in value.items():
                add(f"{prefix}[{key}]", item)
        else:
            pairs.append(f"{urlencode(prefix)}={urlencode(value)}")

    for key, value in params.items():
        add(key, value)
    return "&".join(pairs)


def php_json(value: Any) -> bytes:
    """``wp_json_encode``: compact, ASCII only, ``/`` escaped."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()
