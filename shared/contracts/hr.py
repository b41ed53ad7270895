"""Inbound HR feed (``hr.people.v1``), published by the organisation's HR system.

This is the one topic that carries personal data (names, e-mail, chat ids): it is
how the matcher and the notifier, the only holders of contact details, learn them.
Every event this project publishes carries opaque ids only.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import EventData

PersonId = str


class Skill(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    proficiency: int = Field(ge=1, le=5)


class PersonUpserted(EventData):
    """A person was hired or changed (manager, department, level, contact details...)."""

    event_type = "hr.person.upserted"

    person_id: PersonId = Field(min_length=1, max_length=100)
    display_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    title: str = ""
    level: int = Field(ge=0, le=30, description="Seniority grade; higher is more senior.")
    department: str = ""
    business_unit: str = ""
    location: str = ""
    time_zone: str = "UTC"
    languages: tuple[str, ...] = ()
    manager_id: PersonId | None = None
    hire_date: date | None = None
    skills: tuple[Skill, ...] = ()
    interests: tuple[str, ...] = ()
    slack_user_id: str | None = None
    teams_user_id: str | None = None


class PersonDeparted(EventData):
    """A person left the organisation; their live matches end."""

    event_type = "hr.person.departed"

    person_id: PersonId = Field(min_length=1, max_length=100)
    departed_on: date


class PersonErased(EventData):
    """Right to erasure: every service deletes or anonymises this person's data."""

    event_type = "hr.person.erased"

    person_id: PersonId = Field(min_length=1, max_length=100)
