from django.utils.functional import SimpleLazyObject

from accounts import permissions


def navigation(request):
    """The user's roles, computed only if a template asks (one query)."""
    return {"roles": SimpleLazyObject(lambda: permissions.roles(getattr(request, "user", None)))}
