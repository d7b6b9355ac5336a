"""Integration keys: how a machine (the CRM) proves who it is. Only a hash of each key is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.choices import ChoiceLabels

KEY_PREFIX = "kam_"


class ApiScope(models.TextChoices):
    SYNC = "sync", _("Sync: push records in and read")
    READ = "read", _("Read only")


def hash_key(raw_key: str) -> str:
    # The key is 256 random bits, so a plain SHA-256 is enough (no password stretching needed),
    # and it keeps authentication to one indexed lookup per request.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(ChoiceLabels, models.Model):
    """A named integration key with a scope; shown once when created, revocable, with its last use."""

    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=4, choices=ApiScope.choices)
    prefix = models.CharField(
        _("prefix"),
        max_length=12,
        editable=False,
        help_text=_("The key's first characters, to recognise it."),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.scope})"

    @classmethod
    def issue(cls, *, name: str, scope: str) -> tuple[ApiKey, str]:
        """Create a key; the raw key is returned once and never stored."""
        raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
        api_key = cls(name=name, scope=scope, prefix=raw_key[:12], key_hash=hash_key(raw_key))
        api_key.full_clean()
        api_key.save()
        return api_key, raw_key

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    revoke.alters_data = True
