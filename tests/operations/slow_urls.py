"""Pages and API endpoints for the PostgreSQL tests: a query that outlasts a short statement timeout,
and the jit setting of the request's connection."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


def _slow_query():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 100")
        cursor.execute("SELECT pg_sleep(3)")


def slow_page(request):
    _slow_query()
    return HttpResponse("done")


@api_view(["GET"])
@permission_classes([AllowAny])
def slow_api(request):
    _slow_query()
    return Response({"done": True})


def _jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        return cursor.fetchone()[0]


def jit_page(request):
    return HttpResponse(_jit())


@api_view(["GET"])
@permission_classes([AllowAny])
def jit_api(request):
    return Response({"jit": _jit()})


urlpatterns = [
    path("slow/", slow_page),
    path("api/slow/", slow_api),
    path("jit/", jit_page),
    path("api/jit/", jit_api),
    path("", include("kam.urls")),
]
