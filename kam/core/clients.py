"""Who the client is behind trusted proxies: the one place the real address is worked out.

With KAM_TRUSTED_PROXIES = n > 0, the n-th address from the right of X-Forwarded-For is the client
(each trusted proxy appends the address that connected to it; anything further left may be forged).
The middleware writes it into REMOTE_ADDR, so the login lockout (django-axes), rate limits and logs
all see the same client. With 0, X-Forwarded-For is ignored: anyone could send one."""

from __future__ import annotations

from django.conf import settings


def forwarded_client(forwarded_for: str, *, trusted_proxies: int) -> str | None:
    addresses = [address.strip() for address in forwarded_for.split(",") if address.strip()]
    if trusted_proxies <= 0 or not addresses:
        return None
    return addresses[-trusted_proxies] if len(addresses) >= trusted_proxies else addresses[0]


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        client = forwarded_client(
            request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted_proxies=settings.KAM_TRUSTED_PROXIES
        )
        if client:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def client_address(request) -> str | None:
    """The client's address as the middleware left it (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return request.META.get("REMOTE_ADDR")
