from django.core.management.base import BaseCommand, CommandParser

from referrals.reports.history import progress_bar, seed_history


class Command(BaseCommand):
    help = (
        "Write realistic history for the reports: visits with morning and lunch peaks, tickets "
        "with waiting and service times, referrals through every outcome, sales and follow-ups. "
        "Adds to what is there (run on a fresh database for clean figures)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=90, help="days of history, up to today")
        parser.add_argument("--visits-per-day", type=int, default=400)
        parser.add_argument(
            "--branch", default="demo", help="branch code (demo: created with its staff if new)"
        )
        parser.add_argument("--seed", type=int, default=11, help="random seed (same data again)")

    def handle(self, *args, **options) -> None:
        if options["days"] < 1 or options["visits_per_day"] < 1:
            self.stderr.write("--days and --visits-per-day must be at least 1.")
            raise SystemExit(2)
        counts = seed_history(
            days=options["days"],
            visits_per_day=options["visits_per_day"],
            branch_code=options["branch"],
            seed=options["seed"],
            progress=progress_bar(self.stderr),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {counts.visits:,} visits, {counts.tickets:,} tickets, "
                f"{counts.referrals:,} referrals, {counts.sales:,} sales and "
                f"{counts.follow_ups:,} follow-ups."
            )
        )
