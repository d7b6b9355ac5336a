"""Fewer indexes on accounts: each one is written by every account a sync creates, and kept only where
a query reads it. What stays, and what reads it (EXPLAIN on PostgreSQL at 20,000 accounts):

- `accounts_account_pkey` (id): every lookup of an account, and the API's pages (ordered by id).
- `accounts_account_external_id_key` (unique external_id): the sync's lookup of a batch by CRM id, its
  ON CONFLICT, and the account list's search by exact CRM id.
- `accounts_ac_kam_id_a686bb_idx` (kam_id, status): My accounts and the KAM filter (kam_id = …), a
  KAM's key accounts (kam_id = … AND status = 'key'); also what deleting a user checks.
- `accounts_account_executive_sponsor_id_…` (the foreign key's own): the sponsor's home, the sponsor
  filter, the sponsor load page.
- `accounts_account_status_…` (status): key accounts (status = 'key', a few hundred among 100,000),
  the status filter.
- `accounts_account_industry_…`, `accounts_account_country_…`: the account list's and the API's
  industry and country filters (equality), the industry choices (DISTINCT industry in order).
- `accounts_account_updated_at_…`: the API's incremental reads (updated_since).

Dropped:

- `accounts_ac_executi_f20dc7_idx` (executive_sponsor_id): the very same index as the foreign key's own.
- `accounts_account_kam_id_…` (kam_id): every query by KAM is served by (kam_id, status), whose first
  column it is.
- `…_like` copies (varchar_pattern_ops) of external_id, status, industry and country: they serve only
  LIKE 'prefix%'; the search is a contains on the name (not prefixed, no use of them) and an equality on
  the CRM id, and the filters are equalities, which the plain indexes serve.
- On the account history: the indexes on external_id, status, industry, country, kam and executive
  sponsor (and their `_like` copies). History is read per account (id) and by date, never by them.
"""

import django.db.models.deletion
import kam.core.currencies
from django.conf import settings
from django.db import migrations, models


def drop_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the _like copies exist on PostgreSQL only
    table = "accounts_account"
    for column in LIKE_COLUMNS:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = "accounts_account"
    for column in LIKE_COLUMNS:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} ({column} varchar_pattern_ops)"
        )


LIKE_COLUMNS = ("external_id", "status", "industry", "country")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0014_plan_action_shared_with_customer'),
    ]

    operations = [
        migrations.RunPython(drop_pattern_indexes, restore_pattern_indexes),
        migrations.RemoveIndex(
            model_name='account',
            name='accounts_ac_executi_f20dc7_idx',
        ),
        migrations.AlterField(
            model_name='account',
            name='kam',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='managed_accounts', to=settings.AUTH_USER_MODEL, verbose_name='key account manager'),
        ),
        migrations.AlterField(
            model_name='historicalaccount',
            name='country',
            field=models.CharField(blank=True, max_length=2, validators=[kam.core.currencies.validate_country], verbose_name='country'),
        ),
        migrations.AlterField(
            model_name='historicalaccount',
            name='executive_sponsor',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='executive sponsor'),
        ),
        migrations.AlterField(
            model_name='historicalaccount',
            name='external_id',
            field=models.CharField(blank=True, help_text="The customer's id in the CRM that syncs it.", max_length=100, null=True, verbose_name='CRM id'),
        ),
        migrations.AlterField(
            model_name='historicalaccount',
            name='industry',
            field=models.CharField(blank=True, max_length=100, verbose_name='industry'),
        ),
        migrations.AlterField(
            model_name='historicalaccount',
            name='kam',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='key account manager'),
        ),
        migrations.AlterField(
            model_name='historicalaccount',
            name='status',
            field=models.CharField(choices=[('candidate', 'Candidate'), ('key', 'Key account'), ('exited', 'Exited')], default='candidate', max_length=10, verbose_name='lifecycle status'),
        ),
    ]
