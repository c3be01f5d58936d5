"""``rest_validate_value_from_schema`` and ``rest_sanitize_value_from_schema``, as WordPress
(5.7 and later) applies them to request arguments.

Rules a client meets: a query string is all strings, so ``"10"`` is an integer and ``"true"``,
``"1"``, ``"false"``, ``"0"`` are booleans; a scalar is an array after splitting on commas and
spaces (``include=1,2``); a JSON list passes as an ``object`` (PHP cannot tell them apart);
an unknown ``type`` (``"date-time"`` in WooCommerce's older schemas) accepts anything;
``format: date-time`` needs ``rest_parse_date``'s full date and time. A JSON number is *not*
a string: ``"regular_price": 12.5`` is refused where the schema says string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from flxd_woocommerce.sandbox.wpdates import REST_DATE

__all__ = ["Schema", "sanitize", "validate"]

Schema = Mapping[str, Any]
_BUILT_IN = ("array", "object", "string", "number", "integer", "boolean", "null")
_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_LIST_SPLIT = re.compile(r"[\s,]+")


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value)
    return isinstance(value, str) and _NUMERIC.match(value) is not None


def _is_integer(value: Any) -> bool:
    number = float(value)
    return round(number) == number


def _is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.lower() in ("true", "false", "0", "1")
    return isinstance(value, int) and value in (0, 1)


def _parse_list(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["1"] if value else []
    text = str(value)
    return [part for part in _LIST_SPLIT.split(text) if part]


def _is_array(value: Any) -> bool:
    if isinstance(value, str | int | float | bool):
        return True  # wp_parse_list makes a list of any scalar
    if isinstance(value, list):
        return True
    return isinstance(value, dict) and all(str(k).lstrip("-").isdigit() for k in value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return _parse_list(value)


def _is_object(value: Any) -> bool:
    return value == "" or isinstance(value, dict | list)


def _as_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


def _is_int_like(value: Any) -> bool:
    return _is_numeric(value) and _is_integer(value)


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_null(value: Any) -> bool:
    return value is None


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "array": _is_array,
    "object": _is_object,
    "integer": _is_int_like,
    "number": _is_numeric,
    "boolean": _is_boolean,
    "string": _is_string,
    "null": _is_null,
}


def _best_type(value: Any, types: list[str]) -> str:
    checks = _CHECKS
    if value == "" and "string" in types:
        return "string"
    for kind in types:
        check = checks.get(kind)
        if check is not None and check(value):
            return kind
    invalid = [t for t in types if t not in _BUILT_IN]
    return invalid[0] if invalid else ""


def validate(value: Any, schema: Schema, param: str) -> str | None:
    """The message WordPress gives for ``value``, or None when it is valid."""
    kind = schema.get("type")
    if isinstance(kind, list):
        best = _best_type(value, [str(t) for t in kind])
        if not best:
            return f"{param} is not of type {','.join(str(t) for t in kind)}."
        schema = {**schema, "type": best}
        kind = best
    if kind == "array":
        problem = _validate_array(value, schema, param)
    elif kind == "object":
        problem = _validate_object(value, schema, param)
    elif kind == "null":
        problem = None if value is None else f"{param} is not of type null."
    elif kind in ("integer", "number"):
        problem = _validate_number(value, schema, param, str(kind))
    elif kind == "boolean":
        problem = None if _is_boolean(value) else f"{param} is not of type boolean."
    elif kind == "string":
        problem = _validate_string(value, schema, param)
    else:
        problem = None  # no type, or one WordPress does not know: anything goes
    if problem is None and schema.get("enum") and kind in _BUILT_IN:
        problem = _validate_enum(value, schema, param, str(kind))
    return problem


def _validate_array(value: Any, schema: Schema, param: str) -> str | None:
    if not _is_array(value):
        return f"{param} is not of type array."
    items = _as_list(value)
    item_schema = schema.get("items")
    if isinstance(item_schema, Mapping):
        for index, item in enumerate(items):
            problem = validate(item, item_schema, f"{param}[{index}]")
            if problem is not None:
                return problem
    if "minItems" in schema and len(items) < int(schema["minItems"]):
        return f"{param} must contain at least {schema['minItems']} items."
    if "maxItems" in schema and len(items) > int(schema["maxItems"]):
        return f"{param} must contain at most {schema['maxItems']} items."
    if schema.get("uniqueItems") and len({repr(i) for i in items}) != len(items):
        return f"{param} has duplicate items."
    return None


def _validate_object(value: Any, schema: Schema, param: str) -> str | None:
    if not _is_object(value):
        return f"{param} is not of type object."
    data = _as_object(value)
    properties = schema.get("properties")
    required = schema.get("required")
    names = list(required) if isinstance(required, list) else []
    if isinstance(properties, Mapping) and not isinstance(required, list):
        names = [n for n, p in properties.items() if isinstance(p, Mapping) and p.get("required")]
    for name in names:
        if name not in data:
            return f"{name} is a required property of {param}."
    additional = schema.get("additionalProperties")
    for name, item in data.items():
        if isinstance(properties, Mapping) and name in properties:
            problem = validate(item, properties[name], f"{param}[{name}]")
        elif additional is False:
            problem = f"{name} is not a valid property of Object."
        elif isinstance(additional, Mapping):
            problem = validate(item, additional, f"{param}[{name}]")
        else:
            problem = None
        if problem is not None:
            return problem
    return None


def _validate_number(value: Any, schema: Schema, param: str, kind: str) -> str | None:
    if not _is_numeric(value):
        return f"{param} is not of type {kind}."
    if kind == "integer" and not _is_integer(value):
        return f"{param} is not of type integer."
    number = float(value)
    low, high = schema.get("minimum"), schema.get("maximum")
    low_x, high_x = bool(schema.get("exclusiveMinimum")), bool(schema.get("exclusiveMaximum"))
    below = low is not None and (number <= low if low_x else number < low)
    above = high is not None and (number >= high if high_x else number > high)
    if low is not None and high is not None and (below or above):
        left = "exclusive" if low_x else "inclusive"
        right = "exclusive" if high_x else "inclusive"
        return f"{param} must be between {low} ({left}) and {high} ({right})"
    if below:
        return f"{param} must be greater than {'' if low_x else 'or equal to '}{low}"
    if above:
        return f"{param} must be less than {'' if high_x else 'or equal to '}{high}"
    return None


def _validate_string(value: Any, schema: Schema, param: str) -> str | None:
    if not isinstance(value, str):
        return f"{param} is not of type string."
    if "minLength" in schema and len(value) < int(schema["minLength"]):
        return f"{param} must be at least {schema['minLength']} characters long."
    if "maxLength" in schema and len(value) > int(schema["maxLength"]):
        return f"{param} must be at most {schema['maxLength']} characters long."
    if "pattern" in schema and not re.search(str(schema["pattern"]), value):
        return f"{param} does not match pattern {schema['pattern']}."
    if schema.get("format") == "date-time" and REST_DATE.match(value) is None:
        return "Invalid date."
    return None


def _validate_enum(value: Any, schema: Schema, param: str, kind: str) -> str | None:
    sanitized = sanitize(value, {"type": kind})
    for allowed in schema["enum"]:
        if sanitized == allowed and type(sanitized) is type(allowed):
            return None
    shown = ", ".join(str(e) for e in schema["enum"])
    return f"{param} is not one of {shown}."


def sanitize(value: Any, schema: Schema) -> Any:
    """The value a handler sees once WordPress has validated it."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = _best_type(value, [str(t) for t in kind]) or None
    if kind == "array":
        items = _as_list(value)
        item_schema = schema.get("items")
        if isinstance(item_schema, Mapping):
            return [sanitize(item, item_schema) for item in items]
        return items
    if kind == "object":
        data = _as_object(value)
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            return {
                k: sanitize(v, properties[k]) if k in properties else v for k, v in data.items()
            }
        return data
    if kind == "integer":
        return int(float(value)) if _is_numeric(value) else 0
    if kind == "number":
        return float(value) if _is_numeric(value) else 0.0
    if kind == "boolean":
        if isinstance(value, str):
            return value.lower() not in ("false", "0", "")
        return bool(value)
    if kind == "string":
        if isinstance(value, bool):
            return "1" if value else ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else ("" if value is None else str(value))
    return value
