"""Staff accounts: first administrator, invitations, setup links, sign-in with password and
second factor, server-side sessions with idle and absolute timeouts, and the audit log.

Everything time-dependent reads ``clock`` (injected in tests). Nothing here logs a
username, password, code, token or secret.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from bot.settings import Settings
from bot.storage import Store
from bot.storage.staff import SetupRecord, StaffRecord, StaffSessionRecord, UsernameTaken
from handoff import passwords, totp
from handoff.roles import Role
from handoff.throttle import Throttle

Clock = Callable[[], datetime]
USERNAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_TOUCH_EVERY: Final = timedelta(seconds=60)
_CSRF_NAMESPACE: Final = "staff_csrf"


def utcnow() -> datetime:
    return datetime.now(UTC)


class AccountsError(Exception):
    """A request that cannot be done; the message is safe to show to staff."""


class LoginFailed(AccountsError):
    def __init__(self) -> None:
        super().__init__("Sign-in failed. Check the username, the password and the code.")


class LoginThrottled(AccountsError):
    def __init__(self, retry_after: float) -> None:
        super().__init__("Too many attempts. Wait a moment, then try again.")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Policy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    setup_ttl: timedelta = timedelta(hours=24)
    issuer: str = "Staff console"

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            idle=timedelta(minutes=settings.staff_idle_minutes),
            absolute=timedelta(hours=settings.staff_absolute_hours),
            setup_ttl=timedelta(hours=settings.staff_setup_hours),
            issuer=settings.staff_totp_issuer,
        )


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in member of staff (what every access check receives)."""

    staff_id: str
    username: str
    role: Role
    token_hash: str
    token: str = field(repr=False)
    csrf: str = field(repr=False)


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return "A username has 2-64 characters: a-z, 0-9, '.', '_' or '-'."
    return None


class Accounts:
    def __init__(
        self, store: Store, policy: Policy, throttle: Throttle, clock: Clock = utcnow
    ) -> None:
        self.store = store
        self.staff = store.staff
        self.policy = policy
        self.throttle = throttle
        self.clock = clock

    # -- CSRF tokens: an HMAC of the session token (or of a pre-session cookie) -----------

    def csrf_token(self, binding: str) -> str:
        return self.store.keyring.pseudonym(_CSRF_NAMESPACE, binding)

    def _session(self, record: StaffSessionRecord, token: str) -> StaffSession:
        return StaffSession(
            staff_id=record.staff.id,
            username=record.staff.username,
            role=Role(record.staff.role),
            token_hash=record.token_hash,
            token=token,
            csrf=self.csrf_token(f"session:{token}"),
        )

    # -- accounts and setup links -----------------------------------------------------------

    async def create_first_admin(self, username: str) -> tuple[StaffRecord, str]:
        """The first account of an empty staff table, and its setup token."""
        username = normalise_username(username)
        problem = username_problem(username)
        if problem:
            raise AccountsError(problem)
        if await self.staff.count():
            raise AccountsError(
                "staff accounts exist already: an administrator invites new staff at "
                "/staff/admin/staff"
            )
        record = await self.staff.create(username, Role.ADMINISTRATOR, self.clock())
        await self.staff.audit(None, "admin_created", self.clock(), target=record.id)
        return record, await self.issue_setup(record.id)

    async def invite(
        self, actor: StaffSession, username: str, role: str
    ) -> tuple[StaffRecord, str]:
        username = normalise_username(username)
        problem = username_problem(username)
        if problem:
            raise AccountsError(problem)
        if role not in tuple(Role):
            raise AccountsError("Choose a role.")
        try:
            record = await self.staff.create(username, role, self.clock())
        except UsernameTaken as exc:
            raise AccountsError("This username is taken.") from exc
        await self.staff.audit(actor.staff_id, "staff_invited", self.clock(), target=record.id)
        return record, await self.issue_setup(record.id)

    async def issue_setup(self, staff_id: str) -> str:
        now = self.clock()
        return await self.staff.issue_setup_token(
            staff_id, totp.new_secret(), now, now + self.policy.setup_ttl
        )

    async def setup(self, token: str) -> SetupRecord | None:
        return await self.staff.setup_for_token(token, self.clock())

    async def complete_setup(self, token: str, password: str, confirm: str, code: str) -> None:
        """Set the password and enrol the second factor (confirmed by a current code)."""
        setup = await self.setup(token)
        if setup is None:
            raise AccountsError("This link is not valid any more. Ask an administrator.")
        problem = passwords.password_problem(password)
        if problem:
            raise AccountsError(problem)
        if password != confirm:
            raise AccountsError("The two passwords differ.")
        step = totp.matching_step(setup.totp_secret, code, self.clock().timestamp(), 0)
        if step is None:
            raise AccountsError("The code is not right. Check the clock of the device.")
        hashed = await asyncio.to_thread(passwords.hash_password, password)
        if not await self.staff.complete_setup(token, hashed, step, self.clock()):
            raise AccountsError("This link is not valid any more. Ask an administrator.")
        await self.staff.audit(setup.staff.id, "setup_completed", self.clock())

    # -- sign-in and sessions ---------------------------------------------------------------

    async def login(self, username: str, password: str, code: str, address: str) -> StaffSession:
        """Raises LoginThrottled, or LoginFailed (one message for every reason)."""
        username = normalise_username(username)
        keys = (f"user:{username}", f"addr:{address}")
        wait = self.throttle.retry_after(*keys)
        if wait > 0:
            raise LoginThrottled(wait)
        creds = await self.staff.credentials(username) if USERNAME.fullmatch(username) else None
        stored = creds.password_hash if creds else None
        password_ok = await asyncio.to_thread(passwords.verify_password, password, stored)
        step = None
        if creds is not None and creds.totp_secret is not None:
            step = totp.matching_step(
                creds.totp_secret, code, self.clock().timestamp(), creds.totp_last_step
            )
        if (
            creds is None
            or creds.staff.disabled
            or not password_ok
            or step is None
            or not await self.staff.use_totp_step(creds.staff.id, step)
        ):
            self.throttle.failure(*keys)
            if creds is not None:
                await self.staff.audit(creds.staff.id, "login_failed", self.clock())
            raise LoginFailed()
        for key in keys:
            self.throttle.success(key)
        if stored is not None and passwords.needs_rehash(stored):
            rehashed = await asyncio.to_thread(passwords.hash_password, password)
            await self.staff.set_password_hash(creds.staff.id, rehashed)
        now = self.clock()
        token = await self.staff.create_session(creds.staff.id, now)
        await self.staff.audit(creds.staff.id, "login", now)
        record = StaffSessionRecord(self.staff.token_hash(token), creds.staff, now, now)
        return self._session(record, token)

    async def resume(self, token: str) -> StaffSession | None:
        """The session of a cookie token, unless it is unknown, revoked, idle for longer
        than the idle timeout or older than the absolute timeout (then it is deleted)."""
        record = await self.staff.session(token)
        if record is None:
            return None
        now = self.clock()
        if (
            now - record.last_seen_at > self.policy.idle
            or now - record.created_at > self.policy.absolute
        ):
            await self.staff.delete_session(record.token_hash)
            return None
        if now - record.last_seen_at >= _TOUCH_EVERY:
            await self.staff.touch_session(record.token_hash, now)
        return self._session(record, token)

    async def logout(self, session: StaffSession) -> None:
        await self.staff.delete_session(session.token_hash)
        await self.staff.audit(session.staff_id, "logout", self.clock())

    # -- administration ---------------------------------------------------------------------

    async def set_disabled(self, actor: StaffSession, staff_id: str, disabled: bool) -> None:
        if disabled and staff_id == actor.staff_id:
            raise AccountsError("You cannot disable your own account.")
        if not await self.staff.set_disabled(staff_id, disabled):
            raise AccountsError("No such account.")
        action = "staff_disabled" if disabled else "staff_enabled"
        await self.staff.audit(actor.staff_id, action, self.clock(), target=staff_id)

    async def reset_second_factor(
        self, actor: StaffSession, staff_id: str
    ) -> tuple[StaffRecord, str]:
        """Remove the second factor, sign the account out, and give a new setup link (the
        person sets a password and enrols again)."""
        record = await self.staff.get(staff_id)
        if record is None:
            raise AccountsError("No such account.")
        if record.disabled:
            raise AccountsError("Re-enable the account first.")
        await self.staff.reset_second_factor(staff_id)
        await self.staff.audit(actor.staff_id, "staff_2fa_reset", self.clock(), target=staff_id)
        return record, await self.issue_setup(staff_id)

    async def audit(
        self,
        session: StaffSession,
        action: str,
        *,
        conversation_id: str | None = None,
        target: str | None = None,
    ) -> None:
        await self.staff.audit(
            session.staff_id, action, self.clock(), conversation_id=conversation_id, target=target
        )
