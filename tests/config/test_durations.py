"""Durations a config may not hold (regression, issue 9): NaN, infinity and absurd lengths were
accepted, and the daemon then crashed at start while building its timers."""

from __future__ import annotations

import pytest

from flxd.config.types import parse_duration


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), 1e300, "99999999999999999999d", "4000d"]
)
def test_unusable_durations_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


@pytest.mark.parametrize(("value", "seconds"), [(30, 30.0), ("1h30m", 5400.0), ("3650d", 3.1536e8)])
def test_ordinary_durations_still_read(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds
