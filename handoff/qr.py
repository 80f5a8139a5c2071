"""The enrolment QR code: the ``otpauth://`` address as an SVG image in a ``data:`` URI
(the CSP allows ``img-src data:``; nothing is fetched, nothing is stored)."""

from __future__ import annotations

import base64

import qrcode  # type: ignore[import-untyped]
from qrcode.image.svg import SvgPathImage  # type: ignore[import-untyped]


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=SvgPathImage, border=4)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
