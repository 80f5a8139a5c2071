"""Small typed client for the gateway's internal API (docs/CONTRACTS.md).

Every call has a short timeout and raises `GatewayError` on any failure other than a
documented "not found", so that the calling action can fall back to a safe answer.
Nothing here logs query text, coordinates or ids: only the endpoint and the error kind.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT_S = 2.0


class GatewayError(Exception):
    """The gateway could not be reached or answered with something unexpected."""


@dataclass(frozen=True)
class Place:
    province_id: str
    name: dict[str, str]
    former: bool


@dataclass(frozen=True)
class ServiceList:
    province_id: str | None
    service_ids: list[str]


class GatewayClient:
    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        token: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> GatewayClient:
        return cls(
            base_url=environ.get("GATEWAY_URL") or DEFAULT_URL,
            token=environ.get("INTERNAL_TOKEN") or None,
        )

    async def resolve_place(self, text: str) -> Place | None:
        """The province a place name refers to, or None if the gateway does not know it."""
        status, body = await self._get("/internal/places/resolve", {"q": text})
        if status == 404:
            return None
        if status != 200:
            raise self._unexpected("places/resolve", status)
        province_id = body.get("province_id")
        name = body.get("name")
        if not isinstance(province_id, str) or not province_id:
            raise self._unexpected("places/resolve", status)
        names = {str(k): str(v) for k, v in name.items()} if isinstance(name, dict) else {}
        return Place(province_id, names, bool(body.get("former", False)))

    async def services(self, province_id: str | None, kind: str | None = None) -> ServiceList:
        """Services in a province (then national ones); national only without one."""
        params: dict[str, str] = {}
        if province_id:
            params["province_id"] = province_id
        if kind:
            params["kind"] = kind
        return await self._service_list("/internal/services", params)

    async def nearest(self, lat: float, lon: float, kind: str | None = None) -> ServiceList:
        params = {"lat": repr(float(lat)), "lon": repr(float(lon))}
        if kind:
            params["kind"] = kind
        return await self._service_list("/internal/services/nearest", params)

    async def _service_list(self, path: str, params: dict[str, str]) -> ServiceList:
        status, body = await self._get(path, params)
        if status != 200:
            raise self._unexpected(path, status)
        ids = body.get("service_ids")
        province_id = body.get("province_id")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise self._unexpected(path, status)
        return ServiceList(
            province_id if isinstance(province_id, str) and province_id else None,
            list(ids),
        )

    async def _get(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            async with aiohttp.ClientSession(timeout=self._timeout) as session:
                async with session.get(
                    self._base_url + path, params=params, headers=headers
                ) as response:
                    if response.status not in (200, 404):
                        return response.status, {}
                    body = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.warning("gateway %s failed: %s", path, type(exc).__name__)
            raise GatewayError(type(exc).__name__) from exc
        if not isinstance(body, dict):
            raise self._unexpected(path, response.status)
        return response.status, body

    @staticmethod
    def _unexpected(path: str, status: int) -> GatewayError:
        logger.warning("gateway %s answered unexpectedly (HTTP %s)", path, status)
        return GatewayError(f"HTTP {status}")
