"""Content editing (issue 5): responses per language, drafts, versions, publish,
import/export. Routes under /staff/admin/content.
"""

from __future__ import annotations

from aiohttp import web


def install(app: web.Application) -> None:
    """Add this area's routes to the staff sub-application (none yet)."""
