"""The account's Measures page and its forms; mounted under /accounts/ by kam/urls.py."""

from django.urls import path

from programme.measures import views

MEASURES = "<int:account_id>/measures/"

urlpatterns = [
    path(MEASURES, views.measures, name="measures"),
    path(MEASURES + "surveys/new/", views.survey_add, name="measures_survey_add"),
    path(MEASURES + "wallet/", views.wallet_set, name="measures_wallet"),
    path(MEASURES + "stage/", views.stage_set, name="measures_stage"),
    path(MEASURES + "investment/", views.investment_record, name="measures_investment"),
    path(MEASURES + "retention/", views.retention_edit, name="measures_retention"),
]
