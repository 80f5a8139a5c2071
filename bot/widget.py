"""The embeddable web widget (docs/WIDGET.md): the loader script that host pages include,
and the chat page that it opens in an iframe of the gateway's own origin.

Both are static files with a few values filled in from the settings and the content, so
nothing is configured in JavaScript and no text of the conversation is hard-coded here.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from bot.content import ContentLibrary
from bot.settings import LANGUAGES, Settings

STATIC = Path(__file__).parent / "static"
_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")


@functools.cache
def _read(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def loader_script(settings: Settings) -> str:
    """widget.js with the configured quick-exit address as its default."""
    return _read("widget.js").replace('"__GW_EXIT_URL__"', json.dumps(settings.widget_exit_url))


def frame_page(settings: Settings, library: ContentLibrary) -> str:
    """The chat page, with the approved location explanation in both languages."""
    values = {"exit_url": settings.widget_exit_url}
    for language in LANGUAGES:
        values[f"loc_{language}"] = library.render("gw_location_ask", language).text
    page = _read("frame.html")
    for name, value in values.items():
        page = page.replace("{{" + name + "}}", html.escape(value, quote=True))
    return page


def frame_csp(settings: Settings, host: str) -> str:
    """The chat page may be framed by this site and the allow-listed embedding sites, and
    connects only to this site's WebSocket (spelled out for browsers that do not count
    ws: as 'self')."""
    ancestors = " ".join(("'self'", *settings.allowed_origins))
    sockets = f" ws://{host} wss://{host}" if _HOST.fullmatch(host) else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'{sockets}; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )
