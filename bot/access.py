"""Every access decision of the gateway, one function each, one condition per line.

Denied requests all look the same (403, `{"error": "forbidden"}`): a caller learns
nothing about why, or whether the thing exists.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from bot.settings import Settings

FORBIDDEN = {"error": "forbidden"}


def _same(given: str | None, expected: str) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def access_nlg(request: web.Request, settings: Settings) -> None:
    """Rasa calls the NLG endpoint with `?token=` (Rasa's EndpointConfig convention)."""
    if not _same(request.query.get("token"), settings.nlg_token.value):
        raise web.HTTPForbidden(text='{"error": "forbidden"}', content_type="application/json")


def access_internal(request: web.Request, settings: Settings) -> None:
    """The action server sends `Authorization: Bearer <INTERNAL_TOKEN>`."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer":
        raise web.HTTPForbidden(text='{"error": "forbidden"}', content_type="application/json")
    if not _same(token, settings.internal_token.value):
        raise web.HTTPForbidden(text='{"error": "forbidden"}', content_type="application/json")


def access_websocket(request: web.Request, settings: Settings) -> None:
    """Browsers send Origin: it must be this site or an allow-listed embedding site."""
    origin = request.headers.get("Origin")
    if origin is None:
        return  # not a browser (tests, benchmarks); the protocol itself carries no authority
    own = f"{request.scheme}://{request.host}"
    if origin == own:
        return
    if origin in settings.allowed_origins:
        return
    raise web.HTTPForbidden(text='{"error": "forbidden"}', content_type="application/json")
