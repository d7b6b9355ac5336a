"""Bearer-key authentication and per-key throttling for machines; people keep their session (and CSRF)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, throttling

from api.models import ApiKey, hash_key

# Writing last_used_at on every request would turn every read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Integration:
    """The machine behind an API key: never a person, so never a champion, KAM or sponsor.

    accounts/permissions.py decides what it may see and do from its scope.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_champion = False
    is_staff = False
    is_superuser = False
    is_integration = True
    pk = id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.scope = api_key.scope
        self.username = f"api-key:{api_key.prefix}"

    def __str__(self) -> str:
        return str(self.api_key)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: let session authentication try
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as “Authorization: Bearer <key>”."))
        try:
            raw_key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("The key contains invalid characters.")) from error
        api_key = ApiKey.objects.filter(key_hash=hash_key(raw_key)).first()
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
        return Integration(api_key), api_key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{self.keyword} realm="api"'


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """Each key has its own budget (REST_FRAMEWORK's "api_key" rate); 429 carries Retry-After."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not getattr(request.user, "is_integration", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}


class PersonRateThrottle(throttling.UserRateThrottle):
    """People using the API with their session get a budget too."""

    scope = "api_person"

    def get_cache_key(self, request, view):
        if getattr(request.user, "is_integration", False):
            return None
        return super().get_cache_key(request, view)
