"""Plan rules a template shows, asked of the model rather than written again in template logic."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def is_overdue(action, today=None) -> bool:
    """PlanAction.is_overdue: still open (open or in progress) and past its due date."""
    return action.is_overdue(today or timezone.localdate())
