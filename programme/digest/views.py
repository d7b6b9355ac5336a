"""Each user's own switch for the weekly digest e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme.digest import services


@login_required
@require_http_methods(["GET", "POST"])
def digest_preference(request):
    # Only ever the requesting user's own setting: nobody switches someone else's e-mail.
    if request.method == "POST":
        wanted = request.POST.get("receives_weekly_digest") == "on"
        services.digest_preference_set(user=request.user, receives_weekly_digest=wanted)
        messages.success(request, _("Weekly digest turned on.") if wanted else _("Weekly digest turned off."))
        return redirect("portfolio:digest_preference")
    return render(request, "programme/digest_preference.html")
