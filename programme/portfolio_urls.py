"""The champion's portfolio (dashboard, reviews, sponsors, KAM team) and the sponsor's home."""

from django.urls import path

from programme.dashboard import views as dashboard_views
from programme.digest import views as digest_views
from programme.reviews import views as review_views
from programme.sponsors import views as sponsor_views
from programme.team import views as team_views

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

urlpatterns += [
    path("sponsor/", sponsor_views.sponsor_home, name="sponsor_home"),
    path("sponsor/accounts/<int:account_id>/", sponsor_views.sponsor_brief, name="sponsor_brief"),
    path(
        "sponsor/accounts/<int:account_id>/plans/<int:plan_id>/endorse/",
        sponsor_views.sponsor_endorse,
        name="sponsor_endorse",
    ),
    path("sponsor/accounts/<int:account_id>/visit/", sponsor_views.sponsor_visit, name="sponsor_visit"),
    path("sponsors/", sponsor_views.sponsor_load, name="sponsor_load"),
]

urlpatterns += [
    path("team/", team_views.team_page, name="kam_team"),
    path("team/<int:user_id>/skills/", team_views.skills_edit, name="kam_skills"),
    path("team/<int:user_id>/training/", team_views.training_add, name="kam_training"),
]

urlpatterns += [path("digest/", digest_views.digest_preference, name="digest_preference")]

urlpatterns += [
    path(
        "accounts/<int:account_id>/plans/<int:plan_id>/board-brief/",
        sponsor_views.plan_board_brief,
        name="plan_board_brief",
    ),
    path(
        "accounts/<int:account_id>/plans/<int:plan_id>/board-brief.pdf",
        sponsor_views.plan_board_brief_pdf,
        name="plan_board_brief_pdf",
    ),
]
