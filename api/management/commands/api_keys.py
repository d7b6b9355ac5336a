"""Integration keys from the command line: `api_keys list`, `api_keys create --name … --scope sync`,
`api_keys revoke <prefix>`. A key is printed once, when created; only its hash is kept."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import ApiKey, ApiScope


class Command(BaseCommand):
    help = "List, create and revoke the REST API's integration keys."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,create,revoke}")
        listing = actions.add_parser(
            "list", help="every key: name, scope, prefix, created, last used, revoked"
        )
        listing.add_argument("--active", action="store_true", help="only keys not revoked")
        create = actions.add_parser("create", help="create a key and print it once")
        create.add_argument("--name", required=True, help="who uses it, e.g. 'Salesforce nightly'")
        create.add_argument("--scope", required=True, choices=ApiScope.values, help="sync or read")
        create.add_argument("--quiet", action="store_true", help="print only the key (for scripts)")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix (as `list` shows it)")
        revoke.add_argument("prefix", help="the key's first characters, e.g. kam_AbC12345")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _list(self, *, active, **options):
        keys = ApiKey.objects.active() if active else ApiKey.objects.all()
        if not keys:
            self.stdout.write(
                "No API keys. Create one with `manage.py api_keys create --name … --scope sync`."
            )
            return
        self.stdout.write(
            f"{'prefix':<13} {'scope':<5} {'created':<16} {'last used':<16} {'revoked':<16} name"
        )
        for key in keys:
            self.stdout.write(
                f"{key.prefix:<13} {key.scope:<5} {_when(key.created_at):<16} {_when(key.last_used_at):<16} "
                f"{_when(key.revoked_at):<16} {key.name}"
            )

    def _create(self, *, name, scope, quiet, **options):
        if not name.strip():
            raise CommandError("--name must not be empty.")
        api_key, raw_key = ApiKey.issue(name=name.strip(), scope=scope)
        if quiet:
            self.stdout.write(raw_key)
            return
        self.stdout.write(
            f"Created {scope} key “{api_key.name}” ({api_key.prefix}). Store it now; it is not shown again:"
        )
        self.stdout.write(raw_key)

    def _revoke(self, *, prefix, **options):
        matches = list(ApiKey.objects.filter(prefix__startswith=prefix.strip()))
        if not prefix.strip() or not matches:
            raise CommandError(f"No API key starts with {prefix!r}; `manage.py api_keys list` shows them.")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} keys start with {prefix!r}: give more of the prefix.")
        api_key = matches[0]
        if api_key.is_revoked:
            self.stdout.write(
                f"“{api_key.name}” ({api_key.prefix}) was already revoked on {_when(api_key.revoked_at)}."
            )
            return
        api_key.revoke()
        self.stdout.write(
            self.style.SUCCESS(f"Revoked “{api_key.name}” ({api_key.prefix}): it is refused from now on.")
        )


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"
