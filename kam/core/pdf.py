"""Pages as PDF files, rendered on the server by WeasyPrint from the same templates as the screen.

Stylesheets, images and fonts are read from our static files on disk: rendering never fetches over
the network, so a PDF looks the same offline and cannot be made to call anywhere.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from weasyprint import HTML
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
        return super().fetch(path.as_uri(), headers)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()


def pdf_response(template_name: str, context: dict, *, request, filename: str) -> HttpResponse:
    """The template rendered as a PDF download named `filename` (made safe for a header)."""
    document = render_pdf(template_name, context, request=request)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename) or "document"}.pdf"'
    return response
