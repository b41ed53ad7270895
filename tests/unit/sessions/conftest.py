"""Fixtures for the sessions domain specifications."""

from __future__ import annotations

import pytest

from services.sessions.domain.meetings import Meeting
from services.sessions.domain.relationships import Relationship

from .builders import make_meeting, make_pair


@pytest.fixture
def pair() -> Relationship:
    return make_pair()


@pytest.fixture
def meeting(pair: Relationship) -> Meeting:
    return make_meeting(pair)
