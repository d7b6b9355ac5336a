"""Build the demo programme, or scale data for benchmarks: `seed_demo --accounts 100000 --months 24`."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.demo.records import DEMO_PASSWORD, DEMO_PEOPLE, DemoOptions
from accounts.models import Account
from programme.demo.seed import seed


class Command(BaseCommand):
    help = "Load a believable KAM programme (15 key accounts, 500 candidates by default)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=515, help="accounts in all (key included)")
        parser.add_argument("--key-accounts", type=int, default=15)
        parser.add_argument("--months", type=int, default=24, help="months of financial figures")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: same seed, same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when accounts already exist")
        parser.add_argument(
            "--force", action="store_true", help="seed even in production (demo people, known password)"
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "This is production (KAM_ENVIRONMENT=production): the demo adds people who log in with "
                "a published password. Add --force to seed all the same."
            )
        if options["accounts"] < options["key_accounts"] or options["months"] < 1:
            raise CommandError("--accounts must be at least --key-accounts, and --months at least 1.")
        if Account.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Accounts exist already; the demo data is left as it is.")
                self._print_logins()
                return
            raise CommandError("Accounts exist already: seed an empty database (or use --if-empty).")
        demo = DemoOptions(
            accounts=options["accounts"],
            key_accounts=options["key_accounts"],
            months=options["months"],
            seed=options["seed"],
        )
        started = time.monotonic()
        with tqdm(
            total=demo.accounts,
            unit="accounts",
            file=self.stdout,
            disable=options["verbosity"] == 0,
        ) as bar:
            seed(demo, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {demo.accounts} accounts x {demo.months} months "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, _function, _champion, role in DEMO_PEOPLE:
            self.stdout.write(f"  {username:<8} {first} {last}, {role}")
