"""The champion's portfolio (dashboard, reviews, sponsors, KAM team) and the sponsor's home (issue 6)."""

from django.urls import path

from . import dashboard_views

app_name = "portfolio"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("league.csv", dashboard_views.league_csv, name="league_csv"),
]
