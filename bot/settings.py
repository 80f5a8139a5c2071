"""Gateway settings, read once from the environment. Secrets never appear in repr or logs."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

LANGUAGES = ("vi", "en")
# Where the web widget's quick exit goes (WIDGET_EXIT_URL): a neutral page, a weather search.
DEFAULT_EXIT_URL = "https://www.google.com/search?q=th%E1%BB%9Di+ti%E1%BA%BFt"


@dataclass(frozen=True, slots=True)
class Secret:
    """A string that refuses to be printed."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret(***)" if self.value else "Secret(<unset>)"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.value)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_float(env, name, float(default)))


def _exit_url(env: Mapping[str, str]) -> str:
    url = env.get("WIDGET_EXIT_URL", "").strip() or DEFAULT_EXIT_URL
    if not re.fullmatch(r"https?://[^\s\"'<>\\]+", url):
        raise ConfigError("WIDGET_EXIT_URL must be an http(s) address")
    return url


_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")


def _hours(env: Mapping[str, str]) -> tuple[int, int] | None:
    """HANDOFF_HOURS: ``always`` (default) or ``HH:MM-HH:MM`` (minutes since midnight, in
    HANDOFF_TIMEZONE; an end before the start wraps past midnight)."""
    raw = env.get("HANDOFF_HOURS", "").strip().lower()
    if raw in ("", "always"):
        return None
    match = _HOURS.fullmatch(raw)
    if match is None:
        raise ConfigError("HANDOFF_HOURS must be 'always' or HH:MM-HH:MM, e.g. 07:00-22:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end or end > 24 * 60:
        raise ConfigError("HANDOFF_HOURS must be a non-empty span within a day")
    return start, end


def _timezone(env: Mapping[str, str]) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = env.get("HANDOFF_TIMEZONE", "").strip() or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"HANDOFF_TIMEZONE {name!r} is not a known time zone") from exc
    return name


TELEGRAM_MODES = ("webhook", "polling")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


def _telegram(env: Mapping[str, str]) -> dict[str, Any]:
    """TELEGRAM_*: nothing starts without a bot token; webhook mode needs a secret."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    url = env.get("TELEGRAM_WEBHOOK_URL", "").strip()
    mode = env.get("TELEGRAM_MODE", "").strip().lower()
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if not token:
        return {}
    mode = mode or ("webhook" if url else "polling")
    if mode not in TELEGRAM_MODES:
        raise ConfigError(f"TELEGRAM_MODE must be one of {TELEGRAM_MODES}")
    if mode == "webhook" and not _WEBHOOK_SECRET.fullmatch(secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and - "
            "in webhook mode"
        )
    return {
        "telegram_token": Secret(token),
        "telegram_mode": mode,
        "telegram_webhook_secret": Secret(secret),
        "telegram_webhook_url": url,
        "telegram_api_base": env.get("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/"),
    }


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    var_dir: Path = Path("var")
    content_dir: Path = Path("content")
    database_url: str = ""
    master_key: Secret = Secret("")
    hmac_key: Secret = Secret("")
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: Secret = Secret("")
    nlg_token: Secret = Secret("")
    internal_token: Secret = Secret("")
    rasa_timeout: float = 1.5
    breaker_failures: int = 3
    breaker_reset: float = 5.0
    default_language: str = "vi"
    max_text_chars: int = 2000
    # Staff console (handoff/): session timeouts, setup-link lifetime, cookies, links.
    staff_idle_minutes: float = 30.0
    staff_absolute_hours: float = 12.0
    staff_setup_hours: float = 24.0
    staff_secure_cookies: bool = False  # force `Secure` (TLS ends at a proxy in front)
    staff_public_url: str = ""  # base of printed setup links, e.g. https://help.example.org
    staff_totp_issuer: str = "Staff console"
    # The handoff queue (handoff/queue.py, docs/HANDOFF.md).
    handoff_hours: tuple[int, int] | None = None  # None: always; else minutes [start, end)
    handoff_timezone: str = "Asia/Ho_Chi_Minh"
    handoff_max_chats: int = 3
    handoff_escalate_minutes: float = 5.0
    handoff_reply_minutes: float = 5.0
    handoff_reminder_seconds: float = 120.0
    handoff_tick_seconds: float = 15.0
    ws_max_frame: int = 16 * 1024
    ws_rate: float = 1.0
    ws_burst: int = 5
    retention_days: int = 30
    services_stale_days: int = 180  # services verified longer ago are flagged (admin area)
    purge_interval: float = 3600.0
    janitor_interval: float = 300.0
    rasa_forget_after_minutes: int = 60
    allowed_origins: tuple[str, ...] = ()
    widget_exit_url: str = DEFAULT_EXIT_URL
    log_level: str = "INFO"
    telegram_token: Secret = Secret("")
    telegram_mode: str = ""  # "" (off: no token) | "webhook" | "polling"
    telegram_webhook_secret: Secret = Secret("")
    telegram_webhook_url: str = ""
    telegram_api_base: str = "https://api.telegram.org"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / 'gateway.db').resolve()}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        default_language = env.get("DEFAULT_LANGUAGE", "vi")
        if default_language not in LANGUAGES:
            raise ConfigError(f"DEFAULT_LANGUAGE must be one of {LANGUAGES}")
        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
        return cls(
            host=env.get("GATEWAY_HOST", "127.0.0.1"),
            port=_int(env, "GATEWAY_PORT", 8080),
            var_dir=Path(env.get("VAR_DIR", "var")),
            content_dir=Path(env.get("CONTENT_DIR", "content")),
            database_url=env.get("DATABASE_URL", ""),
            master_key=Secret(env.get("MASTER_KEY", "")),
            hmac_key=Secret(env.get("HMAC_KEY", "")),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_token=Secret(env.get("RASA_TOKEN", "")),
            nlg_token=Secret(env.get("NLG_TOKEN", "")),
            internal_token=Secret(env.get("INTERNAL_TOKEN", "")),
            rasa_timeout=_float(env, "RASA_TIMEOUT", 1.5),
            breaker_failures=_int(env, "RASA_BREAKER_FAILURES", 3),
            breaker_reset=_float(env, "RASA_BREAKER_RESET", 5.0),
            staff_idle_minutes=_float(env, "STAFF_IDLE_MINUTES", 30.0),
            staff_absolute_hours=_float(env, "STAFF_ABSOLUTE_HOURS", 12.0),
            staff_setup_hours=_float(env, "STAFF_SETUP_HOURS", 24.0),
            staff_secure_cookies=env.get("STAFF_SECURE_COOKIES", "") in ("1", "true", "yes"),
            staff_public_url=env.get("STAFF_PUBLIC_URL", "").strip().rstrip("/"),
            staff_totp_issuer=env.get("STAFF_TOTP_ISSUER", "").strip() or "Staff console",
            handoff_hours=_hours(env),
            handoff_timezone=_timezone(env),
            handoff_max_chats=_int(env, "HANDOFF_MAX_CHATS", 3),
            handoff_escalate_minutes=_float(env, "HANDOFF_ESCALATE_MINUTES", 5.0),
            handoff_reply_minutes=_float(env, "HANDOFF_REPLY_MINUTES", 5.0),
            handoff_reminder_seconds=_float(env, "HANDOFF_REMINDER_SECONDS", 120.0),
            default_language=default_language,
            ws_rate=_float(env, "WS_RATE", 1.0),
            ws_burst=_int(env, "WS_BURST", 5),
            retention_days=_int(env, "RETENTION_DAYS", 30),
            services_stale_days=_int(env, "SERVICES_STALE_DAYS", 180),
            allowed_origins=origins,
            widget_exit_url=_exit_url(env),
            log_level=env.get("GATEWAY_LOG_LEVEL", "INFO").upper(),
            **_telegram(env),
        )

    def require_tokens(self) -> None:
        """The NLG and internal endpoints refuse to run unprotected."""
        for name, secret in (
            ("NLG_TOKEN", self.nlg_token),
            ("INTERNAL_TOKEN", self.internal_token),
        ):
            if len(secret.value) < 16:
                raise ConfigError(f"{name} must be set (at least 16 characters); run 'make run'")
