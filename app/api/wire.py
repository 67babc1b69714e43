"""Bytes on the wire: gzip where it pays, Cache-Control and validators on static files and pages.

- `install_wire(app)`: Starlette's GZipMiddleware (level 1, bodies ≥ GZIP_MIN_BYTES, only when
  the request says `Accept-Encoding: gzip`) and `Vary: Accept-Encoding` on every response that
  could have been compressed. PNG is never compressed (already deflated: gzip saves < 1 %);
  NPY neither: it is a binary download whose Content-Length the route sets (gzip would take a
  ReLU map to ~40 %, bench/wire.py; dropping it from NO_GZIP is the one-line change).
- `CachedStaticFiles`: StaticFiles (ETag, Last-Modified, 304 on If-None-Match /
  If-Modified-Since) plus `Cache-Control`: our own files `no-cache` (always revalidated, so a new
  deploy is seen at once; unchanged files cost a 304), the pinned vendored ones a day; the ETag
  is weak, as the bytes sent may be gzipped or not.
- `PAGE_CACHE_CONTROL`: the HTML pages, revalidated on every load.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

GZIP_MIN_BYTES = 1024  # below ~1 KB the saving is a fraction of one packet
# level 1: on the lab's JSON 34-37 % of the size against 28-31 % at level 6, for a quarter of the
# CPU (18 vs 71 ms at 256 px gray, 144 vs 609 ms at 512 px RGB: bench/wire.py); what level 6
# saves takes longer to compress than to send at 20 Mbit/s, and the CPU is the class's
GZIP_LEVEL = 1
NO_GZIP = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/x-npy", "application/octet-stream")

OWN_CACHE_CONTROL = "public, no-cache"  # stored, revalidated on every use (ETag → 304)
LONG_CACHE_CONTROL = "public, max-age=86400"  # pinned libraries (static/vendor/VERSIONS.md)
PAGE_CACHE_CONTROL = "no-cache"  # the HTML shell: a new deploy is picked up on the next load
VENDOR_PREFIX = "vendor" + os.sep


class CachedStaticFiles(StaticFiles):
    """StaticFiles with a Cache-Control per file, `Vary: Accept-Encoding` and a weak ETag (the
    bytes sent may be gzipped or not: RFC 9110 §8.8.1), on 200 and 304 answers alike."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendor = self.get_path(scope).replace(os.sep, "/").startswith("vendor/")
        response.headers["cache-control"] = LONG_CACHE_CONTROL if vendor else OWN_CACHE_CONTROL
        etag = response.headers.get("etag")
        if etag and not etag.startswith("W/"):
            response.headers["etag"] = "W/" + etag
        if response.status_code == 304:  # a 200 gets its Vary from GZipMiddleware
            response.headers.add_vary_header("Accept-Encoding")
        return response


def install_wire(app: FastAPI) -> None:
    """GZip. Call before install_api: the body guard's own errors
    (413, 503, 507) then never pass through it, compression runs inside the request's CPU slot,
    and HeadAsGet (outside) answers HEAD with the headers a GET would get."""
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL,
                       exclude_content_types=NO_GZIP)
