"""Recompute every account's score, CLV, quadrant and recommendation now, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from programme.models import Criterion
from programme.scoring import engine


class Command(BaseCommand):
    help = "Recompute every account's scores (what the nightly task does), showing progress."

    def handle(self, *args, **options):
        bar = None

        def start_bar(total: int) -> None:
            # One bar, drawn once the number of accounts is known.
            nonlocal bar
            if total and options["verbosity"] > 0:
                bar = tqdm(total=total, unit="accounts", file=self.stderr)

        def advance(count: int) -> None:
            if bar is not None:
                bar.update(count)

        try:
            run = engine.recompute_scores(progress=advance, on_total=start_bar)
        except engine.RecomputeBusy as busy:
            raise CommandError(f"{busy} Wait for it to finish (see Programme → Recompute).") from busy
        finally:
            if bar is not None:
                bar.close()
        if not run.accounts_processed:
            self.stdout.write(
                self.style.WARNING(
                    "Nothing to score: there are no accounts to score yet. Sync them from the CRM "
                    "(README, Sync from a CRM) or load the demo with `manage.py seed_demo`."
                )
            )
            return
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(f"Recomputed {run.accounts_processed} accounts in {seconds:.1f} s.")
        )
        if not Criterion.objects.active().exists():
            self.stdout.write(
                self.style.WARNING(
                    "No criterion is active, so every score is empty: define the criteria under "
                    "Programme → Criteria, then recompute."
                )
            )
