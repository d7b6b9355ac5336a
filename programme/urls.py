from django.urls import path

from programme import views
from programme.scoring import views as scoring_views

app_name = "programme"

urlpatterns = [
    path("criteria/", views.criteria, name="criteria"),
    path("criteria/what-if/", views.criteria_preview, name="criteria_preview"),
    path("criteria/weights/", views.criteria_weights_save, name="criteria_weights_save"),
    path("criteria/new/", views.criterion_edit, name="criterion_create"),
    path("criteria/<int:criterion_id>/edit/", views.criterion_edit, name="criterion_edit"),
    path("criteria/<int:criterion_id>/active/", views.criterion_active, name="criterion_active"),
    path("recompute/", scoring_views.recompute, name="recompute"),
    path("accounts/<int:account_id>/score/", scoring_views.score_card, name="score_card"),
    path(
        "accounts/<int:account_id>/score/<int:criterion_id>/",
        scoring_views.manual_score,
        name="manual_score",
    ),
]
