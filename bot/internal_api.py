"""The internal API the action server calls (places, services). Bearer-token protected."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot.content import ContentLibrary, Service


def _kind(request: web.Request) -> str | None:
    kind = request.query.get("kind")
    return kind or None


def _services_answer(province_id: str | None, services: Sequence[Service]) -> web.Response:
    return web.json_response({"province_id": province_id, "service_ids": [s.id for s in services]})


def resolve_place(library: ContentLibrary, request: web.Request) -> web.Response:
    query = request.query.get("q", "")[:200]
    province = library.resolve_place(query)
    if province is None:
        return web.json_response({"error": "unknown_place"}, status=404)
    return web.json_response({"province_id": province.id, "name": dict(province.name)})


def services(library: ContentLibrary, request: web.Request) -> web.Response:
    province_id = request.query.get("province_id") or None
    if province_id is not None and province_id not in library.provinces:
        return web.json_response({"error": "unknown_province"}, status=404)
    return _services_answer(province_id, library.services_for(province_id, _kind(request)))


def nearest(library: ContentLibrary, request: web.Request) -> web.Response:
    try:
        lat = float(request.query["lat"])
        lon = float(request.query["lon"])
    except (KeyError, ValueError):
        return web.json_response({"error": "bad_coordinates"}, status=400)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return web.json_response({"error": "bad_coordinates"}, status=400)
    province = library.nearest_province(lat, lon)
    province_id = province.id if province else None
    return _services_answer(province_id, library.services_for(province_id, _kind(request)))
