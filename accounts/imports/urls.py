"""Import pages, under /accounts/imports/ in the `accounts` namespace."""

from django.urls import path

from accounts.imports import views

urlpatterns = [
    path("imports/", views.import_history, name="import_history"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:run_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:run_id>/start/", views.import_start, name="import_start"),
    path("imports/<int:run_id>/", views.import_run, name="import_run"),
    path("imports/<int:run_id>/rejected.csv", views.import_rejected, name="import_rejected"),
]
