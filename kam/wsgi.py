import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
# The settings give web requests, and only them, a statement timeout (KAM_WEB_STATEMENT_TIMEOUT)
# and no JIT (KAM_WEB_JIT).
os.environ["KAM_PROCESS"] = "web"
application = get_wsgi_application()
# Import every view (and WeasyPrint with them: a second or more) as the worker starts, so that its
# first request, often a sync batch, does not wait for them.
get_resolver().url_patterns  # noqa: B018
# What is loaded by now lives as long as the worker: keep it out of the garbage collector's full
# passes, each of which would otherwise walk every object of every module (tens of milliseconds).
gc.freeze()
