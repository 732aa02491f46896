from django.core.management import call_command
from django.core.management.base import BaseCommand

from lobby.models import Branch, CallingSettings


class Command(BaseCommand):
    help = "Prepare the database and the demo branch, then serve the app (HTTP and websockets)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        token = CallingSettings.for_branch(Branch.objects.get(code="demo")).display_token
        self.stdout.write(self.style.SUCCESS(f"\nOpen http://{addrport}/ in a browser."))
        self.stdout.write(
            self.style.SUCCESS(f"The lobby display (TV): http://{addrport}/display/{token}/\n")
        )
        # daphne's runserver: the same ASGI application as production, websockets included.
        # No autoreloader: it would run this whole command twice (migrate, seed, banner).
        call_command("runserver", addrport, use_reloader=False)
