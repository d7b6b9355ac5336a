"""Spreadsheet imports from a CRM: each upload with its mapping, progress and outcome, and saved mappings.

The file itself is kept with its run (within the upload limit) so that a task can read it again, and the
rejected rows with their reasons, so that whoever imported can download them, fix them and try again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.choices import ChoiceLabels


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts (the customer's people)")
    FINANCIALS = "financials", _("Monthly figures")
    SURVEYS = "surveys", _("Satisfaction surveys")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Mapping columns")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportRun(ChoiceLabels, models.Model):
    """One file imported by one person: what it was, how its columns were read, and what came of it."""

    kind = models.CharField(_("records"), max_length=20, choices=ImportKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of progress"),
        null=True,
        blank=True,
        help_text=_("Set by the import as it starts and after each batch: a run silent for long has died."),
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_data = models.BinaryField(editable=False)
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True, help_text=_("Column → kam field."))
    mapping_name = models.CharField(_("mapping name"), max_length=100, blank=True)
    date_format = models.CharField(_("date format"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    strict = models.BooleanField(
        _("all or nothing per batch"),
        default=False,
        help_text=_("A refused row keeps its whole batch of 1,000 rows out, as the API's sync does."),
    )
    total_rows = models.PositiveIntegerField(_("records in the file"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    skipped_rows = models.JSONField(
        default=list, blank=True, help_text=_("Blank rows and notes under the table.")
    )
    rejected_rows = models.JSONField(
        default=list, blank=True, help_text=_("Each refused row with its reasons.")
    )
    failure = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_run_by_user")]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class SavedMapping(ChoiceLabels, models.Model):
    """A mapping of a CRM's columns to kam's fields, saved under a name for the programme's next imports."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("records"), max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(_("mapping"), default=dict)
    date_format = models.CharField(_("date format"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="saved_mapping_name_per_kind")]
        verbose_name = _("saved column mapping")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
