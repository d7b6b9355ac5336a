"""The account's own pages: identity, team and figures, and its plans.

The account list, the account page itself and its Measures page show programme scores and
reporting-currency figures, so they are routed from programme/workspace/urls.py and
programme/measures/urls.py; kam/urls.py puts all three under /accounts/ in the `accounts` namespace.
"""

from django.urls import path

from accounts import views
from accounts.imports import urls as imports_urls
from accounts.plans import urls as plans_urls

urlpatterns = [
    path("language/", views.language_set, name="language"),
    path("new/", views.account_create, name="create"),
    path("<int:account_id>/edit/", views.account_edit, name="edit"),
    path("<int:account_id>/stakeholders/new/", views.stakeholder_edit, name="stakeholder_create"),
    path(
        "<int:account_id>/stakeholders/<int:stakeholder_id>/edit/",
        views.stakeholder_edit,
        name="stakeholder_edit",
    ),
    path("<int:account_id>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("<int:account_id>/financials/new/", views.financial_period_create, name="financial_create"),
    path("<int:account_id>/team/new/", views.team_member_add, name="team_member_add"),
    *plans_urls.urlpatterns,
    *imports_urls.urlpatterns,
]
