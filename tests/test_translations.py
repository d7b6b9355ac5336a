"""The catalogues: every string a person reads is marked and catalogued, every language translates all
of it, and the compiled catalogues are what Django serves."""

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from kam.core import catalogues, unmarked

ROOT = Path(settings.BASE_DIR)
REFERENCE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# A language whose catalogue is still being written is listed here (its completeness is then expected to
# fail); every language is complete, so a missing or fuzzy message fails the build.
BEING_TRANSLATED: set[str] = set()
LANGUAGES = [catalogues.language_of(po) for po in catalogues.catalogues()]


def test_there_is_a_catalogue_for_every_language():
    assert sorted(LANGUAGES) == sorted(translation.to_locale(code) for code, _name in settings.LANGUAGES)


def _translation_status(language):
    marks = ()
    if language in BEING_TRANSLATED:
        marks = pytest.mark.xfail(reason=f"{language}: the translators have not finished yet", strict=False)
    return pytest.param(language, marks=marks)


@pytest.mark.parametrize(
    "language",
    [_translation_status(lang) for lang in LANGUAGES if lang != catalogues.REFERENCE_LANGUAGE],
)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    owed = catalogues.unfinished(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
    assert not owed, f"{len(owed)} untranslated or fuzzy in {language}, e.g. {owed[:5]}"


def test_every_marked_message_is_in_the_catalogue(tmp_path, monkeypatch, settings):
    """makemessages on the tree as it is adds no message id and drops none (GNU gettext needed)."""
    if not shutil.which("xgettext"):
        if os.environ.get("KAM_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is not installed")
        pytest.skip("GNU gettext (xgettext) is not installed")
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        tree,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            "node_modules",
            ".venv",
            ".git",
            "locale",
            "staticfiles",
            "__pycache__",
            "*.sqlite3",
            "test-results",
        ),
    )
    (tree / "locale").mkdir()
    monkeypatch.chdir(tree)
    settings.LOCALE_PATHS = [tree / "locale"]
    catalogues.extract(languages=[catalogues.REFERENCE_LANGUAGE])

    extracted = catalogues.message_ids(tree / "locale" / "en" / "LC_MESSAGES" / "django.po")
    committed = catalogues.message_ids(REFERENCE)
    missing, stale = sorted(extracted - committed), sorted(committed - extracted)
    assert not missing and not stale, (
        "The catalogues are behind the code: run `.venv/bin/python -m kam.core.catalogues update`, "
        f"then translate. New: {missing[:10]} Gone: {stale[:10]}"
    )


def test_no_template_shows_text_outside_translate_tags():
    found = unmarked.unmarked_text(ROOT / "templates")
    assert not found, "Wrap in {% translate %}:\n" + "\n".join(map(str, found))


def test_no_flash_message_error_or_label_is_a_plain_string():
    found = unmarked.unmarked_python(ROOT, ["kam", "accounts", "programme"])
    # The API's field descriptions document the schema for developers: only its messages count.
    found += unmarked.unmarked_python(ROOT, ["api"], labels=False)
    assert not found, "Mark with gettext/gettext_lazy:\n" + "\n".join(map(str, found))


def test_the_unmarked_text_check_finds_what_it_should(tmp_path):
    (tmp_path / "page.html").write_text(
        "{% load i18n %}<h1>Account plan</h1>\n"
        '<a title="Open the plan" href="{{ url }}">{% translate "Open" %}</a>\n'
        '<td{% if late %} class="late"{% endif %}>{{ day }}</td>{# a comment #}\n'
        "{% blocktranslate %}Due on {{ day }}{% endblocktranslate %}{% comment %}Not shown{% endcomment %}\n"
        "<script src=x></script><p>kam · {{ name }} · CSV</p>\n",
        encoding="utf-8",
    )
    found = unmarked.unmarked_text(tmp_path)
    assert [(f.line, f.text) for f in found] == [(1, "Account plan"), (2, "Open the plan")]


def test_compiled_catalogues_are_what_django_serves(tmp_path):
    """Babel writes the .mo files without GNU gettext, fuzzy entries left out as msgfmt does."""
    po = tmp_path / "xx" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Key account"\nmsgstr "Klient kluczowy"\n\n'
        '#, fuzzy\nmsgid "Account plan"\nmsgstr "Plan klienta?"\n',
        encoding="utf-8",
    )
    assert catalogues.compile_all(tmp_path) == [po]
    assert catalogues.compile_all(tmp_path) == []  # unchanged: nothing to do
    compiled = translation.trans_real.gettext_module.GNUTranslations(po.with_suffix(".mo").open("rb"))
    assert compiled.gettext("Key account") == "Klient kluczowy"
    assert compiled.gettext("Account plan") == "Account plan"
    assert catalogues.unfinished(po) == ["Account plan"]
    # And the project's own, compiled at the start of the test session as bin/setup does.
    polish = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"
    with polish.open("rb") as source:
        wanted = read_po(source).get("Your week in the key account programme").string
    with translation.override("pl"):
        assert wanted and gettext("Your week in the key account programme") == wanted


def test_fitting_plural_slots_keeps_translated_plurals_whole(tmp_path):
    """A translated plural whose msgstr spans lines starts with `msgstr[0] ""` too; only all-empty
    plurals get the language's number of slots."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=4; plural=(n==1 ? 0 : 1);\\n"\n\n'
        'msgid "%(n)d action"\nmsgid_plural "%(n)d actions"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
        'msgid "%(n)d decision maker left"\nmsgid_plural ""\n"%(n)d decision makers left"\n'
        'msgstr[0] ""\n"%(n)d decydent odszedł"\nmsgstr[1] ""\n"%(n)d decydentów odeszło"\n'
        'msgstr[2] ""\n"%(n)d decydentów odeszło"\nmsgstr[3] ""\n"%(n)d decydentów odeszło"\n',
        encoding="utf-8",
    )
    catalogues.fit_plural_slots(po)
    text = po.read_text(encoding="utf-8")
    assert 'msgid_plural "%(n)d actions"\nmsgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""\nmsgstr[3] ""\n\n' in text
    assert text.count("msgstr[0]") == 2 and "%(n)d decydent odszedł" in text
    assert catalogues.unfinished(po) == ["%(n)d action"]
