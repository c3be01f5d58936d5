"""Order metafields (``/v3/orders/{id}/metafields``, D:OV3#L478-848): where an app such as flxd
acknowledges an order. Metafields belong to the API client that wrote them; one client may hold
one metafield per (namespace, key) on a resource and at most 250 per resource."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.dates import format_iso, whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.ids import IdSequence

__all__ = ["MAX_METAFIELDS_PER_RESOURCE", "Metafield", "Metafields", "metafield_json"]

MAX_METAFIELDS_PER_RESOURCE = 250
PermissionSet = Literal["app_only", "read", "write", "read_and_sf_access", "write_and_sf_access"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Metafield:
    id: int
    resource_type: str
    resource_id: int
    owner_client_id: str
    permission_set: PermissionSet
    namespace: str
    key: str
    value: str
    description: str
    date_created: datetime
    date_modified: datetime


class _Write(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    permission_set: PermissionSet | None = None
    namespace: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    key: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    value: Annotated[str, Field(min_length=1, max_length=65535)] | None = None
    description: Annotated[str, Field(max_length=255)] | None = None


def _parse(payload: Any, *, create: bool) -> _Write:
    if not isinstance(payload, dict):
        raise ApiError.invalid({"body": "expected a JSON object"})
    try:
        write = _Write.model_validate(payload)
    except ValidationError as exc:
        raise ApiError.invalid(
            {".".join(map(str, e["loc"])): e["msg"] for e in exc.errors()}
        ) from None
    if create:
        required = ("permission_set", "namespace", "key", "value")
        missing = {f: f"{f} is required" for f in required if getattr(write, f) is None}
        if missing:
            raise ApiError.invalid(missing)
    return write


def metafield_json(metafield: Metafield) -> dict[str, Any]:
    return {
        "id": metafield.id,
        "key": metafield.key,
        "value": metafield.value,
        "namespace": metafield.namespace,
        "permission_set": metafield.permission_set,
        "resource_type": metafield.resource_type,
        "resource_id": metafield.resource_id,
        "description": metafield.description,
        "date_created": format_iso(metafield.date_created),
        "date_modified": format_iso(metafield.date_modified),
        "owner_client_id": metafield.owner_client_id,
    }


class Metafields:
    """All metafields of one store."""

    def __init__(self, clock: SandboxClock, ids: IdSequence) -> None:
        self.clock = clock
        self.ids = ids
        self.records: dict[int, Metafield] = {}

    def of(self, resource_type: str, resource_id: int) -> Iterator[Metafield]:
        return (
            m
            for m in sorted(self.records.values(), key=lambda m: m.id)
            if m.resource_type == resource_type and m.resource_id == resource_id
        )

    def get(self, resource_type: str, resource_id: int, metafield_id: int) -> Metafield:
        found = self.records.get(metafield_id)
        if found is None or (found.resource_type, found.resource_id) != (
            resource_type,
            resource_id,
        ):
            raise ApiError(404, "Metafield not found", errors_as_list=True)
        return found

    def _check_unique(self, candidate: Metafield) -> None:
        for other in self.of(candidate.resource_type, candidate.resource_id):
            if other.id != candidate.id and (
                other.owner_client_id,
                other.namespace,
                other.key,
            ) == (candidate.owner_client_id, candidate.namespace, candidate.key):
                raise ApiError(
                    409,
                    "Metafield already exists: the namespace and key are taken for this "
                    "resource and client",
                    {"key": candidate.key, "namespace": candidate.namespace},
                )

    def create(
        self, resource_type: str, resource_id: int, client_id: str, payload: Any
    ) -> Metafield:
        write = _parse(payload, create=True)
        owned = [m for m in self.of(resource_type, resource_id) if m.owner_client_id == client_id]
        if len(owned) >= MAX_METAFIELDS_PER_RESOURCE:
            raise ApiError.invalid(
                {"metafields": f"at most {MAX_METAFIELDS_PER_RESOURCE} metafields per resource"}
            )
        now = whole_seconds(self.clock.now())
        assert write.permission_set and write.namespace and write.key and write.value
        metafield = Metafield(
            id=self.ids.take("metafield"),
            resource_type=resource_type,
            resource_id=resource_id,
            owner_client_id=client_id,
            permission_set=write.permission_set,
            namespace=write.namespace,
            key=write.key,
            value=write.value,
            description=write.description or "",
            date_created=now,
            date_modified=now,
        )
        self._check_unique(metafield)
        self.records[metafield.id] = metafield
        return metafield

    def update(
        self, resource_type: str, resource_id: int, metafield_id: int, payload: Any
    ) -> Metafield:
        metafield = self.get(resource_type, resource_id, metafield_id)
        write = _parse(payload, create=False)
        changes = {k: v for k, v in write.model_dump(exclude_none=True).items()}
        updated = replace(metafield, **changes, date_modified=whole_seconds(self.clock.now()))
        self._check_unique(updated)
        self.records[metafield_id] = updated
        return updated

    def delete(self, resource_type: str, resource_id: int, metafield_id: int) -> None:
        self.get(resource_type, resource_id, metafield_id)
        del self.records[metafield_id]
