"""Reached directly, on plain http, or behind proxies: cookies, X-Forwarded-* and the login lockout."""

import pytest
from django.urls import reverse

from kam.core.clients import forwarded_client
from tests.factories import UserFactory
from tests.operations.environment import PRODUCTION, settings_in


def test_production_sends_cookies_over_https_only_by_default():
    code, output = settings_in("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", **PRODUCTION)
    assert (code, output) == (0, "True True")


def test_a_plain_http_intranet_turns_secure_cookies_off_explicitly():
    intranet = {
        **PRODUCTION,
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "KAM_BASE_URL": "http://kam.intranet:8000",
    }
    code, output = settings_in(
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", **intranet
    )
    assert (code, output) == (0, "False False False")


def test_x_forwarded_proto_is_ignored_unless_proxies_are_trusted():
    assert settings_in("SECURE_PROXY_SSL_HEADER", **PRODUCTION) == (0, "None")
    behind_tls = {**PRODUCTION, "KAM_TRUSTED_PROXIES": "1"}
    assert settings_in("SECURE_PROXY_SSL_HEADER", **behind_tls) == (0, "('HTTP_X_FORWARDED_PROTO', 'https')")


def test_trusted_origins_come_from_the_environment():
    origins = {
        **PRODUCTION,
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kam.example.com, https://kam.example.org",
    }
    assert settings_in("CSRF_TRUSTED_ORIGINS", **origins) == (
        0,
        "['https://kam.example.com', 'https://kam.example.org']",
    )


def _fail_logins(client, settings, *, forwarded_for: str):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "magda", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )


@pytest.mark.django_db
def test_behind_a_proxy_one_guessing_client_does_not_lock_the_user_out_for_everyone(client, settings):
    settings.KAM_TRUSTED_PROXIES = 1
    UserFactory(username="magda")
    _fail_logins(client, settings, forwarded_for="203.0.113.9")
    response = client.post(
        reverse("login"),
        {"username": "magda", "password": "secret-pass-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302  # Magda, from her own machine, logs in


@pytest.mark.django_db
def test_behind_a_proxy_the_guessing_client_is_locked_out(client, settings):
    settings.KAM_TRUSTED_PROXIES = 1
    UserFactory(username="magda")
    _fail_logins(client, settings, forwarded_for="203.0.113.9")
    response = client.post(
        reverse("login"),
        {"username": "magda", "password": "secret-pass-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_reached_directly_a_forged_forwarded_for_does_not_dodge_the_lockout(client, settings):
    settings.KAM_TRUSTED_PROXIES = 0
    UserFactory(username="magda")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "magda", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        reverse("login"),
        {"username": "magda", "password": "secret-pass-123"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


def test_only_the_addresses_the_trusted_proxies_added_are_believed():
    assert forwarded_client("6.6.6.6, 203.0.113.9", trusted_proxies=1) == "203.0.113.9"
    assert forwarded_client("6.6.6.6, 203.0.113.9, 10.0.0.1", trusted_proxies=2) == "203.0.113.9"
    assert forwarded_client("203.0.113.9", trusted_proxies=0) is None
