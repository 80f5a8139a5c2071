"""The services directory (issue 5): list, search, edit, retire, CSV import/export. Routes
under /staff/admin/services.
"""

from __future__ import annotations

from aiohttp import web


def install(app: web.Application) -> None:
    """Add this area's routes to the staff sub-application (none yet)."""
