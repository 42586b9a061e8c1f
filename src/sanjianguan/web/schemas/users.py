"""User schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from sanjianguan.workflow_db.models import Role


class UserPublic(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    region_code: str | None
    institution_id: str | None
