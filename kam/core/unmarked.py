"""Text in templates that a person reads but no translator will ever see: words outside
{% translate %} / {% blocktranslate %}, in the page's text or in its title, alt, placeholder and
aria-label attributes. Used by tests/test_translations.py."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

# Stands where a {{ variable }} or {% tag %} was (its output is not the template's own text): a space
# keeps `<td{% if late %} class="late"{% endif %}>` a well-formed tag.
HOLE = " "
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
WORD = re.compile(r"\w+")
# Names and codes that read the same in every language.
UNTRANSLATED_WORDS = {"kam", "CSV", "PDF", "CRM", "API", "ISO", "NPS", "CSAT", "CLV", "EUR", "ROI", "OK"}
_OPENS = {"blocktranslate", "blocktrans", "comment"}
_CLOSES = {"endblocktranslate", "endblocktrans", "endcomment"}


@dataclass(frozen=True)
class Unmarked:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._note(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._note(data)

    def _note(self, text: str) -> None:
        words = [
            w
            for w in WORD.findall(text)
            if sum(ch.isalpha() for ch in w) >= 2 and w not in UNTRANSLATED_WORDS
        ]
        if words:
            self.found.append((self.getpos()[0], " ".join(text.split())))


def template_text(source: str) -> str:
    """The template with tags and variables replaced by HOLE, and translated or commented-out
    blocks removed, keeping line numbers."""
    parts, depth = [], 0
    for token in Lexer(source).tokenize():
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK and token.contents else ""
        if name in _OPENS:
            depth += 1
        elif name in _CLOSES:
            depth = max(depth - 1, 0)
        if token.token_type == TokenType.TEXT and not depth:
            parts.append(token.contents)
        else:
            # Keep the line count so that a finding points at the right line.
            raw = token.contents if token.token_type == TokenType.TEXT else ""
            parts.append(HOLE + "\n" * raw.count("\n"))
    return "".join(parts)


def unmarked_text(templates_dir: Path) -> list[Unmarked]:
    found = []
    for path in sorted(templates_dir.rglob("*.html")):
        reader = _Reader()
        reader.feed(template_text(path.read_text(encoding="utf-8")))
        reader.close()
        name = str(path.relative_to(templates_dir))
        found += [Unmarked(name, line, text) for line, text in reader.found]
    return found


# Calls whose text reaches a person: flash messages, validation errors, form and model labels.
_MESSAGE_CALLS = {"success", "error", "warning", "info", "add_message", "ValidationError"}
_LABEL_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}


def _is_text(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and sum(ch.isalpha() for ch in node.value) >= 2
    )


def _is_log(call: ast.Call) -> bool:
    owner = getattr(call.func, "value", None)
    return "log" in (getattr(owner, "id", None) or getattr(owner, "attr", None) or "").lower()


def unmarked_python(root: Path, packages: list[str], *, labels: bool = True) -> list[Unmarked]:
    """Plain string literals handed to a flash message, a ValidationError or (with `labels`) a form or
    model label. Log lines are for operators and stay English."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            name = str(path.relative_to(root))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or _is_log(node):
                    continue
                called = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                texts = []
                if called in _MESSAGE_CALLS:
                    texts += [arg for arg in node.args if _is_text(arg)]
                if labels:
                    texts += [
                        kw.value for kw in node.keywords if kw.arg in _LABEL_KEYWORDS and _is_text(kw.value)
                    ]
                found += [Unmarked(name, text.lineno, text.value) for text in texts]
    return found
