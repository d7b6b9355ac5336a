"""Every versioned record, by every path that writes it (tests/write_paths.py): the version moves, a
stale version is refused the way that caller understands, history names who did it, and the same bad
value reads the same whichever path sent it."""

import pytest
from django.utils.html import escape

from api.models import ApiKey, ApiScope
from tests.write_paths import ADMIN, API, BROWSER, MODEL_RULES, SYNC, VERSIONED_MODELS, WRITE_PATHS, World

pytestmark = pytest.mark.django_db

SAVED = {BROWSER: (200, 302), ADMIN: (302,), API: (200,), SYNC: (200,)}
REFUSED_AS_STALE = {BROWSER: 409, ADMIN: 200, API: 412}
REFUSED_AS_INVALID = {BROWSER: (400, 422), ADMIN: (200,), API: (400,), SYNC: (400,)}


@pytest.fixture
def world(champion, kam):
    champion.is_staff = champion.is_superuser = True
    champion.save()
    return World(champion=champion, kam=kam, sync_key=ApiKey.issue(name="CRM", scope=ApiScope.SYNC)[1])


def _text(response) -> str:
    return response.content.decode()


def _fresh(record):
    return type(record)._default_manager.get(pk=record.pk)


def test_every_versioned_model_has_a_write_path():
    assert {entry.model for entry in WRITE_PATHS} == VERSIONED_MODELS


@pytest.mark.parametrize("entry", [entry.param() for entry in WRITE_PATHS])
def test_a_write_path_moves_the_version_refuses_a_stale_one_and_names_who(world, entry):
    record = entry.make(world)
    loaded = record.version

    response = entry.send(world, record, version=loaded, changes={entry.field: entry.good})
    assert response.status_code in SAVED[entry.channel], _text(response)[:3000]
    saved = _fresh(record)
    assert saved.version > loaded
    assert entry.stored(saved) == str(entry.good)
    if entry.history:
        last = saved.history.order_by("-history_date", "-history_id").first()
        author = getattr(world, entry.author) if entry.author else None
        assert last.history_user == author
        assert str(getattr(last, entry.field)) == entry.stored(saved)

    if entry.stale:
        # A second person saves from the page they opened before the first save.
        response = entry.send(world, saved, version=loaded, changes={entry.field: entry.typed})
        assert response.status_code == REFUSED_AS_STALE[entry.channel], _text(response)[:3000]
        if entry.channel == BROWSER:
            assert escape(entry.typed) in _text(response)  # what they typed is kept
            assert escape(entry.good).lower() in _text(response).lower()  # beside what the first one saved
        if entry.channel == ADMIN:
            assert "Someone else saved" in _text(response)
        after = _fresh(record)
        assert (after.version, entry.stored(after)) == (saved.version, entry.stored(saved))


@pytest.mark.parametrize(
    "entry", [entry.rule_param() for entry in WRITE_PATHS if entry.rule and entry.model in MODEL_RULES]
)
def test_the_same_bad_value_gets_the_same_message_on_every_path(world, entry):
    name, bad, message = MODEL_RULES[entry.model]
    record = entry.make(world)
    response = entry.send(world, record, version=record.version, changes={name: bad})
    assert response.status_code in REFUSED_AS_INVALID[entry.channel], _text(response)[:3000]
    text = _text(response) if entry.channel not in (API, SYNC) else str(response.json())
    assert escape(message) in text if entry.channel not in (API, SYNC) else message in text
    assert _fresh(record).version == record.version
