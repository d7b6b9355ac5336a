"""`manage.py create_api_key --name "Salesforce nightly" --scope sync`: prints the key once."""

from django.core.management.base import BaseCommand, CommandError

from api.models import ApiKey, ApiScope


class Command(BaseCommand):
    help = "Create an integration key for the REST API and print it (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Who uses the key, e.g. 'Salesforce nightly'.")
        parser.add_argument("--scope", required=True, choices=ApiScope.values, help="sync or read")
        parser.add_argument("--quiet", action="store_true", help="Print only the key (for scripts).")

    def handle(self, *args, name, scope, quiet, **options):
        if not name.strip():
            raise CommandError("--name must not be empty.")
        api_key, raw_key = ApiKey.issue(name=name.strip(), scope=scope)
        if quiet:
            self.stdout.write(raw_key)
            return
        self.stdout.write(f"Created {scope} key “{api_key.name}”. Store it now; it is not shown again:")
        self.stdout.write(raw_key)
