"""The account list's search, filters and sort order (django-filter)."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, LifecycleStatus, User


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sort by figures with accounts that have none at the end, whichever the direction."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


class AccountFilter(django_filters.FilterSet):
    """Search and filters of an account list; the page that shows it adds its sort orders."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LifecycleStatus.choices)
    kam = django_filters.ModelChoiceFilter(label=_("KAM"), queryset=User.objects.none())
    executive_sponsor = django_filters.ModelChoiceFilter(label=_("Sponsor"), queryset=User.objects.none())
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=[])
    country = django_filters.ChoiceFilter(label=_("Country"), choices=[])

    class Meta:
        model = Account
        fields = ["q", "status", "kam", "executive_sponsor", "industry", "country"]

    def __init__(self, *args, kams, sponsors, industries, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kam"].queryset = kams
        self.filters["executive_sponsor"].queryset = sponsors
        self.filters["industry"].extra["choices"] = [(name, name) for name in industries]
        self.filters["country"].extra["choices"] = countries

    def search(self, queryset, _name, value):
        # icontains is UPPER(name) LIKE UPPER('%…%') on PostgreSQL: the trigram index on UPPER(name)
        # (accounts/migrations, PostgreSQL only) serves it; the CRM id is an exact match on its index.
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(external_id=value)) if value else queryset
