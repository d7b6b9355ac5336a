"""The OpenAPI schema and its Swagger UI, closed to strangers in production (KAM_PUBLIC_API_DOCS)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework import permissions as drf_permissions


class CanReadApiDocs(drf_permissions.BasePermission):
    """Anyone when the docs are public; otherwise a signed-in person or an integration key."""

    def has_permission(self, request, view):
        # Read per request, not at import, so the setting can be changed in tests and at start.
        return settings.KAM_PUBLIC_API_DOCS or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    permission_classes = [CanReadApiDocs]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served from this URL (?script), so no inline script."""

    permission_classes = [CanReadApiDocs]

    def handle_exception(self, exc):
        # A person opening the docs in a browser signs in first and comes back, instead of a bare 403.
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.PermissionDenied) and not (
            self.request.user and self.request.user.is_authenticated
        ):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
