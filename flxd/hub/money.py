"""Money as people read it: with the places its currency has (ISO 4217)."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["currency_places", "show_money"]

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_PLACES = {
    code: places
    for codes, places in ((_ZERO, 0), (_THREE, 3), (_FOUR, 4))
    for code in codes.split()
}


def currency_places(currency: str | None) -> int:
    """Decimal places of a currency; 2 (most currencies) when unknown or not said."""
    return _PLACES.get((currency or "").strip().upper(), 2)


def show_money(amount: Decimal, currency: str | None = None) -> str:
    """`amount` with its currency's places: 26.8 -> "26.80", 1E+3 -> "1000.00", 1265.1600 ->
    "1265.16". Digits the hub holds beyond them are shown, never rounded away (12.345)."""
    if not amount.is_finite():
        return str(amount)
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return f"{amount:.{max(currency_places(currency), -exponent)}f}"
