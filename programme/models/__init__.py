"""The programme: its settings, qualification criteria and scores; reviews join in their own module."""

from programme.models.scores import (
    ACCOUNT_SCORE_TREND_DAYS,
    COMPLETENESS_REQUIRED,
    MANUAL_SCORE_STALE_DAYS,
    PORTFOLIO_SCORE_TREND_DAYS,
    SCORE_HISTORY_DAYS,
    AccountScore,
    Criterion,
    CriterionGroup,
    CriterionQuerySet,
    ManualScore,
    Quadrant,
    Recommendation,
    RecomputeRun,
    RecomputeStatus,
    RecomputeTrigger,
    ScoreMapping,
    ScoreSnapshot,
    ScoringSource,
)
from programme.models.settings import PERCENT, SCORE_RANGE, Programme, ReviewCadence

__all__ = [
    "ACCOUNT_SCORE_TREND_DAYS",
    "COMPLETENESS_REQUIRED",
    "MANUAL_SCORE_STALE_DAYS",
    "PERCENT",
    "PORTFOLIO_SCORE_TREND_DAYS",
    "SCORE_HISTORY_DAYS",
    "SCORE_RANGE",
    "AccountScore",
    "Criterion",
    "CriterionGroup",
    "CriterionQuerySet",
    "ManualScore",
    "Programme",
    "Quadrant",
    "Recommendation",
    "RecomputeRun",
    "RecomputeStatus",
    "RecomputeTrigger",
    "ReviewCadence",
    "ScoreMapping",
    "ScoreSnapshot",
    "ScoringSource",
]

# Programme reviews and the KAM team.
from programme.models.reviews import (
    AlignmentAssessment,
    AlignmentElement,
    ProgrammeReview,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewEntry,
    ReviewStatus,
)
from programme.models.team import TRAINING_NEED_AT_OR_BELOW, KamSkill, SkillsProfile, TrainingRecord

__all__ += [
    "TRAINING_NEED_AT_OR_BELOW",
    "AlignmentAssessment",
    "AlignmentElement",
    "KamSkill",
    "ProgrammeReview",
    "ReviewDecision",
    "ReviewDecisionKind",
    "ReviewEntry",
    "ReviewStatus",
    "SkillsProfile",
    "TrainingRecord",
]
