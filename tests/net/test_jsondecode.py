"""Channel answers read the same whichever decoder reads them."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flxd.net.jsondecode import loads


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": 1, "price": "12.50", "lines": [{"q": 2}], "note": "caf\\u00e9"}',
        b"[]",
        b'{"big": 123456789012345678901234567890}',  # past 64 bits: orjson makes a float
        b'{"neg": -123456789012345678901234567890}',
        b'{"lone": "\\ud800"}',  # a lone surrogate: msgspec refuses it
        b'{"huge": 1e400}',  # msgspec refuses it; Python reads inf
        b'{"a": 1, "a": 2}',
        b"1.1000000000000001",
        b'[0.1, 2.5e-324, 1.7976931348623157e308, -0.0, "12.3400"]',
    ],
)
def test_the_same_reading_as_the_standard_library(body: bytes) -> None:
    assert loads(body) == json.loads(body)


def test_nan_is_read_as_python_reads_it() -> None:
    assert math.isnan(loads(b'{"x": NaN}')["x"])


@pytest.mark.parametrize("body", [b'{"id": 1', b"<html>", b""])
def test_invalid_json_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        loads(body)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(value=_JSON)
def test_any_document_reads_as_the_standard_library_reads_it(value: object) -> None:
    body = json.dumps(value).encode()
    assert loads(body) == json.loads(body)
