"""Logging in, locking out after repeated failures, and resetting a forgotten password by e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_lands_on_the_accounts_the_user_may_see(client):
    UserFactory(username="magda")
    response = client.post(
        reverse("login"), {"username": "magda", "password": "secret-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:list")


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="magda")
    response = client.post(reverse("login"), {"username": "magda", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode().lower()


def test_repeated_failed_logins_lock_the_user_out_even_with_the_right_password(client, settings):
    UserFactory(username="magda")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "magda", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "magda", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(username="magda", email="magda@kam.example")
    client.post(reverse("password_reset"), {"email": "magda@kam.example"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    path = link[link.index("/reset/") :]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-Pass-4477", "new_password2": "a-new-Pass-4477"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-Pass-4477")


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    client.post(reverse("logout"))
    assert client.get(reverse("accounts:list")).status_code == 302
