"""Decoding the JSON bodies channels answer with: msgspec where it can, the standard library
where msgspec refuses what JSON (as Python reads it) allows.

A page of 250 BigCommerce orders is about 1.7 MB and every acknowledgement answers with a whole
order, so decoding is a large share of flxd's CPU on an order import; msgspec takes about a
third of the time `json.loads` does. It reads integers of any size exactly (orjson turns those
past 64 bits into floats, silently, which is why it is not used), and refuses a few things
`json.loads` accepts (NaN and Infinity, 1e400, lone surrogates): those bodies are decoded again
by `json.loads`, so what a body means never depends on which decoder read it, and invalid JSON
is still a ValueError.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

__all__ = ["loads"]

_DECODER = msgspec.json.Decoder()


def loads(body: bytes) -> Any:
    try:
        return _DECODER.decode(body)
    except msgspec.DecodeError:
        return json.loads(body)
