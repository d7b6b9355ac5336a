from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@login_required
@require_GET
def home(request):
    # Every role starts from the accounts it may see; role homes replace this in the workspace issue.
    return redirect("accounts:list")
