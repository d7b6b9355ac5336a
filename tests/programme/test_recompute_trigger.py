"""The recompute page says what started each run: the schedule, a person, a command, the demo load."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from programme.models import RecomputeRun, RecomputeTrigger
from programme.tasks import recompute_scores_task

pytestmark = pytest.mark.django_db


def _started_by_cells(client) -> list[str]:
    html = client.get(reverse("programme:recompute")).content.decode()
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    return [row.split("<td>")[-2].split("</td>")[0] for row in rows]


def test_runs_of_the_demo_load_are_not_called_nightly(client, champion):
    call_command("seed_demo", accounts=20, key_accounts=5, months=2, verbosity=0)
    runs = list(RecomputeRun.objects.values_list("trigger", "started_by"))
    assert runs and set(runs) == {(RecomputeTrigger.SEED, None)}
    client.force_login(champion)
    assert set(_started_by_cells(client)) == {"Demo data load"}


def test_each_run_says_what_started_it(client, champion, django_capture_on_commit_callbacks):
    recompute_scores_task()  # what beat sends at night
    call_command("recompute_scores", verbosity=0)
    client.force_login(champion)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programme:recompute"))
    assert list(RecomputeRun.objects.order_by("started_at").values_list("trigger", flat=True)) == [
        RecomputeTrigger.SCHEDULE,
        RecomputeTrigger.COMMAND,
        RecomputeTrigger.PERSON,
    ]
    assert _started_by_cells(client) == [str(champion), "Command line", "Nightly schedule"]
