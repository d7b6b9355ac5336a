from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import docs, views

app_name = "api"

router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("financials", views.FinancialViewSet, basename="financial")
router.register("interactions", views.InteractionViewSet, basename="interaction")
router.register("scores", views.ScoreViewSet, basename="score")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("surveys", views.SurveyViewSet, basename="survey")

urlpatterns = [
    path("v1/sync/accounts/", views.AccountSyncView.as_view(), name="sync_accounts"),
    path("v1/sync/contacts/", views.ContactSyncView.as_view(), name="sync_contacts"),
    path("v1/sync/financials/", views.FinancialSyncView.as_view(), name="sync_financials"),
    path("v1/sync/surveys/", views.SurveySyncView.as_view(), name="sync_surveys"),
    path("v1/", include(router.urls)),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    # Swagger UI sets inline styles as it renders; its scripts still come only from /static/.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(docs.DocsView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"", views.no_such_endpoint),  # a JSON 404 for anything else under /api/, never an HTML page
]
