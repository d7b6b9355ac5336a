"""HTTP for machines (and people with their session): thin views over selectors, services and sync.

Lists page with a cursor in a stable order (by id); detail reads carry an ETag (the row's version
where it has one); a PATCH needs If-Match with that ETag and answers 412, changing nothing, when stale.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts import services as account_services
from accounts.measures.selectors import measures_by_account
from accounts.stakeholders import services as stakeholder_services
from accounts.sync import measures as measures_sync
from accounts.sync import records as sync
from api import filters, selectors, serializers, services
from api.errors import PayloadTooLarge, PreconditionFailed, PreconditionRequired, error_response
from api.schema import ACCOUNT_BATCH, CONTACT_BATCH, FINANCIAL_BATCH, SURVEY_BATCH, ApiSchema
from kam.core.versions import StaleVersion
from programme.models import Programme

# Which service each sync endpoint calls (surveys live in their own module, accounts/sync/measures.py).
UPSERTS = {
    "accounts": sync.accounts_upsert,
    "contacts": sync.contacts_upsert,
    "financials": sync.financials_upsert,
    "surveys": measures_sync.surveys_upsert,
}


class ApiCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"  # unique and never changes: a cursor stays valid while rows are added or edited

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # DRF checks the cursor's offset but not its position, which is an id here: "p=x" would reach
        # the query and fail there.
        if cursor is not None and cursor.position is not None and not cursor.position.isdigit():
            raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor


class CanRead(drf_permissions.BasePermission):
    """Any integration key, or a signed-in person (who then sees what accounts/permissions.py lets them)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class CanSync(drf_permissions.BasePermission):
    message = _("Only an integration key with the sync scope may push records.")

    def has_permission(self, request, view):
        return permissions.can_sync(request.user)


def etag_of(instance) -> str:
    if hasattr(instance, "version"):
        return f'"{instance.version}"'
    stamp = getattr(instance, "updated_at", None) or instance.computed_at
    return f'"{stamp.timestamp():.6f}"'


def expected_version(request, current: int) -> int:
    """The version named by If-Match: 428 without one, 412 when it is not the current one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return current
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    if str(current) not in tags:
        raise PreconditionFailed()
    return current


class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CanRead]
    pagination_class = ApiCursorPagination
    schema = ApiSchema()
    selector = None
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers={"ETag": etag_of(instance)})


class PatchMixin:
    """PATCH with If-Match: the fields this caller may change in the web app (for a key: the CRM's)."""

    patch_serializer_class = None
    allowed_fields = None  # permissions predicate: (user, instance) -> field names

    def save_patch(self, instance, changes: dict, *, expected_version: int, by) -> None:
        """The record's own service; a record without one goes through the generic versioned patch."""
        services.record_patch(instance=instance, changes=changes, expected_version=expected_version, by=by)

    def get_serializer_class(self):
        if self.request.method == "PATCH":
            return self.patch_serializer_class
        return super().get_serializer_class()

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        if getattr(instance, "archived_at", None) is not None:
            raise exceptions.NotFound()  # removed in kam: readable for the CRM to learn of it, not changed
        allowed = type(self).allowed_fields(request.user, instance)
        if not allowed:
            raise exceptions.PermissionDenied(_("You may read this record but not change it."))
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Send a JSON object of fields to change.")]}
            )
        known = set(self.patch_serializer_class.Meta.fields)
        unknown = [name for name in request.data if name not in known]
        if unknown:
            raise exceptions.ValidationError({name: [_("Unknown field.")] for name in unknown})
        refused = [name for name in request.data if name not in allowed]
        if refused:
            return error_response(
                [{"field": name, "message": _("Your role may not change this field.")} for name in refused],
                403,
            )
        version = expected_version(request, instance.version)
        patch = self.patch_serializer_class(instance, data=request.data, partial=True)
        patch.is_valid(raise_exception=True)
        try:
            self.save_patch(instance, patch.validated_data, expected_version=version, by=request.user)
        except StaleVersion as error:
            raise PreconditionFailed() from error
        except DjangoValidationError as error:  # the model's own rules, as the browser hears them: a 400
            raise exceptions.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            ) from error
        data = self.serializer_class(instance).data
        return Response(data, headers={"ETag": etag_of(instance)})


def _list_doc(summary: str):
    return extend_schema_view(list=extend_schema(summary=summary), retrieve=extend_schema(summary=summary))


@_list_doc("Accounts (customers), archived ones marked")
class AccountViewSet(PatchMixin, mixins.UpdateModelMixin, ReadViewSet):
    """Read accounts; PATCH one with If-Match set to the ETag you read (the CRM's fields for a key)."""

    serializer_class = serializers.AccountSerializer
    patch_serializer_class = serializers.AccountPatchSerializer
    filterset_class = filters.AccountFilter
    selector = selectors.accounts
    allowed_fields = permissions.api_account_fields
    http_method_names = ["get", "patch", "head", "options"]

    def save_patch(self, instance, changes: dict, *, expected_version: int, by) -> None:
        # The same service as the browser's edit form: one version check, one history.
        for name, value in changes.items():
            setattr(instance, name, value)
        account_services.account_save(
            account=instance, expected_version=expected_version, fields=list(changes), by=services.author(by)
        )

    @extend_schema(
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses=serializers.AccountSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


@_list_doc("Contacts (the customer's people)")
class ContactViewSet(PatchMixin, mixins.UpdateModelMixin, ReadViewSet):
    """Read contacts; PATCH one with If-Match set to the ETag you read (the CRM's fields for a key)."""

    serializer_class = serializers.ContactSerializer
    patch_serializer_class = serializers.ContactPatchSerializer
    filterset_class = filters.ContactFilter
    selector = selectors.contacts
    allowed_fields = permissions.api_contact_fields
    http_method_names = ["get", "patch", "head", "options"]

    def save_patch(self, instance, changes: dict, *, expected_version: int, by) -> None:
        # The map's own service: the same rules, version check and history as the browser's editor.
        stakeholder_services.stakeholder_update(
            stakeholder=instance, changes=changes, expected_version=expected_version, by=services.author(by)
        )

    @extend_schema(
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses=serializers.ContactSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


@_list_doc("Monthly financial figures")
class FinancialViewSet(ReadViewSet):
    serializer_class = serializers.FinancialSerializer
    filterset_class = filters.FinancialFilter
    selector = selectors.financials


@_list_doc("Interactions (documented contacts)")
class InteractionViewSet(ReadViewSet):
    serializer_class = serializers.InteractionSerializer
    filterset_class = filters.InteractionFilter
    selector = selectors.interactions


@_list_doc("Current score, CLV, quadrant and recommendation per account")
class ScoreViewSet(ReadViewSet):
    serializer_class = serializers.ScoreSerializer
    filterset_class = filters.ScoreFilter
    selector = selectors.scores

    def get_serializer(self, *args, **kwargs):
        # NPS, share of wallet, stage and return for the whole page at once: a fixed number of queries.
        serializer = super().get_serializer(*args, **kwargs)
        instance = args[0] if args else kwargs.get("instance")
        if instance is not None:
            scores = instance if isinstance(instance, list) else [instance]
            serializer.context["measures"] = measures_by_account(
                [s.account_id for s in scores], rates=Programme.load().rate_table()
            )
        return serializer


@_list_doc("Account plans with their objectives and actions")
class PlanViewSet(ReadViewSet):
    serializer_class = serializers.PlanSerializer
    filterset_class = filters.PlanFilter
    selector = selectors.plans


class SyncView(APIView):
    """POST {"records": [...]}: all or nothing; answers how many were created, updated, unchanged."""

    permission_classes = [CanSync]
    schema = ApiSchema()
    kind = ""

    def post(self, request):
        data = request.data
        if not isinstance(data, dict) or "records" not in data:
            return error_response([{"field": "records", "message": _('Send {"records": [...]}.')}], 400)
        unknown = [name for name in data if name != "records"]
        if unknown:
            return error_response([{"field": name, "message": _("Unknown field.")} for name in unknown], 400)
        try:
            result = UPSERTS[self.kind](records=data["records"])
        except sync.BatchTooLarge as error:
            raise PayloadTooLarge(str(error)) from error
        except sync.BatchRejected as error:
            return error_response(error.errors, 400)
        return Response(result.as_dict())


def _sync_view(kind: str, body: dict, summary: str):
    view = type(f"{kind.title()}SyncView", (SyncView,), {"kind": kind})
    return extend_schema(
        request={"application/json": body}, responses=serializers.SyncResultSerializer, summary=summary
    )(view)


AccountSyncView = _sync_view("accounts", ACCOUNT_BATCH, "Upsert accounts by external id")
ContactSyncView = _sync_view("contacts", CONTACT_BATCH, "Upsert contacts by external id")
FinancialSyncView = _sync_view("financials", FINANCIAL_BATCH, "Upsert monthly figures by account and month")


@csrf_exempt  # it changes nothing; a 404 must not turn into an HTML CSRF page
def no_such_endpoint(request, *args, **kwargs):
    return JsonResponse(
        {"errors": [{"field": None, "message": _("No such endpoint or record; see /api/docs/.")}]}, status=404
    )


# --- Satisfaction surveys --------------------------------------------------------------------------


@_list_doc("Satisfaction surveys: NPS (0-10) and CSAT (1-5) per respondent")
class SurveyViewSet(ReadViewSet):
    serializer_class = serializers.SurveySerializer
    filterset_class = filters.SurveyFilter
    selector = selectors.surveys


SurveySyncView = _sync_view("surveys", SURVEY_BATCH, "Upsert satisfaction surveys by external id")
