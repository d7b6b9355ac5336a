"""kam's translation catalogues (locale/<language>/LC_MESSAGES/django.po): compiled and checked.

Compiling needs no GNU gettext: Babel reads each .po and writes its .mo, skipping fuzzy entries as
msgfmt does. The .mo files are not committed; bin/setup, the Dockerfile and the test session compile
them (quick, and only what changed). Extracting messages (`makemessages`) does need GNU gettext: a
developer who changes strings and CI's check of the catalogue have it.

    python -m kam.core.catalogues compile      # what bin/setup runs
    python -m kam.core.catalogues check        # untranslated or fuzzy messages per language
    python -m kam.core.catalogues update       # makemessages for every language, kam's options
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import django
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import to_locale

LOCALE_DIR = Path(__file__).resolve().parent.parent.parent / "locale"
# English is the reference: its msgstrs stay empty and Django shows the msgid.
REFERENCE_LANGUAGE = "en"
# What makemessages reads: the project's code and templates, not its tests, tools or packages.
EXTRACT_IGNORE = [
    "node_modules/*",
    "staticfiles/*",
    "tests/*",
    "bench/*",
    "examples/*",
    "docs/*",
    "locale/*",
    "build/*",
]


# File names only, no line numbers: a line moved elsewhere does not change every catalogue.
MAKEMESSAGES_OPTIONS = {"ignore_patterns": EXTRACT_IGNORE, "add_location": "file", "verbosity": 0}
_PLURALS = re.compile(r"nplurals=(\d+)")
# A plural's msgstr slots when every one is empty (a multi-line msgstr also starts with `""`, so the
# run must end the entry: a blank line or the end of the file).
_EMPTY_PLURAL = re.compile(r'(msgid_plural "[^\n]*"\n(?:"[^\n]*"\n)*)(?:msgstr\[\d+\] ""\n)+(?=\n|\Z)')


def extract(*, languages: list[str]) -> None:
    """makemessages into the first of settings.LOCALE_PATHS for these languages (GNU gettext needed)."""
    call_command("makemessages", locale=[to_locale(code) for code in languages], **MAKEMESSAGES_OPTIONS)
    for language in languages:
        po = Path(settings.LOCALE_PATHS[0]) / to_locale(language) / "LC_MESSAGES" / "django.po"
        if po.exists():
            fit_plural_slots(po)


def fit_plural_slots(po_path: Path) -> None:
    """Give each untranslated plural as many msgstr[n] as the language has forms.

    makemessages copies the English template's two forms into a new catalogue, but Polish and Russian
    have four and Chinese one: a translator would fill the wrong number of slots.
    """
    text = po_path.read_text(encoding="utf-8")
    found = _PLURALS.search(text)
    if not found:
        return
    slots = "".join(f'msgstr[{i}] ""\n' for i in range(int(found.group(1))))
    po_path.write_text(_EMPTY_PLURAL.sub(lambda found: found.group(1) + slots, text), encoding="utf-8")


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def language_of(po_path: Path) -> str:
    return po_path.parent.parent.name


def compile_catalogue(po_path: Path) -> bool:
    """Write the .mo beside the .po when it is missing or older; True if written."""
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    with po_path.open("rb") as source:
        catalogue = read_po(source, abort_invalid=True)
    # Several test processes may compile at once: write aside, then replace in one step.
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo-new")
    with os.fdopen(handle, "wb") as target:
        write_mo(target, catalogue, use_fuzzy=False)
    os.replace(temporary, mo_path)
    return True


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return [po for po in catalogues(locale_dir) if compile_catalogue(po)]


def message_ids(po_path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every live message of a catalogue."""
    with po_path.open("rb") as source:
        catalogue = read_po(source)
    return {(message.context, _singular(message.id)) for message in catalogue if message.id}


def unfinished(po_path: Path) -> list[str]:
    """The msgids a translator still owes: untranslated, partly translated plurals, or fuzzy."""
    with po_path.open("rb") as source:
        catalogue = read_po(source)
    owed = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            owed.append(_singular(message.id))
    return owed


def _singular(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else message_id


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "compile":
        written = compile_all()
        print(f"Compiled {len(written)} translation catalogue(s).")
        return 0
    if command == "check":
        failed = False
        for po in catalogues():
            if language_of(po) == REFERENCE_LANGUAGE:
                continue
            owed = unfinished(po)
            if owed:
                failed = True
                print(f"{po.relative_to(LOCALE_DIR.parent)}: {len(owed)} untranslated or fuzzy")
        return 1 if failed else 0
    if command == "update":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
        django.setup()
        # makemessages reads the tree from where it runs: the repository's root.
        os.chdir(LOCALE_DIR.parent)
        extract(languages=[code for code, _name in settings.LANGUAGES])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
