from django.contrib import admin
from django.urls import include, path

from accounts import urls as accounts_urls
from accounts import views as account_views
from kam import health, views
from programme.measures import urls as measures_urls
from programme.workspace import urls as workspace_urls

admin.site.site_header = "kam administration"

# /accounts/: the account's records (accounts), its workspace and its measures (programme), one namespace.
ACCOUNT_PAGES = accounts_urls.urlpatterns + workspace_urls.urlpatterns + measures_urls.urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    # For the orchestrator: no login, no redirect to https (see SECURE_REDIRECT_EXEMPT).
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path(
        "accounts/",
        include(
            (accounts_urls.urlpatterns + workspace_urls.urlpatterns + measures_urls.urlpatterns, "accounts")
        ),
    ),
    path("portfolio/", include("programme.portfolio_urls")),
    path("programme/", include("programme.urls")),
    path("password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
]
