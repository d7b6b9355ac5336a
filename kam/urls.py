from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "kam administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("portfolio/", include("programme.portfolio_urls")),
    path("programme/", include("programme.urls")),
    path("", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
]
