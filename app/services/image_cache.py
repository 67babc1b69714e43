"""Uploaded images kept by content hash, so a page uploads a photo once and later sends its ref.

The bytes live in the shared store (namespace "images", key = sha256 hex of the uploaded bytes),
bounded by `image_cache_cap` newest entries and `image_cache_ttl_s` seconds (settings); every
worker of one server sees them. An evicted or unknown ref is a 410 `image_ref_unknown`: the
page uploads the file again.
"""

from __future__ import annotations

import hashlib
import re

from app.config import Settings
from app.errors import ApiError
from app.store import Store

NS = "images"
REF_PATTERN = r"^[0-9a-f]{64}$"
_REF = re.compile(REF_PATTERN)


def image_ref(data: bytes) -> str:
    """The ref of an upload: sha256 of its bytes, 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def keep(store: Store, data: bytes, settings: Settings) -> str:
    """Store the upload under its ref (TTL and cap from the settings) → the ref."""
    ref = image_ref(data)
    store.put(NS, ref, data, ttl=settings.image_cache_ttl_s, cap=settings.image_cache_cap)
    return ref


def load(store: Store, ref: str, field: str = "image_ref") -> bytes:
    """The bytes kept under `ref`; 410 image_ref_unknown when evicted, expired or never kept."""
    data = store.get(NS, ref) if _REF.match(ref) else None
    if data is None:
        raise ApiError("image_ref_unknown", field=field, ref=ref[:16])
    return data
