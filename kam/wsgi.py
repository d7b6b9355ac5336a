import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
# The settings give web requests, and only them, a statement timeout (KAM_WEB_STATEMENT_TIMEOUT)
# and no JIT (KAM_WEB_JIT).
os.environ["KAM_PROCESS"] = "web"
application = get_wsgi_application()
