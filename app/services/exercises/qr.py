"""A QR code as inline SVG (segno, pure Python; nothing fetched), for the worksheets' link back
to the interactive page."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, scale: int = 3) -> str:
    """The QR code of url (error correction M) as an <svg> element, black on white."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, xmldecl=False, nl=False,
                                    title="QR", dark="#000", light="#fff")
    return buf.getvalue().decode("utf-8")
