"""Short machine codes (intent names, reason codes, outcome codes, document names): never
free text, so that nothing a person wrote can end up in a plain column."""

from __future__ import annotations

import re
from typing import Final

CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}")


def check_code(value: str, what: str) -> str:
    """``value`` if it is a short code ([A-Za-z0-9_.:/-], at most 64 chars), else ValueError."""
    if not isinstance(value, str) or not CODE.fullmatch(value):
        raise ValueError(f"{what} must be a short code ([A-Za-z0-9_.:/-], at most 64 chars)")
    return value
