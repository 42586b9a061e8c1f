"""Every table of the workflow store, one module per area; importing this registers them all.

Alembic's autogenerate compares `Base.metadata` with the database, so a new model module
must be imported here.
"""

from sanjianguan.workflow_db.models.accountability import AccountabilityEvent, AccountabilityProposal
from sanjianguan.workflow_db.models.audit import AuditEvent, AuditHead
from sanjianguan.workflow_db.models.calendar import CalendarDay, CalendarYear
from sanjianguan.workflow_db.models.cases import (
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
from sanjianguan.workflow_db.models.clues import INITIAL_STATUS, Clue, ClueAlias, ExpertAssignment, SourceKind
from sanjianguan.workflow_db.models.jointwork import (
    Campaign,
    CampaignInstitution,
    CampaignPhase,
    CampaignRecord,
    InspectionInspector,
    InspectionPlan,
    InspectionVisit,
    InspectorConflict,
    Referral,
)
from sanjianguan.workflow_db.models.org import (
    AuthSession,
    Institution,
    LoginAttempt,
    Region,
    RegionLevel,
    Role,
    User,
)
from sanjianguan.workflow_db.models.points import (
    PointAppeal,
    PointDisclosure,
    PointMonthlyReturn,
    PointRecord,
)

__all__ = [
    "INITIAL_STATUS",
    "AccountabilityEvent",
    "AccountabilityProposal",
    "Adjudication",
    "Appeal",
    "AuditEvent",
    "AuditHead",
    "AuthSession",
    "CalendarDay",
    "CalendarYear",
    "Campaign",
    "CampaignInstitution",
    "CampaignPhase",
    "CampaignRecord",
    "CaseDecision",
    "Clue",
    "ClueAlias",
    "Deadline",
    "EvidenceFile",
    "ExpertAssignment",
    "ExpertConflict",
    "ExpertProfile",
    "InspectionInspector",
    "InspectionPlan",
    "InspectionVisit",
    "InspectorConflict",
    "Institution",
    "LoginAttempt",
    "Notice",
    "PointAppeal",
    "PointDisclosure",
    "PointMonthlyReturn",
    "PointRecord",
    "PushBatch",
    "Rectification",
    "Referral",
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
