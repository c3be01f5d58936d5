"""Money shown with its currency's places, never with a digit the hub holds rounded away."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flxd.hub.money import show_money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("26.8", None, "26.80"),
        ("1e3", None, "1000.00"),
        ("12.345", None, "12.345"),
        ("1265.1600", "USD", "1265.16"),
        ("1200", "JPY", "1200"),
        ("1200.50", "jpy", "1200.5"),
        ("1.5", "KWD", "1.500"),
        ("0", "EUR", "0.00"),
        ("7", "XYZ", "7.00"),
    ],
)
def test_money_has_its_currencys_places(amount: str, currency: str | None, shown: str) -> None:
    assert show_money(Decimal(amount), currency) == shown
