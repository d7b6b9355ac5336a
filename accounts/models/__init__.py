"""The account domain: customers, their people, our contacts with them, their figures and plans.

Names follow ../shared/DOMAIN.md. Money is Decimal with its currency beside it, never float.
One module per part of the domain; everything is re-exported here so `accounts.models.X` keeps working.
"""

from .account import Account, AccountQuerySet, AccountTeamMember, LifecycleChange, LifecycleStatus
from .fields import MONEY
from .financials import ExchangeRate, FinancialPeriod, FinancialPeriodQuerySet
from .people import TeamFunction, User
from .plans import (
    OPEN_ACTION_STATUSES,
    PLAN_FRESHNESS_DAYS,
    AccountPlan,
    AccountPlanQuerySet,
    ActionStatus,
    BuyingCentre,
    Offering,
    OpportunityCell,
    OpportunityStatus,
    PlanAction,
    PlanActionQuerySet,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    PlanStatusChange,
    ResourceRequest,
    ResourceRequestQuerySet,
    ResourceRequestStatus,
    RiskLevel,
    Strategy,
)
from .stakeholders import (
    DECIDING_ROLES,
    Attitude,
    BuyingRole,
    Interaction,
    InteractionKind,
    RelationshipStrength,
    Stakeholder,
    StakeholderQuerySet,
)

__all__ = [
    "DECIDING_ROLES",
    "MONEY",
    "OPEN_ACTION_STATUSES",
    "PLAN_FRESHNESS_DAYS",
    "Account",
    "AccountPlan",
    "AccountPlanQuerySet",
    "AccountQuerySet",
    "AccountTeamMember",
    "ActionStatus",
    "Attitude",
    "BuyingCentre",
    "BuyingRole",
    "ExchangeRate",
    "FinancialPeriod",
    "FinancialPeriodQuerySet",
    "Interaction",
    "InteractionKind",
    "LifecycleChange",
    "LifecycleStatus",
    "Offering",
    "OpportunityCell",
    "OpportunityStatus",
    "PlanAction",
    "PlanActionQuerySet",
    "PlanObjective",
    "PlanRisk",
    "PlanStatus",
    "PlanStatusChange",
    "RelationshipStrength",
    "ResourceRequest",
    "ResourceRequestQuerySet",
    "ResourceRequestStatus",
    "RiskLevel",
    "Stakeholder",
    "StakeholderQuerySet",
    "Strategy",
    "TeamFunction",
    "User",
]
