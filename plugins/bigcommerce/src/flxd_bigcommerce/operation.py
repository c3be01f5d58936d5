"""How operation modules plug into the BigCommerce channel: a handler and its settings model."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flxd.config import OperationSettings
from flxd.plugin.context import RunContext

if TYPE_CHECKING:
    from flxd_bigcommerce.channel import BigCommerceChannel

__all__ = ["OperationSpec"]


@dataclass(frozen=True, slots=True)
class OperationSpec:
    settings: type[OperationSettings]
    run: Callable[[BigCommerceChannel, RunContext], Awaitable[None]]
