#!/usr/bin/env python
"""How fast does "customer referred to you" reach every wealth manager's screen?

Not a test: run it on purpose and read the figures.

    .venv/bin/python bench/notice_latency.py                 # SQLite file DB, in-memory layer
    .venv/bin/python bench/notice_latency.py --samples 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/notice_latency.py             # PostgreSQL + Redis (DB is reset)

What it does: starts a real daphne (bench/bare_asgi.py: the product plus two reference endpoints,
with bench/settings.py) on a fresh database with one branch, one lobby manager and 100 wealth
managers, all signed in through POST /login/ with CSRF like a browser. For 1, 10 and 100 screens
it opens that many websockets to the product's /ws/live/ as wealth managers and times, from the
start of a request until the notice is on every one of those screens, three endpoints:

    product   POST /wealth/refer/ as the lobby manager (the product's referral endpoint, with the
              session and CSRF token): sign-in, two rows written and committed, the card rendered.
              The push carries the card itself, so no follow-up fetch is needed for it to show.
              Each referral is then cancelled so the pool stays at its usual size.
    django    a bench-only Django view behind the product's whole middleware chain, signed in as
              the same lobby manager, that only does group_send: the floor of any Django view.
    bare      a bench-only raw ASGI endpoint that only does group_send: the floor of Channels.

The two references send a message of the notice's size, in the product's message form, to the
pool's group, so the same consumers forward it to the same screens. Samples are interleaved in a
rotating order, so whatever else the machine does falls on the three endpoints alike.

It prints p50/p99 and missing notices for each endpoint at each size, and the ratios of the p50s
(product / bare: the issue's bar; django / bare: the floor of a Django view; product / django:
what the product adds to that floor), and ends with:
    notice_latency p50_ratio=<x> p99_ms_at_100=<y> missing=<n>
where p50_ratio is the WORST (largest) product / bare ratio over the sizes measured (1, 10 and 100
screens by default), p99_ms_at_100 the product's p99 in ms with 100 screens, and missing the
notices that never arrived, all endpoints, over all sizes. `--sizes` measures fewer sizes (for a
quick look; without 100, p99_ms_at_100 is nan).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import math
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import websockets
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 10, 100)
NOTICE_TIMEOUT = 5.0


# ---- set-up --------------------------------------------------------------------------------


def server_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="bench.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


SEED = r"""
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from lobby.choices import Role
from lobby.demo_branch import seed_branch, seed_catalogue
from lobby.models import Staff
from referrals.models import Referral
n = int(sys.argv[1])
Referral.objects.all().delete()
branch = seed_branch("bench")
seed_catalogue()
User = get_user_model()
password = make_password("bench-pass")  # hashed once, shared: set-up speed only
def person(username, role, name):
    user, _ = User.objects.update_or_create(username=username, defaults={"password": password})
    Staff.objects.update_or_create(
        user=user, defaults={"branch": branch, "role": role, "display_name": name}
    )
person("bench_lobby", Role.LOBBY_MANAGER, "Bench lobby")
for i in range(n):
    person(f"bench_wm{i}", Role.WEALTH_MANAGER, f"WM {i}")
print(branch.pk)
"""


def prepare_database(env: dict[str, str], people: int) -> int:
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    seeded = subprocess.run(
        [python, "-c", SEED, str(people)], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return int(seeded.stdout.split()[-1])  # the bench branch's id


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    daphne = Path(sys.executable).with_name("daphne")
    process = subprocess.Popen(
        [str(daphne), "-v", "0", "-b", "127.0.0.1", "-p", str(port), "bench.bare_asgi:application"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("daphne did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- a signed-in HTTP client ---------------------------------------------------------------


class Session:
    """Cookies, CSRF and one keep-alive connection: what a browser tab would have."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data.decode()

    def login(self, username: str) -> None:
        status, html = self.request("GET", "/login/")
        token = _found(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        form = urllib.parse.urlencode(
            {"username": username, "password": "bench-pass", "csrfmiddlewaretoken": token}
        ).encode()
        status, _ = self.request(
            "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"could not sign in {username} (HTTP {status})")

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        return self.request(
            "POST",
            path,
            urllib.parse.urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies["csrftoken"],
                "HX-Request": "true",
                "Accept-Language": "en",
            },
        )


# ---- screens -------------------------------------------------------------------------------


class Screens:
    """N open websockets; records when each first shows a given notice."""

    def __init__(self):
        self.sockets: list = []
        self.tasks: list[asyncio.Task] = []
        self.waiting: dict[str, dict[int, float]] = {}
        self.done: dict[str, asyncio.Event] = {}
        self.sizes: list[int] = []

    async def open(self, url: str, cookies: Sequence[str | None], origin: str) -> None:
        async def one(i: int, cookie: str | None):
            headers = {"Cookie": cookie} if cookie else {}
            ws = await websockets.connect(
                url,
                origin=Origin(origin),
                additional_headers=headers,
                compression=None,
                max_size=None,
            )
            self.sockets.append(ws)
            self.tasks.append(asyncio.create_task(self._listen(i, ws)))

        await asyncio.gather(*(one(i, c) for i, c in enumerate(cookies)))

    async def _listen(self, i: int, ws) -> None:
        try:
            async for message in ws:
                now = time.perf_counter()
                for token, seen in self.waiting.items():
                    if i not in seen and token in message:
                        seen[i] = now
                        self.sizes.append(len(message))
                        if len(seen) == len(self.sockets):
                            self.done[token].set()
        except websockets.ConnectionClosed:
            pass

    def expect(self, token: str) -> None:
        self.waiting[token] = {}
        self.done[token] = asyncio.Event()

    async def wait(self, token: str) -> dict[int, float]:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done[token].wait(), NOTICE_TIMEOUT)
        self.done.pop(token)
        return self.waiting.pop(token)

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        for task in self.tasks:
            task.cancel()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def sample(screens: Screens, n: int, send) -> tuple[float | None, int]:
    """One notice: send(token) posts it (in a worker thread) and returns a cleanup callable or
    None. Returns the time until the last of the n screens showed it (None if none did) and how
    many screens never did."""
    token = f"bench{secrets.token_hex(6)}"
    screens.expect(token)
    start = time.perf_counter()
    cleanup = await asyncio.to_thread(send, token)
    seen = await screens.wait(token)
    if cleanup:
        await asyncio.to_thread(cleanup)
    await asyncio.sleep(0.05)  # let the cleanup's own pushes settle
    latency = (max(seen.values()) - start) * 1000 if seen else None
    return latency, n - len(seen)


def _found(pattern: str, html: str) -> str:
    """The first group of `pattern` in a page the bench reads, or stop with what was there."""
    match = re.search(pattern, html)
    if match is None:
        raise SystemExit(f"not found: {pattern!r} in {html[:300]}")
    return match.group(1)


# ---- main ----------------------------------------------------------------------------------


async def run(port: int, branch_id: int, samples: int, warmup: int, sizes: tuple[int, ...]) -> int:
    base = f"127.0.0.1:{port}"
    origin = f"http://{base}"
    lobby = Session(port)
    lobby.login("bench_lobby")
    lobby.cookies["django_language"] = "en"
    with ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(lambda i: _signed_in(port, f"bench_wm{i}"), range(max(sizes))))
    cookies = ["; ".join(f"{k}={v}" for k, v in s.cookies.items()) for s in sessions]

    def refer(token: str):
        status, html = lobby.post_form(
            "/wealth/refer/", {"to": "role:wealth_manager", "stage": "first", "note": token}
        )
        if status != 200 or "notice error" in html:
            raise SystemExit(f"referral refused: HTTP {status} {html[:300]}")
        pk = _found(r'id="sent-(\d+)"', html)
        return lambda: lobby.post_form(f"/wealth/{pk}/cancel/", {"reason": "bench"})

    bare = Session(port)
    pool_group = urllib.parse.quote(f"branch.{branch_id}.role.wealth_manager")
    size = 0  # the bare endpoints send messages of the product's notice size, measured first

    def bare_body(token: str) -> bytes:
        card = f'<li id="pool-0" hx-swap-oob="delete"></li><ul class="bench">{token}'
        return (card.ljust(size - len("</ul>"), " ") + "</ul>").encode()

    def bare_send(token: str):
        status, _ = bare.request("POST", f"/bench/bare/send/?group={pool_group}", bare_body(token))
        assert status == 204, status

    def django_send(token: str):
        status, _ = lobby.request(
            "POST",
            f"/bench/django/send/?group={pool_group}",
            bare_body(token),
            {"X-CSRFToken": lobby.cookies["csrftoken"], "Content-Type": "text/html"},
        )
        assert status == 204, status

    senders = {"product": refer, "django": django_send, "bare": bare_send}
    results: dict[int, dict] = {}
    for n in sizes:
        screens = Screens()
        await screens.open(f"ws://{base}/ws/live/", cookies[:n], origin)
        for _ in range(warmup):
            await sample(screens, n, refer)
        size = int(statistics.median(screens.sizes)) if screens.sizes else 2000
        for _ in range(warmup):
            await sample(screens, n, bare_send)
            await sample(screens, n, django_send)
        # Interleaved, in a rotating order, on the same screens: whatever the machine does
        # meanwhile (another process, a slow minute) falls on all three endpoints alike.
        measured: dict[str, tuple[list[float], int]] = {name: ([], 0) for name in senders}
        names = list(senders)
        for k in range(samples):
            for name in names[k % 3 :] + names[: k % 3]:
                latency, missing = await sample(screens, n, senders[name])
                values, missed = measured[name]
                if latency is not None:
                    values.append(latency)
                measured[name] = (values, missed + missing)
        await screens.close()
        results[n] = {**measured, "size": size}

    print(f"{'screens':>7} {'endpoint':>8} {'p50 ms':>8} {'p99 ms':>8} {'missing':>8} {'bytes':>6}")
    worst_ratio, missing_total = 0.0, 0
    for n, measured in results.items():
        for name in ("product", "django", "bare"):
            values, miss = measured[name]
            p50 = percentile(values, 50) if values else float("nan")
            p99 = percentile(values, 99) if values else float("nan")
            print(f"{n:>7} {name:>8} {p50:>8.1f} {p99:>8.1f} {miss:>8} {measured['size']:>6}")
            missing_total += miss
        product, floor, plain = (measured[name][0] for name in ("product", "django", "bare"))
        ratio = percentile(product, 50) / percentile(plain, 50)
        worst_ratio = max(worst_ratio, ratio)
        print(f"{n:>7} {'ratio':>8} {ratio:>8.2f}  (product p50 / bare p50)")
        floor_ratio = percentile(floor, 50) / percentile(plain, 50)
        print(f"{n:>7} {'floor':>8} {floor_ratio:>8.2f}  (django p50 / bare p50)")
        over_floor = percentile(product, 50) / percentile(floor, 50)
        print(f"{n:>7} {'':>8} {over_floor:>8.2f}  (product p50 / django p50)")
    p99_at_100 = percentile(results[100]["product"][0], 99) if 100 in results else float("nan")
    print(
        f"notice_latency p50_ratio={worst_ratio:.2f} p99_ms_at_100={p99_at_100:.1f} "
        f"missing={missing_total}"
    )
    return 0


def _signed_in(port: int, username: str) -> Session:
    session = Session(port)
    session.login(username)
    return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=60, help="timed notices per size")
    parser.add_argument("--warmup", type=int, default=5, help="untimed notices per size first")
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=SIZES,
        help="screen counts to measure, e.g. 1,10,100 (the default; the summary needs 100)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp:
        env = server_env(Path(tmp))
        branch_id = prepare_database(env, max(args.sizes))
        port = free_port()
        server = start_server(env, port)
        try:
            return asyncio.run(run(port, branch_id, args.samples, args.warmup, args.sizes))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                print("the server did not stop within 10 s of SIGTERM", file=sys.stderr)
                return 1


if __name__ == "__main__":
    sys.exit(main())
