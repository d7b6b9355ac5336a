from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from kam import permissions


@login_required
@require_GET
def home(request):
    # A KAM or account team member starts from My accounts (issue 5); other roles from the accounts they see.
    roles = permissions.roles(request.user)
    if roles["kam"] or roles["team_member"]:
        return redirect("accounts:my_accounts")
    return redirect("accounts:list")
