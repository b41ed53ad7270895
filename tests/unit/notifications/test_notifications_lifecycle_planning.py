"""Specifications: what members are told when their relationship ends or turns."""

from __future__ import annotations

from datetime import timedelta

from services.notifications.domain.facts import SurveyRequested
from services.notifications.domain.model import Channel, NotificationType
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.preferences import Preferences

from .builders import NOW

T = NotificationType


def test_the_closing_survey_asks_each_member_once_per_relationship() -> None:
    first = plan_notifications(SurveyRequested("rel-1", ("ana", "bob"), NOW, "p-1"), now=NOW)
    later = NOW + timedelta(hours=3)
    again = plan_notifications(SurveyRequested("rel-1", ("ana", "bob"), later, "p-1"), now=later)

    assert [(n.recipient_id, n.type, n.subject_id) for n in first.notifications] == [
        ("ana", T.CLOSING_SURVEY_REQUEST, "rel-1"),
        ("bob", T.CLOSING_SURVEY_REQUEST, "rel-1"),
    ]
    assert first.notifications[0].payload["counterpart_ids"] == ("bob",)
    assert first.keys == again.keys  # the same request, whenever it is announced


def test_a_stale_survey_request_plans_nothing() -> None:
    stale = SurveyRequested("rel-1", ("ana",), NOW - timedelta(days=3))
    assert plan_notifications(stale, now=NOW).notifications == ()


def test_the_survey_reaches_the_inbox_besides_the_channels_a_person_chose() -> None:
    chat_only = Preferences("ana", default_channels=(Channel.SLACK,))
    assert chat_only.channels_for(T.CLOSING_SURVEY_REQUEST) == (Channel.SLACK, Channel.INBOX)
    assert chat_only.channels_for(T.MEETING_REMINDER) == (Channel.SLACK,)
