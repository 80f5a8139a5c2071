"""HTTP client for Rasa: the REST channel for conversations, the HTTP API for parsing and
for resuming a conversation that a counsellor handed back (docs/CONTRACTS.md, "Rasa HTTP API").

Failure policy (the person must never wait long or be left without an answer):
- one attempt is bounded by `timeout` seconds;
- a request is retried once, only when it surely never reached Rasa (connection refused
  or reset before the answer, HTTP 502/503), and only while time is left — a timed-out
  message is not re-sent, Rasa may still be processing it;
- a circuit breaker opens after `failures` consecutive failures and short-cuts every call
  for `reset_after` seconds, then lets a single probe through.
Callers turn `RasaUnavailable` into the static fail-safe answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.errors import RasaUnavailable
from bot.messages import BotText, Button

META_KEY = "_gw"
HANDED_BACK_INTENT = "EXTERNAL_handed_back"
# Slots of the screening form: an interrupted screening's answers are discarded on resume,
# as when danger interrupts it (rasa_project/actions: action_reset_screening).
LAP_SLOTS = tuple(f"lap_{i}" for i in range(1, 12))
# Names no input channel, so Rasa collects the bot's answers into its HTTP answer
# (rasa/server.py: _get_output_channel falls back to a CollectingOutputChannel).
COLLECTOR = "collector"

_Body = Mapping[str, Any] | Sequence[Mapping[str, Any]]  # a JSON object, or a list of them


@dataclass(frozen=True, slots=True)
class RasaReply:
    messages: tuple[BotText, ...]
    intent: str | None = None
    confidence: float | None = None
    payloads: tuple[Mapping[str, Any], ...] = field(default=())


class CircuitBreaker:
    """Closed → (n failures) → open → (reset_after) → half-open: one probe decides."""

    def __init__(
        self,
        failures: int,
        reset_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failures
        self._reset_after = reset_after
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        if self._opened_at is None:
            return True
        if self._probing or self._clock() - self._opened_at < self._reset_after:
            return False
        self._probing = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._threshold:
            self._opened_at = self._clock()
        self._probing = False


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            out.append(Button(title=item["title"], payload=str(item.get("payload", ""))))
    return tuple(out)


def parse_reply(body: Any) -> RasaReply:
    """Split Rasa's REST answer into texts, the NLG's intent meta block and action payloads."""
    if not isinstance(body, list):
        raise RasaUnavailable("Rasa answered with an unexpected body")
    messages: list[BotText] = []
    payloads: list[Mapping[str, Any]] = []
    intent: str | None = None
    confidence: float | None = None
    for item in body:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        if isinstance(custom, dict):
            meta = custom.get(META_KEY)
            if isinstance(meta, dict):
                if intent is None and isinstance(meta.get("intent"), str):
                    intent = meta["intent"]
                    conf = meta.get("confidence")
                    confidence = float(conf) if isinstance(conf, int | float) else None
            else:
                payloads.append(custom)
        text = item.get("text")
        if isinstance(text, str) and text:
            messages.append(BotText(text=text, buttons=_buttons(item.get("buttons"))))
    return RasaReply(tuple(messages), intent, confidence, tuple(payloads))


class RasaClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token: str,
        timeout: float,
        breaker: CircuitBreaker,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self.breaker = breaker

    async def send(self, conversation_id: str, text: str, metadata: Mapping[str, Any]) -> RasaReply:
        body = {"sender": conversation_id, "message": text, "metadata": dict(metadata)}
        data = await self._post("/webhooks/rest/webhook", body, params={})
        return parse_reply(data)

    async def parse(self, text: str) -> tuple[str | None, float | None]:
        params = self._api_params()
        data = await self._post("/model/parse", {"text": text}, params=params)
        intent = data.get("intent") if isinstance(data, dict) else None
        if not isinstance(intent, dict):
            return None, None
        name = intent.get("name")
        conf = intent.get("confidence")
        return (
            name if isinstance(name, str) else None,
            float(conf) if isinstance(conf, int | float) else None,
        )

    async def resume(self, conversation_id: str, language: str, channel: str) -> list[BotText]:
        """Give a conversation back to the dialogue after a counsellor handed it back.

        Two HTTP API calls, each under the usual deadline, retry and circuit rules:
        1. append events that end any active form (`active_loop` null, `requested_slot`
           and the screening answers reset) and set `language`/`channel`, so the answer is
           in the conversation's language even if Rasa forgot the tracker meanwhile;
        2. trigger the external intent `EXTERNAL_handed_back`; its rule answers
           `utter_handed_back` through the NLG endpoint.
        Returns the bot messages of step 2 (texts with buttons; the `_gw` block dropped).
        Raises `RasaUnavailable` when either call fails (the form may then already be over).
        """
        params = {**self._api_params(), "include_events": "NONE"}
        path = f"/conversations/{quote(conversation_id, safe='')}"
        events: list[dict[str, Any]] = [
            {"event": "active_loop", "name": None},
            {"event": "slot", "name": "requested_slot", "value": None},
            *({"event": "slot", "name": slot, "value": None} for slot in LAP_SLOTS),
            {"event": "slot", "name": "language", "value": language},
            {"event": "slot", "name": "channel", "value": channel},
        ]
        await self._post(f"{path}/tracker/events", events, params=params)
        data = await self._post(
            f"{path}/trigger_intent",
            {"name": HANDED_BACK_INTENT},
            params={**params, "output_channel": COLLECTOR},
        )
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            raise RasaUnavailable("Rasa answered trigger_intent without messages")
        return list(parse_reply(messages).messages)

    def _api_params(self) -> dict[str, str]:
        return {"token": self._token} if self._token else {}

    async def forget(self, conversation_id: str) -> bool:
        """Replace Rasa's tracker of a conversation by an empty one (HTTP API, token), so
        its in-memory tracker store keeps no transcript of a conversation that went quiet.
        Maintenance, not a person's turn: it does not count for the circuit breaker."""
        params = self._api_params()
        url = f"{self._base}/conversations/{conversation_id}/tracker/events"
        try:
            async with self._session.put(
                url, json=[], params=params, timeout=aiohttp.ClientTimeout(total=5)
            ) as resp:
                return resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def _post(self, path: str, body: _Body, params: Mapping[str, str]) -> Any:
        if not self.breaker.allow():
            raise RasaUnavailable("circuit open")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        attempts = 0
        while True:
            attempts += 1
            remaining = deadline - loop.time()
            try:
                result = await self._attempt(path, body, params, remaining)
            except _Retryable as exc:
                if attempts < 2 and deadline - loop.time() > 0.05:
                    continue
                self.breaker.record_failure()
                raise RasaUnavailable(str(exc)) from None
            except RasaUnavailable:
                self.breaker.record_failure()
                raise
            self.breaker.record_success()
            return result

    async def _attempt(
        self, path: str, body: _Body, params: Mapping[str, str], remaining: float
    ) -> Any:
        timeout = aiohttp.ClientTimeout(total=max(remaining, 0.01))
        try:
            async with self._session.post(
                self._base + path, json=body, params=params, timeout=timeout
            ) as resp:
                if resp.status in (502, 503):
                    raise _Retryable(f"HTTP {resp.status}")
                if resp.status != 200:
                    raise RasaUnavailable(f"HTTP {resp.status}")
                return await resp.json(content_type=None)
        except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError) as exc:
            raise _Retryable(type(exc).__name__) from None
        except TimeoutError:
            raise RasaUnavailable("timeout") from None
        except (aiohttp.ClientError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from None


class _Retryable(Exception):
    """Internal: the request never reached Rasa, so sending it again is safe."""
