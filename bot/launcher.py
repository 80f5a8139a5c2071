"""Start the whole stack on loopback: action server, Rasa, gateway (`make run`, and the
integration tests, which drive the same code).

Each process logs to `<var>/logs/<name>.log`. Rasa and the action server never listen
beyond 127.0.0.1: Rasa's REST channel and the action server have no authentication.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA_DIR = ROOT / "rasa_project"
RASA_BIN = ROOT / ".venv-rasa" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


@dataclass
class Stack:
    var_dir: Path
    env: dict[str, str]
    gateway_port: int
    rasa_port: int
    action_port: int
    model: Path = RASA_DIR / "models" / "gbv.tar.gz"
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _command(self, name: str) -> tuple[list[str], Path]:
        if name == "actions":
            return [
                str(RASA_BIN / "python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(self.action_port),
            ], RASA_DIR
        if name == "rasa":
            return [
                str(RASA_BIN / "rasa"),
                "run",
                "--enable-api",
                "-i",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--model",
                str(self.model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--auth-token",
                self.env["RASA_TOKEN"],
            ], RASA_DIR
        if name == "gateway":
            return [sys.executable, "-m", "bot", "serve"], ROOT
        raise ValueError(name)

    def start(self, name: str) -> None:
        command, cwd = self._command(name)
        logs = self.var_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed commands
                command,
                cwd=cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in ("gateway", "rasa", "actions"):
            self.stop(name)

    def wait_ready(self, name: str, timeout: float = 180.0) -> None:
        url = {
            "gateway": f"{self.gateway_url}/healthz",
            "actions": f"http://127.0.0.1:{self.action_port}/health",
            "rasa": f"{self.rasa_url}/status?token={self.env['RASA_TOKEN']}",
        }[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited early; see {self.var_dir}/logs/{name}.log")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(
            f"{name} not ready after {timeout:.0f}s; see {self.var_dir}/logs/{name}.log"
        )

    def warm_up(self) -> None:
        """The first prediction of a fresh Rasa compiles TensorFlow graphs (seconds): do it
        now, not on a person's first message."""
        for text in ("xin chào", "hello"):
            request = urllib.request.Request(  # noqa: S310 - loopback
                f"{self.rasa_url}/webhooks/rest/webhook",
                data=f'{{"sender": "warm-up", "message": "{text}"}}'.encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60):  # noqa: S310 - loopback
                pass

    def start_all(self) -> None:
        for name in ("gateway", "actions", "rasa"):
            self.start(name)
        for name in ("gateway", "actions", "rasa"):
            self.wait_ready(name)
        self.warm_up()


def make_stack(
    var_dir: Path,
    ports: tuple[int, int, int] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Stack:
    gateway_port, rasa_port, action_port = ports or (free_port(), free_port(), free_port())
    env = dict(os.environ)
    env.update(read_env_file(var_dir / "runtime.env"))
    env.update(
        {
            "VAR_DIR": str(var_dir),
            "GATEWAY_PORT": str(gateway_port),
            "ACTION_PORT": str(action_port),
            "GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "SANIC_HOST": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra_env or {})
    # Rasa reads LOG_LEVEL too, and at DEBUG it logs message texts: never below INFO.
    env["LOG_LEVEL"] = "INFO"
    return Stack(var_dir, env, gateway_port, rasa_port, action_port)


def staff_hint(env: Mapping[str, str]) -> str | None:
    """A hint when nobody can sign in to the staff console yet (never prints a password)."""
    import asyncio

    from bot.settings import Settings
    from handoff.cli import staff_hint as hint

    try:
        return asyncio.run(hint(Settings.from_env(env)))
    except Exception:  # a convenience only: the stack runs without it
        return None


def telegram_line(env: Mapping[str, str]) -> str:
    """The Telegram channel starts with the gateway when TELEGRAM_BOT_TOKEN is set (the
    environment passes through to it; docs/TELEGRAM.md)."""
    if not env.get("TELEGRAM_BOT_TOKEN"):
        return "off (set TELEGRAM_BOT_TOKEN, see docs/TELEGRAM.md)"
    mode = env.get("TELEGRAM_MODE") or ("webhook" if env.get("TELEGRAM_WEBHOOK_URL") else "polling")
    if mode == "webhook":
        return f"webhook at {env.get('TELEGRAM_WEBHOOK_URL') or '/telegram/webhook'}"
    return "polling (development)"


def main() -> int:
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var")).resolve()
    ports = (
        int(os.environ.get("GATEWAY_PORT", "8080")),
        int(os.environ.get("RASA_PORT", "5005")),
        int(os.environ.get("ACTION_PORT", "5055")),
    )
    stack = make_stack(var_dir, ports)
    # SIGTERM (a supervisor, `timeout`) must stop the children too, like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("==> starting the gateway, the action server and Rasa (model load ~40 s)", flush=True)
    try:
        stack.start_all()
    except (RuntimeError, OSError) as exc:
        stack.stop_all()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"\n  Chat (demo page):  {stack.gateway_url}/\n"
        f"  Counsellors:       {stack.gateway_url}/staff/console\n"
        f"  Gateway health:    {stack.gateway_url}/healthz\n"
        f"  Rasa (loopback):   {stack.rasa_url}  (HTTP API needs ?token=)\n"
        f"  Logs:              {var_dir}/logs/\n"
        f"  Database:          {stack.env.get('DATABASE_URL') or var_dir / 'gateway.db'}\n"
        f"  Telegram:          {telegram_line(stack.env)}\n"
        "\nPress Ctrl-C to stop.",
        flush=True,
    )
    hint = staff_hint(stack.env)
    if hint:
        print(hint, flush=True)
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("error: a process stopped; see the logs", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop_all()


if __name__ == "__main__":
    sys.exit(main())
