from typing import Any

from django.core.management.base import BaseCommand

from apps.ops.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Loads the demo data set (idempotent: running it again adds nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, describes in demo.logins:
            self.stdout.write(f"  {email:34} {describes}")
