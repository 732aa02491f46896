"""Run the referral clock as its own process (see referrals/ticker.py for when you need it).

    python manage.py referral_ticker             # loop every REFERRAL_TICK_SECONDS (or 5 s)
    python manage.py referral_ticker --once      # one round, e.g. from cron every minute
    python manage.py referral_ticker --interval 2

Set REFERRAL_TICK_SECONDS=0 on the web processes if this command is the only clock; running both
is harmless (each referral is flagged and expired once).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from referrals import services, ticker


class Command(BaseCommand):
    help = (
        "Flag referrals nobody claimed in time (alerting the lobby managers) and expire stale ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")
        parser.add_argument(
            "--interval", type=float, default=None, help="Seconds between rounds (default 5)."
        )

    def handle(self, *args, once: bool = False, interval: float | None = None, **options):
        seconds = interval or ticker.interval() or 5.0
        while True:
            flagged, expired = services.tick()
            if flagged or expired or once:
                self.stdout.write(f"overdue={len(flagged)} expired={len(expired)}")
            if once:
                return
            time.sleep(seconds)
