"""The real v2 app, made slow or failing on demand, for tests and benches of the SLO guard.

    python dev/faulty_v2.py --port 8088 --latency-ms 3000 --latency-share 0.1   # p95 3 s
    python dev/faulty_v2.py --port 8088 --error-rate 0.2                         # 20 % 5xx
    V2_UPSTREAM_URL=http://127.0.0.1:8088 CANARY_PERCENT=50 reqgate serve

Serves app_v2.main.create_app() (settings from the environment, as v2 in its own process
reads them) behind a fault layer: a request under /api/ first waits --latency-ms in
--latency-share of cases, and in --error-rate of cases answers 500 in the error shape
without reaching v2. /health stays healthy, so the gateway's readiness check passes and the
faults show where the guard looks: on the shared routes. POST /_faults changes the faults of
the running server (JSON, the options' names in snake_case), to turn a healthy v2 bad in
mid-run; GET /_faults shows them. The gateway never forwards /_faults (no route of its
own), so only a test or bench on this port reaches it. Faults live here, never in the product.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

FAULTS_PATH = "/_faults"
ROOT = str(Path(__file__).resolve().parents[1])  # `-m dev.faulty_v2` from any directory


@dataclass(frozen=True)
class Faults:
    latency_ms: float = 0.0
    latency_share: float = 1.0  # of the requests that wait latency_ms
    error_rate: float = 0.0
    seed: int = 0


async def _send_json(send: Send, status: int, body: object) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


async def _read_body(receive: Receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


class FaultyApp:
    """v2 behind the faults: plain ASGI, so streaming answers pass as they are."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.configure(faults)

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self.random = random.Random(faults.seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(("/api/", FAULTS_PATH)):
            await self.app(scope, receive, send)
            return
        if scope["path"] == FAULTS_PATH:
            await self._faults(scope, receive, send)
            return
        faults = self.faults
        if faults.latency_ms and self.random.random() < faults.latency_share:
            await asyncio.sleep(faults.latency_ms / 1000)
        if self.random.random() < faults.error_rate:
            request_id = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
            body = {"error": "internal_error", "message": "injected fault", "requestId": request_id}
            await _send_json(send, 500, body)
            return
        await self.app(scope, receive, send)

    async def _faults(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "POST":
            try:
                changes = json.loads(await _read_body(receive) or b"{}")
                kinds = {name: type(getattr(self.faults, name)) for name in changes}
                self.configure(replace(self.faults, **{k: kinds[k](v) for k, v in changes.items()}))
            except (AttributeError, TypeError, ValueError) as exc:
                await _send_json(send, 400, {"error": "invalid_request", "message": str(exc)})
                return
        await _send_json(send, 200, asdict(self.faults))


def create_app(faults: Faults) -> FaultyApp:
    import app_v2.main  # the product's v2, imported only when serving

    return FaultyApp(app_v2.main.create_app(), faults)


@contextmanager
def serving(faults: Faults, data_dir: Path) -> Iterator[str]:
    """This tool in its own process on a free port, its database in `data_dir`; yields its
    base URL (for V2_UPSTREAM_URL), stops it afterwards."""
    from dev.processes import free_port, running  # dev/ is a package only from the root

    port = free_port()
    options = [f"--{k.replace('_', '-')}={v}" for k, v in asdict(faults).items()]
    env = {**os.environ, "SQLITE_PATH": str(data_dir / "v2.db"), "QDRANT_PATH": ":memory:"}
    url = f"http://127.0.0.1:{port}"
    with running(
        [sys.executable, "-m", "dev.faulty_v2", f"--port={port}", *options],
        f"{url}/health",
        env={**env, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))},
        cwd=data_dir,
        log_path=data_dir / "faulty_v2.log",
    ):
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    for spec in fields(Faults):
        parser.add_argument("--" + spec.name.replace("_", "-"), type=type(spec.default))
    args = vars(parser.parse_args())
    host, port = args.pop("host"), args.pop("port")
    faults = Faults(**{name: value for name, value in args.items() if value is not None})
    import uvicorn

    print(f"faulty v2 on http://{host}:{port} {json.dumps(asdict(faults))}", flush=True)
    uvicorn.run(create_app(faults), host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
