from django.urls import include, path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:account_id>/", views.account_detail, name="detail"),
    path("<int:account_id>/edit/", views.account_edit, name="edit"),
    path("<int:account_id>/lifecycle/", views.lifecycle_change, name="lifecycle"),
    path("<int:account_id>/stakeholders/new/", views.stakeholder_edit, name="stakeholder_create"),
    path(
        "<int:account_id>/stakeholders/<int:stakeholder_id>/edit/",
        views.stakeholder_edit,
        name="stakeholder_edit",
    ),
    path("<int:account_id>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("<int:account_id>/financials/new/", views.financial_period_create, name="financial_create"),
    path("<int:account_id>/team/new/", views.team_member_add, name="team_member_add"),
    path("", include("accounts.plan_urls")),
    path("", include("accounts.measures_urls")),
]

# The account workspace (issue 5): My accounts, inline stakeholder-map edits, the interaction log
# (logged quickly, corrected inline, removed).
urlpatterns += [
    path("mine/", views.my_accounts, name="my_accounts"),
    path("<int:account_id>/map/add/", views.map_stakeholder_add, name="map_stakeholder_add"),
    path(
        "<int:account_id>/map/<int:stakeholder_id>/",
        views.map_stakeholder_change,
        name="map_stakeholder_change",
    ),
    path(
        "<int:account_id>/map/<int:stakeholder_id>/move/",
        views.map_stakeholder_move,
        name="map_stakeholder_move",
    ),
    path(
        "<int:account_id>/map/<int:stakeholder_id>/left/",
        views.map_stakeholder_left,
        name="map_stakeholder_left",
    ),
    path(
        "<int:account_id>/map/<int:stakeholder_id>/remove/",
        views.map_stakeholder_remove,
        name="map_stakeholder_remove",
    ),
    path("<int:account_id>/interactions/add/", views.interaction_quick_add, name="interaction_quick_add"),
    path(
        "<int:account_id>/interactions/<int:interaction_id>/",
        views.interaction_change,
        name="interaction_change",
    ),
    path(
        "<int:account_id>/interactions/<int:interaction_id>/remove/",
        views.interaction_remove,
        name="interaction_remove",
    ),
]
