"""The retention job: each app blanks its own personal free text; this one command runs both.

It lives in referrals, the top of the app stack, because it is the one place allowed to know both
lobby and referrals (apps import downward only: products <- lobby <- referrals).
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lobby import services as lobby_services
from referrals import services as referral_services


class Command(BaseCommand):
    help = (
        "Blank masked labels and free-text notes older than the retention period "
        "(run daily, e.g. from cron); anonymous facts stay for the reports."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.NOTE_RETENTION_DAYS,
            help="keep notes this many days (default: NOTE_RETENTION_DAYS)",
        )

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError("--days cannot be negative.")
        older_than = dt.timedelta(days=days)
        with transaction.atomic():  # all or nothing: a half-purged day is not left behind
            purged = {
                **lobby_services.purge_personal_notes(older_than=older_than),
                **referral_services.purge_personal_notes(older_than=older_than),
            }
        self.stdout.write(
            "Purged notes older than {days} days: {visits} visit labels, {referrals} referral "
            "notes, {reasons} transition reasons, {follow_ups} follow-up notes.".format(
                days=days, **purged
            )
        )
