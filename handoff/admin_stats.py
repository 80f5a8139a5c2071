"""The admin home and privacy-safe statistics (issue 5). Routes /staff/admin/ and
/staff/admin/stats.
"""

from __future__ import annotations

from aiohttp import web


def install(app: web.Application) -> None:
    """Add this area's routes to the staff sub-application (none yet)."""
