"""PDFs are drawn from our own static files only: rendering never reaches out over the network."""

import pytest

from kam.core.pdf import BASE_URL, StaticFilesOnly, render_pdf, static_file
from tests.pdfs import pdf_pages


def test_our_static_urls_resolve_to_files_on_disk():
    assert static_file(f"{BASE_URL}static/css/pdf.css").name == "pdf.css"
    assert static_file(f"{BASE_URL}static/img/logo-placeholder.svg").is_file()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/static/css/pdf.css",
        f"{BASE_URL}static/../kam/settings.py",
        f"{BASE_URL}static/css/no-such-file.css",
        f"{BASE_URL}accounts/1/",
        "file:///etc/passwd",
    ],
)
def test_anything_but_our_static_files_is_refused(url):
    with pytest.raises(ValueError):
        StaticFilesOnly().fetch(url)


def test_a_page_with_a_foreign_image_still_renders_without_it(tmp_path, settings, caplog):
    # Assigned whole, so that Django rebuilds its template engines with the extra folder.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    (tmp_path / "outside.html").write_text(
        '{% extends "pdf_base.html" %}{% block content %}<p>Still here</p>'
        '<img src="http://example.com/tracker.png" alt="">{% endblock %}'
    )
    pages = pdf_pages(render_pdf("outside.html", {}))
    assert "Still here" in pages[0] and "Page 1 of 1" in pages[0]
    assert "Only static files are read into a PDF" in caplog.text  # WeasyPrint logs the refusal
