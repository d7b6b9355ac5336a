"""E-mail from the environment: where it goes, that production says so at start, and its budget."""

import pytest
from django.core import mail
from django.urls import reverse

from kam.settings import parse_email_url
from tests.factories import UserFactory
from tests.operations.environment import PRODUCTION, settings_in


def test_an_email_url_gives_host_port_user_password_and_starttls():
    assert parse_email_url("smtp://kam%40acme:p%2Fss@mail.acme.example:587") == {
        "host": "mail.acme.example",
        "port": 587,
        "user": "kam@acme",
        "password": "p/ss",
        "use_tls": True,
        "use_ssl": False,
    }


def test_smtps_means_tls_from_the_start_and_plain_smtp_on_port_25_no_tls():
    assert parse_email_url("smtps://u:p@mail.example")["port"] == 465
    assert parse_email_url("smtps://u:p@mail.example")["use_ssl"] is True
    assert parse_email_url("smtp://relay.internal")["use_tls"] is False
    assert parse_email_url("smtp://relay.internal")["port"] == 25


def test_production_starts_with_an_email_url():
    code, output = settings_in(**PRODUCTION)
    assert code == 0, output
    assert "smtp.EmailBackend" in output


def test_production_refuses_to_start_without_a_mail_server():
    code, output = settings_in(**{**PRODUCTION, "EMAIL_URL": ""})
    assert code != 0
    assert "Set EMAIL_URL" in output


def test_production_keeps_mail_in_the_log_only_when_asked_by_name():
    console = "django.core.mail.backends.console.EmailBackend"
    code, output = settings_in(**{**PRODUCTION, "EMAIL_URL": "", "EMAIL_BACKEND": console})
    assert code == 0, output
    assert console in output


def test_production_refuses_to_start_without_a_base_url():
    code, output = settings_in(**{**PRODUCTION, "KAM_BASE_URL": ""})
    assert code != 0
    assert "KAM_BASE_URL must be set in production" in output


@pytest.mark.django_db
def test_password_reset_link_points_to_the_base_url_not_the_requests_host(client, settings):
    settings.KAM_BASE_URL = "https://kam.example.com"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    UserFactory(email="magda@kam.example")
    client.post(reverse("password_reset"), {"email": "magda@kam.example"}, HTTP_HOST="evil.example")
    assert "https://kam.example.com/reset/" in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].body


@pytest.mark.django_db
def test_password_reset_sends_at_most_three_emails_an_hour_to_one_address(client):
    UserFactory(email="magda@kam.example")
    for n in range(20):  # from twenty machines, so only the address's budget counts
        response = client.post(
            reverse("password_reset"), {"email": "magda@kam.example"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 302  # the same answer every time: nothing is told
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_one_client_asking_for_many_addresses_is_told_to_wait(client):
    answers = [
        client.post(reverse("password_reset"), {"email": f"someone{n}@kam.example"}).status_code
        for n in range(12)
    ]
    assert answers == [302] * 10 + [429] * 2
    response = client.post(reverse("password_reset"), {"email": "late@kam.example"})
    assert "try again in an hour" in response.content.decode()
