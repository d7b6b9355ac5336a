"""Recompute every account's score, CLV, quadrant and recommendation now, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from programme.scoring import engine


class Command(BaseCommand):
    help = "Recompute every account's scores (what the nightly task does), showing progress."

    def handle(self, *args, **options):
        with tqdm(unit="accounts", file=self.stderr, disable=options["verbosity"] == 0) as bar:
            try:
                run = engine.recompute_scores(progress=bar.update)
            except engine.RecomputeBusy as busy:
                raise CommandError(str(busy)) from busy
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(f"Recomputed {run.accounts_processed} accounts in {seconds:.1f} s.")
        )
