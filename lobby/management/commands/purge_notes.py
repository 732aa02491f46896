import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lobby.services import purge_personal_notes


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
        purged = purge_personal_notes(older_than=dt.timedelta(days=days))
        self.stdout.write(
            "Purged notes older than {days} days: {visits} visit labels, {referrals} referral "
            "notes, {follow_ups} follow-up notes.".format(days=days, **purged)
        )
