"""Which reading the sandbox takes where BigCommerce's documents are silent or UNCONFIRMED.

``documented`` (the default) follows the documents, and where they say nothing takes the
choices listed in the package docstring. ``pessimistic`` takes, on each doubtful point, the
reading worst for a syncing client; :class:`PessimisticSettings` holds its knobs, and each
knob can be turned off alone (0, 250 or False) to isolate the others. The package docstring
lists every choice with the API.md section it stands on.

Every pessimistic decision is drawn from per-store RNGs seeded with the sandbox's ``seed`` and
the store hash (:class:`StoreDraws`), and every delay is decided by comparing readings of the
sandbox's clock, so the same seed, requests and clock moves give the same answers.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, get_args

__all__ = [
    "BEHAVIOURS",
    "Behaviour",
    "BehaviourName",
    "PessimisticSettings",
    "StoreDraws",
    "check_name",
]

BehaviourName = Literal["documented", "pessimistic"]
BEHAVIOURS: tuple[str, ...] = get_args(BehaviourName)
# The V3/V2 page-size maximum the documents (or their convention) give: a page limit of 250
# is no clamp at all.
_MAX_PAGE = 250


@dataclass(frozen=True, slots=True, kw_only=True)
class PessimisticSettings:
    """The knobs of the ``pessimistic`` behaviour (ignored under ``documented``).

    - ``date_modified_on_product_fields_only``: a product's ``date_modified`` moves only when
      a product-level field other than stock is written;
    - ``exclusive_v2_date_bounds``: V2 ``min_/max_date_created|modified`` exclude their bound,
      compared at whole seconds;
    - ``variants_page_limit``: the page size products listed with ``include=variants`` and
      ``GET /catalog/variants`` are clamped to (250: no clamp);
    - ``v2_page_limit``: the page size V2 lists are clamped to (250: no clamp);
    - ``visibility_delay``: seconds before a stock or price write shows in reads;
    - ``order_listing_lag``: seconds before a new order shows in ``GET /v2/orders`` and counts;
    - ``partial_write_rate``: share of product/variant writes carrying inventory fields whose
      inventory part is not saved (a 207);
    - ``webhook_max_delay``: each delivery waits a random 0..this many seconds;
    - ``webhook_duplicate_rate``: share of deliveries sent twice (each copy with its own delay);
    - ``webhook_loss_rate``: share of deliveries never sent;
    - ``bare_429_rate``: share of over-quota 429s sent without any rate-limit header;
    - ``metafield_batch_limit``: most metafields ``POST /v3/orders/metafields`` takes at once,
      refusing more with a 422 that says too many (0: no limit).
    """

    date_modified_on_product_fields_only: bool = True
    exclusive_v2_date_bounds: bool = True
    variants_page_limit: int = 50
    v2_page_limit: int = 50
    visibility_delay: float = 5.0
    order_listing_lag: float = 5.0
    partial_write_rate: float = 0.25
    webhook_max_delay: float = 60.0
    webhook_duplicate_rate: float = 0.2
    webhook_loss_rate: float = 0.05
    bare_429_rate: float = 0.3
    metafield_batch_limit: int = 25

    def __post_init__(self) -> None:
        problems = []
        for name in ("variants_page_limit", "v2_page_limit"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{name} must be an integer")
            elif not 1 <= value <= _MAX_PAGE:
                problems.append(f"{name} must be between 1 and {_MAX_PAGE} (250: no clamp)")
        for name in ("visibility_delay", "order_listing_lag", "webhook_max_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problems.append(f"{name} must be a number of seconds >= 0")
        for name in (
            "partial_write_rate",
            "webhook_duplicate_rate",
            "webhook_loss_rate",
            "bare_429_rate",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"{name} must be a number between 0 and 1")
            elif not 0.0 <= value <= 1.0:
                problems.append(f"{name} must be between 0 and 1")
        limit = self.metafield_batch_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            problems.append("metafield_batch_limit must be an integer >= 0 (0: no limit)")
        for name in ("date_modified_on_product_fields_only", "exclusive_v2_date_bounds"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name} must be true or false")
        if problems:
            raise ValueError("invalid PessimisticSettings: " + "; ".join(problems))

    @classmethod
    def off(cls) -> PessimisticSettings:
        """Every knob off: what ``documented`` does. ``replace(off(), knob=...)`` turns one
        pessimistic choice on by itself."""
        return cls(
            date_modified_on_product_fields_only=False,
            exclusive_v2_date_bounds=False,
            variants_page_limit=_MAX_PAGE,
            v2_page_limit=_MAX_PAGE,
            visibility_delay=0.0,
            order_listing_lag=0.0,
            partial_write_rate=0.0,
            webhook_max_delay=0.0,
            webhook_duplicate_rate=0.0,
            webhook_loss_rate=0.0,
            bare_429_rate=0.0,
            metafield_batch_limit=0,
        )

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> PessimisticSettings:
        """From JSON (the control API): unknown keys are an error naming them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown pessimistic setting(s): {', '.join(unknown)}")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_OFF = PessimisticSettings.off()


def check_name(name: str) -> BehaviourName:
    if name == "documented":
        return "documented"
    if name == "pessimistic":
        return "pessimistic"
    raise ValueError(f"behaviour must be one of {', '.join(BEHAVIOURS)}, not {name!r}")


class Behaviour:
    """The behaviour a sandbox's stores follow. One object is shared by every store of a
    sandbox and read at the moment of each decision, so switching it (control API) takes
    effect at once; delays already decided run their course."""

    def __init__(self, name: str, pessimism: PessimisticSettings) -> None:
        self.switch(name, pessimism)

    def switch(self, name: str, pessimism: PessimisticSettings) -> None:
        self.name: BehaviourName = check_name(name)
        self.pessimism = pessimism

    @property
    def active(self) -> PessimisticSettings:
        """The knobs in force: the configured ones when pessimistic, all off otherwise."""
        return self.pessimism if self.name == "pessimistic" else _OFF


class StoreDraws:
    """One store's seeded chances for the pessimistic behaviour, one RNG per kind of
    decision so that, say, extra webhooks do not change which writes fail. Nothing is drawn
    while a knob is off, so a documented run consumes no randomness."""

    def __init__(self, seed: int, store_hash: str) -> None:
        self._partial = random.Random(f"{seed}:{store_hash}:partial-writes")
        self._webhooks = random.Random(f"{seed}:{store_hash}:webhooks")
        self._bare_429 = random.Random(f"{seed}:{store_hash}:bare-429")

    @staticmethod
    def _hit(rng: random.Random, rate: float) -> bool:
        return rate > 0 and rng.random() < rate

    def partial_write(self, rate: float) -> bool:
        """Whether this write's inventory part is lost (a 207)."""
        return self._hit(self._partial, rate)

    def bare_429(self, rate: float) -> bool:
        """Whether this over-quota 429 goes out without rate-limit headers."""
        return self._hit(self._bare_429, rate)

    def webhook_delays(self, settings: PessimisticSettings) -> list[float]:
        """Seconds after the event at which each copy of one delivery goes out: ``[]`` when
        it is lost, two entries when it is sent twice, ``[0.0]`` when nothing is off."""
        if self._hit(self._webhooks, settings.webhook_loss_rate):
            return []
        copies = 2 if self._hit(self._webhooks, settings.webhook_duplicate_rate) else 1
        if settings.webhook_max_delay <= 0:
            return [0.0] * copies
        return [self._webhooks.uniform(0.0, settings.webhook_max_delay) for _ in range(copies)]
