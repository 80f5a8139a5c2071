"""Staff roles."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COUNSELLOR = "counsellor"  # the queue summary and the conversations assigned to them
    SUPERVISOR = "supervisor"  # every conversation
    ADMINISTRATOR = "administrator"  # every conversation, staff accounts, the audit log


OVERSIGHT = (Role.SUPERVISOR, Role.ADMINISTRATOR)
