"""Field work API (/api/v1/field/): device key, contact check, assigned work, sync."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Field, Router, Schema
from ninja.responses import Status

from opennrm.core.apischemas import ErrorOut
from opennrm.core.http import actor
from opennrm.field import selectors, services

router = Router(tags=["field"])


class KeyOut(Schema):
    key: str
    offline_days: int
    csrf: str


class ContactOut(Schema):
    wipe: bool


class ItemIn(Schema):
    id: str = Field(min_length=8, max_length=64)
    kind: str = Field(max_length=30)
    device_time: dt.datetime
    payload: dict[str, Any]


class SyncIn(Schema):
    device_id: str = Field(min_length=8, max_length=64)
    items: list[ItemIn] = Field(max_length=200)


class SyncOut(Schema):
    results: list[dict[str, Any]]


@router.get("/devices/{device_id}/key", response={200: KeyOut, 410: ErrorOut})
def device_key(request: HttpRequest, device_id: str) -> dict[str, Any]:
    """The device's data key for the signed-in user (410 ``device_wiped`` when it must erase its
    data), with the offline limit and a fresh CSRF token for the sync."""
    device = services.device_key_release(actor=actor(request), device_id=device_id)
    return {
        "key": device.key,
        "offline_days": settings.OPENNRM_FIELD_OFFLINE_DAYS,
        "csrf": get_token(request),
    }


@router.get("/devices/{device_id}/contact", response=ContactOut, auth=None)
def device_contact(request: HttpRequest, device_id: str) -> dict[str, bool]:
    """Asked at every contact, signed in or not: must the device erase its data now?"""
    return {"wipe": services.device_contact(device_id=device_id[:64])}


@router.post("/devices/{device_id}/wiped", response={204: None}, auth=None)
def device_wiped(request: HttpRequest, device_id: str) -> Status:
    """The device reports that it erased its data."""
    services.device_wipe_confirm(device_id=device_id[:64])
    return Status(204, None)


@router.get("/work", response=dict[str, Any])
def work(request: HttpRequest) -> dict[str, Any]:
    """The assigned work the device keeps offline (encrypted)."""
    user = actor(request)
    services.require_field_user(user)
    return selectors.field_work(actor=user)


@router.post("/sync", response=SyncOut)
def sync(request: HttpRequest, payload: SyncIn) -> dict[str, Any]:
    """Apply queued items in order; one result per item (applied, conflict, refused)."""
    items = [
        services.QueuedItem(id=i.id, kind=i.kind, device_time=i.device_time, payload=i.payload)
        for i in payload.items
    ]
    results = services.sync_items(actor=actor(request), device_id=payload.device_id, items=items)
    return {"results": results}
