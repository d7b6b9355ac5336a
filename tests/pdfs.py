"""Reading a PDF the way a person would: its pages and the words on them (pypdf)."""

import io
import re

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, whitespace folded so that a phrase broken over lines still matches."""
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def pdf_font_names(content: bytes) -> set[str]:
    """The fonts embedded in the document, without their subset prefix (`ABCDEF+Vazirmatn`)."""
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names
