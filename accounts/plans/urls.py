"""Plans, whitespace map, offerings and My actions; part of accounts/urls.py (namespace accounts)."""

from django.urls import path

from accounts.plans import views

PLAN = "<int:account_id>/plans/<int:plan_id>/"

urlpatterns = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("my-actions/<int:action_id>/done/", views.my_action_done, name="my_action_done"),
    path("offerings/", views.offerings, name="offerings"),
    path("offerings/<int:offering_id>/", views.offerings, name="offering_edit"),
    path("<int:account_id>/plans/", views.plan_list, name="plan_list"),
    path("<int:account_id>/plans/new/", views.plan_create, name="plan_create"),
    path(PLAN, views.plan_detail, name="plan_detail"),
    path(PLAN + "joint/", views.joint_plan, name="joint_plan"),
    path(PLAN + "joint.pdf", views.joint_plan_pdf, name="joint_plan_pdf"),
    path(PLAN + "sections/", views.plan_sections_edit, name="plan_sections"),
    path(PLAN + "step/<slug:name>/", views.plan_step, name="plan_step"),
    path(PLAN + "objectives/new/", views.objective_edit, name="objective_create"),
    path(PLAN + "objectives/<int:objective_id>/", views.objective_edit, name="objective_edit"),
    path(PLAN + "actions/new/", views.action_edit, name="action_create"),
    path(PLAN + "actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path(PLAN + "resource-requests/new/", views.resource_request_edit, name="resource_request_create"),
    path(
        PLAN + "resource-requests/<int:request_id>/",
        views.resource_request_edit,
        name="resource_request_edit",
    ),
    path(PLAN + "risks/new/", views.risk_edit, name="risk_create"),
    path(PLAN + "risks/<int:risk_id>/", views.risk_edit, name="risk_edit"),
    path(PLAN + "<slug:kind>/<int:part_id>/delete/", views.plan_part_delete, name="plan_part_delete"),
    path("<int:account_id>/opportunities/", views.opportunity_map, name="opportunity_map"),
    path(
        "<int:account_id>/opportunities/<int:centre_id>/<int:offering_id>/",
        views.opportunity_edit,
        name="opportunity_edit",
    ),
]
