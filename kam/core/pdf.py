"""Pages as PDF files, rendered on the server by WeasyPrint from the same templates as the screen.

Stylesheets, images and fonts are read from our static files on disk: rendering never fetches over
the network, so a PDF looks the same offline and cannot be made to call anywhere.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# Relative and root-relative URLs in the document resolve against this made-up origin.
BASE_URL = "http://kam.invalid/"


def static_file(url: str) -> Path | None:
    """The file on disk behind one of our static URLs (collected or not), or None."""
    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path.removeprefix(prefix))
    if ".." in Path(name).parts:
        return None
    # Production serves hashed names from STATIC_ROOT; development finds the sources.
    collected = Path(settings.STATIC_ROOT) / name
    if collected.is_file():
        return collected
    found = finders.find(name)
    if found:
        return Path(found)
    try:
        stored = staticfiles_storage.path(name)
    except NotImplementedError:
        return None
    return Path(stored) if Path(stored).is_file() else None


class StaticFilesOnly(URLFetcher):
    """Serves our static files and data: URLs; refuses everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file(url)
        if path is None:
            raise ValueError(f"Only static files are read into a PDF, not {url}")
        response = super().fetch(path.as_uri(), headers)
        # Keep the address it was asked by, so that a stylesheet's relative URLs (its fonts) resolve
        # against our static URLs again rather than against a file:// path this fetcher refuses.
        response.url = url
        return response


# Noto Sans TC comes from npm cut into about a hundred pieces by unicode-range. WeasyPrint loads every
# @font-face it is given before laying out, so a PDF gets only the pieces its own text needs.
CHINESE_FONT_STYLESHEETS = ("vendor/noto-sans-tc/400.css", "vendor/noto-sans-tc/700.css")
_FONT_FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}")
_WEIGHT = re.compile(r"font-weight:\s*(\d+)")
_WOFF2 = re.compile(r"url\(\./(?P<file>[^)]+\.woff2)\)")
_RANGES = re.compile(r"unicode-range:\s*(?P<ranges>[^;]+)")


@functools.cache
def _chinese_font_pieces() -> tuple[tuple[str, str, str, tuple[tuple[int, int], ...]], ...]:
    """(weight, static name of the file, unicode-range as written, ranges) of each piece."""
    pieces = []
    for stylesheet in CHINESE_FONT_STYLESHEETS:
        path = finders.find(stylesheet)
        if not path:
            continue
        folder = stylesheet.rsplit("/", 1)[0]
        for face in _FONT_FACE.finditer(Path(path).read_text(encoding="utf-8")):
            body = face["body"]
            weight, woff2, ranges = _WEIGHT.search(body), _WOFF2.search(body), _RANGES.search(body)
            if not (weight and woff2 and ranges):
                continue
            spans = []
            for part in ranges["ranges"].split(","):
                start, _, end = part.strip().removeprefix("U+").partition("-")
                spans.append((int(start, 16), int(end or start, 16)))
            pieces.append((weight[1], f"{folder}/{woff2['file']}", ranges["ranges"].strip(), tuple(spans)))
    return tuple(pieces)


def chinese_font_faces(text: str) -> str:
    """@font-face rules for the pieces of Noto Sans TC that draw the CJK characters in `text`."""
    wide = {ord(char) for char in text if ord(char) >= 0x2E80}
    if not wide:
        return ""
    rules = []
    for weight, name, written, spans in _chinese_font_pieces():
        if any(start <= code <= end for code in wide for start, end in spans):
            rules.append(
                f'@font-face {{ font-family: "Noto Sans TC"; font-weight: {weight}; '
                f'src: url("/{settings.STATIC_URL.lstrip("/")}{name}") format("woff2"); '
                f"unicode-range: {written}; }}"
            )
    return "\n".join(rules)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    fetcher, fonts = StaticFilesOnly(), FontConfiguration()
    stylesheets = []
    if faces := chinese_font_faces(html):
        stylesheets.append(CSS(string=faces, base_url=BASE_URL, url_fetcher=fetcher, font_config=fonts))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)


def pdf_response(template_name: str, context: dict, *, request, filename: str) -> HttpResponse:
    """The template rendered as a PDF download named `filename` (made safe for a header)."""
    document = render_pdf(template_name, context, request=request)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename) or "document"}.pdf"'
    return response
