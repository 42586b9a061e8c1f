"""Every table of the workflow store, one module per area; importing this registers them all.

Alembic's autogenerate compares `Base.metadata` with the database, so a new model module
must be imported here.
"""

from sanjianguan.db.models.audit import AuditEvent, AuditHead
from sanjianguan.db.models.cases import (
    Adjudication,
    Appeal,
    CaseDecision,
    Deadline,
    EvidenceFile,
    ExpertConflict,
    ExpertProfile,
    Notice,
    PushBatch,
    Rectification,
    SamplingDraw,
    SamplingMember,
    SelfCheck,
    Verification,
    Vote,
)
from sanjianguan.db.models.clues import INITIAL_STATUS, Clue, ExpertAssignment, SourceKind
from sanjianguan.db.models.org import AuthSession, Institution, LoginAttempt, Region, RegionLevel, Role, User

__all__ = [
    "INITIAL_STATUS",
    "Adjudication",
    "Appeal",
    "AuditEvent",
    "AuditHead",
    "AuthSession",
    "CaseDecision",
    "Clue",
    "Deadline",
    "EvidenceFile",
    "ExpertAssignment",
    "ExpertConflict",
    "ExpertProfile",
    "Institution",
    "LoginAttempt",
    "Notice",
    "PushBatch",
    "Rectification",
    "Region",
    "RegionLevel",
    "Role",
    "SamplingDraw",
    "SamplingMember",
    "SelfCheck",
    "SourceKind",
    "User",
    "Verification",
    "Vote",
]
