#!/usr/bin/env python3
"""End-to-end smoke test: a real Rasa server + action server + a fake gateway.

Starts a fake gateway (NLG endpoint + internal API) on GATEWAY_PORT, then expects
    ACTION_PORT=5055 rasa run actions --actions actions --port 5055
    GATEWAY_PORT=... NLG_TOKEN=... ACTION_PORT=5055 rasa run --enable-api -m models
to be running (or starts them with --start), and plays scripted conversations through
the REST channel using intent payloads (`/intent{"entity": "value"}`), so NLU is not
under test. Exit 1 on the first conversation that does not go as expected.

Run from rasa_project/ with the Rasa venv:  python scripts/smoke_e2e.py --start
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

PROJECT = Path(__file__).resolve().parent.parent
NLG_TOKEN = "smoke-nlg-token"
INTERNAL_TOKEN = "smoke-internal-token"

Reply = dict[str, Any]


class FakeGateway:
    def __init__(self) -> None:
        self.nlg_calls: list[dict[str, Any]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/nlg", self.nlg)
        app.router.add_get("/internal/places/resolve", self.resolve)
        app.router.add_get("/internal/services", self.services)
        app.router.add_get("/internal/services/nearest", self.nearest)
        return app

    async def nlg(self, request: web.Request) -> web.Response:
        if request.query.get("token") != NLG_TOKEN:
            return web.json_response({"error": "token"}, status=401)
        body = await request.json()
        self.nlg_calls.append(body)
        tracker = body.get("tracker") or {}
        language = (
            (tracker.get("latest_message") or {}).get("metadata", {}).get("language")
            or (tracker.get("slots") or {}).get("language")
            or "vi"
        )
        args = body.get("arguments") or {}
        text = f"{body['response']}|{language}"
        if "service_ids" in args:
            text += f"|{args.get('province_id')}|{','.join(args['service_ids'])}"
        intent = (tracker.get("latest_message") or {}).get("intent") or {}
        meta = {"_gw": {"intent": intent.get("name"), "confidence": intent.get("confidence")}}
        return web.json_response({"text": text, "buttons": [], "custom": meta})

    @staticmethod
    def _auth(request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {INTERNAL_TOKEN}"

    async def resolve(self, request: web.Request) -> web.Response:
        if not self._auth(request):
            return web.json_response({"error": "auth"}, status=401)
        if request.query.get("q", "").casefold() in {"huế", "hue"}:
            return web.json_response({"province_id": "hue", "name": {"vi": "Huế", "en": "Hue"}})
        return web.json_response({"error": "unknown_place"}, status=404)

    async def services(self, request: web.Request) -> web.Response:
        if not self._auth(request):
            return web.json_response({"error": "auth"}, status=401)
        province_id = request.query.get("province_id")
        ids = (["hue_centre"] if province_id == "hue" else []) + ["national"]
        return web.json_response({"province_id": province_id, "service_ids": ids})

    async def nearest(self, request: web.Request) -> web.Response:
        if not self._auth(request):
            return web.json_response({"error": "auth"}, status=401)
        return web.json_response({"province_id": "hue", "service_ids": ["hue_centre"]})


def summary(replies: list[Reply]) -> list[str]:
    out = []
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and set(custom) == {"_gw"}:
            continue  # the REST channel sends an NLG answer's `custom` as its own message
        if "text" not in reply:
            out.append("custom:" + json.dumps(reply["custom"], sort_keys=True))
        else:
            out.append(str(reply.get("text")))
    return out


# (message, metadata, expected replies); "*" matches any single reply text prefix.
Turn = tuple[str, dict[str, Any] | None, list[str]]
VI = {"language": "vi", "channel": "web"}
EN = {"language": "en", "channel": "telegram"}

CONVERSATIONS: dict[str, list[Turn]] = {
    "greet in English": [("/greet", EN, ["utter_greet|en"])],
    "province in the first message": [
        (
            '/find_service{"province": "Huế"}',
            VI,
            ["utter_services_found|vi|hue|hue_centre,national"],
        ),
    ],
    "province asked, unknown, then known": [
        ("/find_service", VI, ["utter_ask_province|vi"]),
        ('/inform_location{"province": "Atlantis"}', VI, ["utter_ask_province_again|vi"]),
        ("/ask_hotline", VI, ["utter_hotlines|vi", "utter_ask_province|vi"]),
        (
            '/inform_location{"province": "hue"}',
            VI,
            ["utter_services_found|vi|hue|hue_centre,national"],
        ),
    ],
    "a place named outside a form": [
        (
            '/inform_location{"province": "Huế"}',
            VI,
            ["utter_services_found|vi|hue|hue_centre,national"],
        ),
    ],
    "shared location": [
        (
            "/share_location",
            {**VI, "location": {"lat": 16.46, "lon": 107.59}},
            ["utter_services_found|vi|hue|hue_centre"],
        ),
    ],
    "screening, early trigger": [
        ("/start_screening", VI, ["utter_screening_intro|vi", "utter_ask_lap_1|vi"]),
        ("/deny", VI, ["utter_ask_lap_2|vi"]),
        (
            "/affirm",
            VI,
            [
                'custom:{"handoff": {"answers": {"lap_1": "no", "lap_10": "skipped", '
                '"lap_11": "skipped", "lap_2": "yes", "lap_3": "skipped", "lap_4": "skipped", '
                '"lap_5": "skipped", "lap_6": "skipped", "lap_7": "skipped", "lap_8": "skipped", '
                '"lap_9": "skipped"}, "reason": "lap_screen"}}',
                "utter_screening_high|vi",
            ],
        ),
        ("/start_screening", VI, ["utter_screening_intro|vi", "utter_ask_lap_1|vi"]),
    ],
    "screening stopped, restarted from question 1": [
        ("/disclose_abuse", VI, ["utter_disclosure|vi", "utter_offer_screening|vi"]),
        ("/affirm", VI, ["utter_screening_intro|vi", "utter_ask_lap_1|vi"]),
        ("/deny", VI, ["utter_ask_lap_2|vi"]),
        ("/stop", VI, ["utter_screening_stopped|vi"]),
        ("/start_screening", VI, ["utter_screening_intro|vi", "utter_ask_lap_1|vi"]),
    ],
    "danger ends the screening": [
        ("/start_screening", VI, ["utter_screening_intro|vi", "utter_ask_lap_1|vi"]),
        ("/danger_now", VI, ["utter_danger_now|vi"]),
        ("/affirm", VI, ["utter_menu|vi"]),
    ],
    "nothing triggered": [
        ("/start_screening", EN, ["utter_screening_intro|en", "utter_ask_lap_1|en"]),
        *[("/deny", EN, [f"utter_ask_lap_{i}|en"]) for i in range(2, 12)],
        ("/deny", EN, ["utter_screening_not_triggered|en"]),
    ],
    "asking for a person": [
        ("/request_human", VI, ['custom:{"handoff": {"reason": "user_request"}}']),
    ],
}


async def play(session: aiohttp.ClientSession, rasa_url: str) -> int:
    failures = 0
    for name, turns in CONVERSATIONS.items():
        sender = str(uuid.uuid4())
        for message, metadata, expected in turns:
            async with session.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message, "metadata": metadata or {}},
            ) as response:
                replies = await response.json()
            got = summary(replies)
            if got != expected:
                print(f"FAIL {name}: {message}\n  expected {expected}\n  got      {got}")
                failures += 1
                break
        else:
            print(f"ok   {name}")
    return failures


async def wait_for(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(url)
            await asyncio.sleep(2)


async def main_async(args: argparse.Namespace) -> int:
    fake = FakeGateway()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.gateway_port).start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        if args.start:
            env = {
                **os.environ,
                "GATEWAY_PORT": str(args.gateway_port),
                "GATEWAY_URL": f"http://127.0.0.1:{args.gateway_port}",
                "NLG_TOKEN": NLG_TOKEN,
                "INTERNAL_TOKEN": INTERNAL_TOKEN,
                "ACTION_PORT": str(args.action_port),
            }
            rasa = str(Path(sys.executable).parent / "rasa")
            log = open(PROJECT / "results" / "smoke_servers.log", "wb")
            processes.append(
                subprocess.Popen(
                    [
                        rasa,
                        "run",
                        "actions",
                        "--actions",
                        "actions",
                        "--port",
                        str(args.action_port),
                    ],
                    cwd=PROJECT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            processes.append(
                subprocess.Popen(
                    [
                        rasa,
                        "run",
                        "--enable-api",
                        "-m",
                        "models/gbv.tar.gz",
                        "--port",
                        str(args.rasa_port),
                        "-i",
                        "127.0.0.1",
                    ],
                    cwd=PROJECT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        rasa_url = f"http://127.0.0.1:{args.rasa_port}"
        await wait_for(f"http://127.0.0.1:{args.action_port}/health", args.timeout)
        await wait_for(f"{rasa_url}/status", args.timeout)
        async with aiohttp.ClientSession() as session:
            failures = await play(session, rasa_url)
        print(f"smoke_e2e: {len(CONVERSATIONS) - failures}/{len(CONVERSATIONS)} conversations ok")
        return 1 if failures else 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description="end-to-end smoke test")
    parser.add_argument("--start", action="store_true", help="start rasa + actions")
    parser.add_argument("--gateway-port", type=int, default=18080)
    parser.add_argument("--action-port", type=int, default=15055)
    parser.add_argument("--rasa-port", type=int, default=15005)
    parser.add_argument("--timeout", type=float, default=900)
    (PROJECT / "results").mkdir(exist_ok=True)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
