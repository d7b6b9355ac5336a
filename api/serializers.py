"""What the API reads out and what a PATCH may write. Bulk sync input is validated in accounts/sync/."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import (
    Account,
    AccountPlan,
    FinancialPeriod,
    Interaction,
    PlanAction,
    PlanObjective,
    RelationshipStage,
    Stakeholder,
    Survey,
    User,
)
from programme.models import AccountScore, Quadrant


class ArchivedField(serializers.BooleanField):
    """True once the record was removed in kam: it stays visible so that a CRM learns of it."""

    def __init__(self, source="archived_at", **kwargs):
        super().__init__(source=source, read_only=True, **kwargs)

    def get_attribute(self, instance):
        # DRF would print a missing date as null; the answer is a plain yes or no.
        return super().get_attribute(instance) is not None

    def to_representation(self, value):
        return bool(value)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})
class MonthField(serializers.Field):
    def to_representation(self, value):
        return value.strftime("%Y-%m")


class AccountSerializer(serializers.ModelSerializer):
    kam = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    executive_sponsor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    archived = ArchivedField()

    class Meta:
        model = Account
        fields = [
            "id", "external_id", "name", "status", "key_since", "exited_on", "industry", "country",
            "currency", "kam", "executive_sponsor", "retention_estimate", "archived", "version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, account):
        # The list a CRM pages through most, written out by hand: DRF's field-by-field walk took most
        # of a 100-item page's time. Same names and formats as the fields declared above (the schema).
        return {
            "id": account.pk,
            "external_id": account.external_id,
            "name": account.name,
            "status": account.status,
            "key_since": _date(account.key_since),
            "exited_on": _date(account.exited_on),
            "industry": account.industry,
            "country": account.country,
            "currency": account.currency,
            "kam": account.kam.username if account.kam_id else None,
            "executive_sponsor": account.executive_sponsor.username if account.executive_sponsor_id else None,
            "retention_estimate": None
            if account.retention_estimate is None
            else f"{account.retention_estimate:.3f}",
            "archived": account.archived_at is not None,
            "version": account.version,
            "created_at": _datetime(account.created_at),
            "updated_at": _datetime(account.updated_at),
        }


def _date(value):
    return None if value is None else value.isoformat()


def _datetime(value):
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class AccountPatchSerializer(serializers.ModelSerializer):
    """Every field a PATCH may name; the view then refuses those the caller's role may not change."""

    kam = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    executive_sponsor = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Account
        fields = [
            "name", "external_id", "industry", "country", "currency", "kam", "executive_sponsor",
            "retention_estimate",
        ]  # fmt: skip


class ContactSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="Blank when unknown.")
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    reports_to_external_id = serializers.CharField(
        source="reports_to.external_id", read_only=True, allow_null=True, default=None
    )
    relationship_owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    archived = ArchivedField()

    class Meta:
        model = Stakeholder
        fields = [
            "id", "external_id", "account", "account_external_id", "name", "title", "department", "email",
            "phone", "reports_to", "reports_to_external_id", "relationship_owner", "buying_role", "influence",
            "attitude", "relationship_strength", "competitor_relationship_strength", "left_on", "archived",
            "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ContactPatchSerializer(serializers.ModelSerializer):
    reports_to = serializers.PrimaryKeyRelatedField(
        queryset=Stakeholder.objects.none(),
        allow_null=True,
        required=False,
        help_text="The id of a current contact at the same account; null for the top of the chart.",
    )
    relationship_owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="The username of our colleague who owns the relationship.",
    )

    class Meta:
        model = Stakeholder
        fields = [
            "name", "title", "department", "email", "phone", "buying_role", "influence", "attitude",
            "relationship_strength", "competitor_relationship_strength", "needs_organisation",
            "needs_department", "needs_personal", "left_on", "reports_to", "relationship_owner",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, Stakeholder):
            # Only the account's own current people: an id from another account is simply not found
            # (no name of someone at an account the caller may not see comes back in the error).
            self.fields["reports_to"].queryset = Stakeholder.objects.filter(
                account_id=self.instance.account_id, archived_at__isnull=True
            ).exclude(pk=self.instance.pk)


class FinancialSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    period = MonthField(read_only=True)
    # Months are never removed on their own in kam; they go with their account.
    archived = ArchivedField(source="account.archived_at")

    class Meta:
        model = FinancialPeriod
        fields = [
            "id", "account", "account_external_id", "period", "revenue", "gross_margin", "cost_to_serve",
            "days_to_pay", "currency", "order_count", "created_at", "updated_at", "archived",
        ]  # fmt: skip
        read_only_fields = fields


class InteractionSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    contacts = serializers.SerializerMethodField()
    archived = ArchivedField()

    class Meta:
        model = Interaction
        fields = [
            "id", "account", "account_external_id", "kind", "occurred_on", "contacts", "notes", "archived",
            "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "external_id": {"type": "string", "nullable": True},
                },
                "required": ["id", "external_id"],
            },
        }
    )
    def get_contacts(self, interaction) -> list:
        return [{"id": s.pk, "external_id": s.external_id} for s in interaction.stakeholders.all()]


class MeasureField(serializers.Field):
    """One of the account's measures, read from the page's batch in the serializer's context.

    Each kind of measure is its own subclass with its own schema: a schema set on this class would be
    shared by every measure.
    """

    def __init__(self, attribute: str, **kwargs):
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, score):
        measured = self.context.get("measures", {}).get(score.account_id)
        value = getattr(measured, self.attribute, None) if measured else None
        if value in (None, ""):
            return None
        return value if isinstance(value, str) else str(value)


@extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
class DecimalMeasureField(MeasureField):
    """A figure sent as a decimal string (exact, as money is); null when there is nothing to measure."""


@extend_schema_field(
    serializers.ChoiceField(choices=RelationshipStage.choices, allow_null=True, read_only=True)
)
class StageMeasureField(MeasureField):
    """The relationship's current stage, a word; null before any stage was recorded."""


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored blank when there is none (no quadrant yet), sent as null rather than ""."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ScoreSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    archived = ArchivedField(source="account.archived_at")
    quadrant = BlankAsNullChoiceField(
        choices=Quadrant.choices, help_text="Null while the account is not scored on both axes."
    )
    nps = DecimalMeasureField("nps", help_text="Net promoter score of the last 12 months, -100 to 100.")
    share_of_wallet = DecimalMeasureField("share_of_wallet", help_text="1 is all of the customer's spend.")
    relationship_stage = StageMeasureField("relationship_stage")
    return_on_investment = DecimalMeasureField("return_on_investment")

    class Meta:
        model = AccountScore
        fields = [
            "id", "account", "external_id", "attractiveness", "relationship", "overall", "completeness",
            "clv", "quadrant", "recommendation", "computed_at", "archived",
            "nps", "share_of_wallet", "relationship_stage", "return_on_investment",
        ]  # fmt: skip
        read_only_fields = fields


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanObjective
        fields = ["id", "title", "strategy", "target", "due_on"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assigned_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PlanAction
        fields = ["id", "objective", "description", "owner", "assigned_by", "due_on", "status", "done_on"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = AccountPlan
        fields = [
            "id", "account", "account_external_id", "period_start", "period_end", "status", "reviewed_on",
            "review_due_on", "objectives", "actions", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class SyncResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(required=False, allow_null=True, help_text="Position in the batch.")
    external_id = serializers.CharField(required=False, allow_null=True)
    field = serializers.CharField(
        allow_null=True, help_text="The field at fault; null for the whole request."
    )
    message = serializers.CharField()


class ErrorListSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


class SurveySerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    stakeholder_external_id = serializers.CharField(
        source="stakeholder.external_id", read_only=True, allow_null=True, default=None
    )
    archived = ArchivedField()

    class Meta:
        model = Survey
        fields = [
            "id", "external_id", "account", "account_external_id", "surveyed_on", "respondent_name",
            "stakeholder", "stakeholder_external_id", "nps", "csat", "comment", "archived", "version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
