"""Every table of the workflow store, one module per area; importing this registers them all.

Alembic's autogenerate compares `Base.metadata` with the database, so a new model module
must be imported here.
"""

from sanjianguan.db.models.audit import AuditEvent, AuditHead
from sanjianguan.db.models.clues import INITIAL_STATUS, Clue, ExpertAssignment, SourceKind
from sanjianguan.db.models.org import AuthSession, Institution, LoginAttempt, Region, RegionLevel, Role, User

__all__ = [
    "INITIAL_STATUS",
    "AuditEvent",
    "AuditHead",
    "AuthSession",
    "Clue",
    "ExpertAssignment",
    "Institution",
    "LoginAttempt",
    "Region",
    "RegionLevel",
    "Role",
    "SourceKind",
    "User",
]
