from django.core.management.base import BaseCommand

from lobby.demo_branch import DEMO_PASSWORD, seed_demo
from lobby.models import CallingSettings


class Command(BaseCommand):
    help = "Create or refresh the demo branch: zones, queues, routing, staff, products and scripts."

    def handle(self, *args, **options) -> None:
        branch, staff = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo branch ready: {branch.name_zh} / {branch.name_en}")
        )
        self.stdout.write(
            f"Sign in with any of these users; the password is {DEMO_PASSWORD!r} for all:"
        )
        for person, member in staff:
            self.stdout.write(
                f"  {person.username:<10} {member.get_role_display()} · {member.display_name}"
            )
        token = CallingSettings.for_branch(branch).display_token
        self.stdout.write(f"The lobby display (no sign-in; open it on the TV): /display/{token}/")
