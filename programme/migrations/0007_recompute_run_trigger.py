"""What started each recompute run, so the recompute page stops calling every run without a person "nightly".

Runs from before: with a person, started by hand; without, they were labelled nightly and stay so
(whether one came from the schedule, a command or the demo load was not recorded)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def label_earlier_runs(apps, schema_editor):
    RecomputeRun = apps.get_model("programme", "RecomputeRun")
    RecomputeRun.objects.filter(started_by__isnull=False).update(trigger="person")
    RecomputeRun.objects.filter(started_by__isnull=True).update(trigger="schedule")


class Migration(migrations.Migration):

    dependencies = [
        ('programme', '0006_recompute_run_heartbeat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='recomputerun',
            name='trigger',
            field=models.CharField(choices=[('schedule', 'Nightly schedule'), ('person', 'Started by hand'), ('command', 'Command line'), ('seed', 'Demo data load')], default='command', max_length=10, verbose_name='how it started'),
        ),
        migrations.AlterField(
            model_name='recomputerun',
            name='started_by',
            field=models.ForeignKey(blank=True, help_text='Who asked for the run, when a person did.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(label_earlier_runs, migrations.RunPython.noop),
    ]
