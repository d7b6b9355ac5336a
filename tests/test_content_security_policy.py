"""Pages answer with a Content-Security-Policy that allows no inline code, and carry none to refuse."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Pages with htmx, inline SVG, the print button and the criteria's inline forms.
PAGES = ["home", "accounts:list", "accounts:my_accounts", "programme:criteria", "login"]


def _policy(response) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in response["Content-Security-Policy"].split(";"))
    }


@pytest.mark.parametrize("name", PAGES)
def test_pages_answer_with_a_policy_that_refuses_inline_code_and_carry_none(name, as_role, account):
    response = as_role("champion").get(reverse(name), follow=True)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.findall(r"<style\b", html), "inline <style>"
    assert not re.findall(r"\s(?:on[a-z]+|style)=", html), "inline event handler or style attribute"


def test_the_login_page_has_the_policy_for_strangers_too(client):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_the_api_docs_load_their_script_from_this_site(client):
    page = client.get("/api/docs/")
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode())
    assert "SwaggerUIBundle" in client.get("/api/docs/?script").content.decode()
