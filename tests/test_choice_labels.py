"""Choice labels (`get_FOO_display()`) in the reader's language, one translation per label shown."""

from django.apps import apps
from django.utils import translation
from django.utils.translation import trans_real

from accounts.models import BuyingRole, Interaction, InteractionKind, Stakeholder
from kam.core.choices import ChoiceLabels


def test_a_label_follows_the_language_active_when_it_is_shown():
    person = Stakeholder(buying_role=BuyingRole.DECISION_MAKER)
    with translation.override("pl"):
        assert person.get_buying_role_display() == "Decydent"
    with translation.override("de"):
        assert person.get_buying_role_display() == "Entscheider"
    with translation.override("en"):
        assert person.get_buying_role_display() == "Decision maker"


def test_a_value_outside_the_choices_shows_itself_and_a_missing_one_stays_none():
    assert Stakeholder(buying_role="retired_role").get_buying_role_display() == "retired_role"
    assert Interaction(kind=None).get_kind_display() is None


def test_showing_a_label_translates_that_label_only(monkeypatch):
    translated = []
    gettext = trans_real.DjangoTranslation.gettext

    def counting(self, message):
        translated.append(message)
        return gettext(self, message)

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", counting)
    meeting = Interaction(kind=InteractionKind.choices[0][0])
    with translation.override("pl"):
        for _ in range(100):
            meeting.get_kind_display()
    # Django's own get_FOO_display translated every label of the field on every call (800 here).
    assert len(translated) <= 100


def test_every_model_of_ours_with_choice_fields_reads_its_labels_the_cheap_way():
    ours = ("accounts", "programme", "api")
    slow = [
        model.__name__
        for model in apps.get_models()
        if model.__module__.split(".")[0] in ours
        and not model.__name__.startswith("Historical")
        and any(field.choices for field in model._meta.concrete_fields)
        and not issubclass(model, ChoiceLabels)
    ]
    assert slow == []
