"""The referral clock: flags overdue referrals (alerting the lobby managers) and expires stale ones.

Default set-up (one server process, e.g. `manage.py runserver` or one daphne): no extra process.
The first websocket that connects starts one asyncio task in the server's event loop, which runs
`services.tick()` every REFERRAL_TICK_SECONDS (default 5) in a worker thread. A lobby with no
screen open has nobody to alert, so starting with the first screen loses nothing.

Several server processes: every process starts its own clock when its first screen connects.
That is safe, because each referral is flagged and expired by a conditional UPDATE that only one
process can win, so alerts are never doubled. To keep clock work off the web processes instead,
set REFERRAL_TICK_SECONDS=0 for them and run one `python manage.py referral_ticker` (a loop; add
`--once` to run it from cron or a systemd timer). With several processes the channel layer must
be Redis (REDIS_URL) so that an alert from one process reaches screens connected to the others.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from referrals import services

logger = logging.getLogger(__name__)

_clocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task] = (
    weakref.WeakKeyDictionary()
)


def interval() -> float:
    return float(getattr(settings, "REFERRAL_TICK_SECONDS", 5))


def ensure_running() -> None:
    """Start this process's clock if it is not running (called from the consumer's connect)."""
    seconds = interval()
    if seconds <= 0:
        return
    loop = asyncio.get_running_loop()
    task = _clocks.get(loop)
    if task is not None and not task.done():
        return
    _clocks[loop] = loop.create_task(run_forever(seconds), name="referral-clock")


async def run_forever(seconds: float) -> None:
    tick = database_sync_to_async(services.tick)
    while True:
        try:
            flagged, expired = await tick()
            if flagged or expired:
                logger.info("referral clock: %d overdue, %d expired", len(flagged), len(expired))
        except Exception:  # a database hiccup must not stop the clock for good
            logger.exception("referral clock tick failed")
        await asyncio.sleep(seconds)
