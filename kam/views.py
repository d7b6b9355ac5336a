from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from accounts import permissions


@login_required
@require_GET
def home(request):
    """Each role lands where its day starts (docs/journeys.md): the champion on the portfolio dashboard, a KAM
    on My accounts, a team member on the actions they owe, a sponsor on their accounts' briefs; anyone else
    on the account list."""
    roles = permissions.roles(request.user)
    if roles["champion"]:
        return redirect("portfolio:dashboard")
    if roles["kam"]:
        return redirect("accounts:my_accounts")
    if roles["team_member"]:
        return redirect("accounts:my_actions")
    if roles["sponsor"]:
        return redirect("portfolio:sponsor_home")
    return redirect("accounts:list")


@require_GET
def favicon(request):
    """Browsers ask /favicon.ico whatever the page links: send them to the SVG icon (no login needed)."""
    return redirect(static("img/favicon.svg"), permanent=True)
