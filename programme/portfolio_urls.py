"""The champion's portfolio (dashboard, reviews, sponsors, KAM team) and the sponsor's home (issue 6)."""

from django.urls import path

from . import dashboard_views, review_views

app_name = "portfolio"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("league.csv", dashboard_views.league_csv, name="league_csv"),
]

REVIEW = "reviews/<int:review_id>/"
urlpatterns += [
    path("reviews/", review_views.review_list, name="review_list"),
    path(REVIEW, review_views.review_detail, name="review_detail"),
    path(REVIEW + "entries/<int:entry_id>/decide/", review_views.review_decide, name="review_decide"),
    path(REVIEW + "alignment/", review_views.review_alignment, name="review_alignment"),
    path(REVIEW + "apply/", review_views.review_apply, name="review_apply"),
    path(REVIEW + "review.csv", review_views.review_csv, name="review_csv"),
]
