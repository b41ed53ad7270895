"""Specifications: what members are told when their relationship ends or turns."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.notifications.domain.facts import (
    MatchEnded,
    MatchResumed,
    NextSuggestion,
    SurveyRequested,
)
from services.notifications.domain.model import Channel, NotificationType
from services.notifications.domain.planning import plan_notifications
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.render import RenderContext, render_message

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


def ended(reason: str, *, told: tuple[str, ...] = ("ana", "bob"), at: datetime = NOW) -> MatchEnded:
    return MatchEnded("match-1", ("ana", "bob"), reason, at, told=told, program_id="p-1")


def test_an_ended_match_tells_each_member_why_and_withdraws_the_proposal_items() -> None:
    plan = plan_notifications(ended("ended_by_admin"), now=NOW)

    assert [(n.recipient_id, n.type, n.subject_id) for n in plan.notifications] == [
        ("ana", T.MATCH_ENDED, "match-1"),
        ("bob", T.MATCH_ENDED, "match-1"),
    ]
    assert plan.notifications[0].payload["reason_code"] == "ended_by_admin"
    assert plan.notifications[0].payload["relationship_id"] == "rel-match-1"
    assert {(w.recipient_id, w.type) for w in plan.withdrawals} == {
        (p, t) for p in ("ana", "bob") for t in (T.MATCH_PROPOSED, T.MATCH_EXPIRY_REMINDER)
    }


def test_an_end_told_twice_is_one_notice_per_member_per_match() -> None:
    later = NOW + timedelta(minutes=5)
    first = plan_notifications(ended("ended_by_member", told=("bob",)), now=NOW)
    again = plan_notifications(ended("ended_by_member", told=("bob",), at=later), now=later)

    assert [n.recipient_id for n in first.notifications] == ["bob"]
    assert first.keys == again.keys


def test_a_kept_match_tells_each_member_their_mentoring_continues() -> None:
    plan = plan_notifications(MatchResumed("match-1", ("ana", "bob"), NOW, "p-1"), now=NOW)

    assert [(n.recipient_id, n.type, n.payload["counterpart_ids"]) for n in plan.notifications] == [
        ("ana", T.MATCH_RESUMED, ("bob",)),
        ("bob", T.MATCH_RESUMED, ("ana",)),
    ]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("program_completed", "the program has come to its end"),
        ("ended_by_admin", "a program admin ended it"),
        ("flag_resolved_ended", "after reviewing a flag"),
        ("flag_resolved_rematch", "back in the pool"),
        ("ended_by_member", "the other member ended it"),
        ("enrollment_withdrawn", "enrollment in the program was withdrawn"),
        ("member_departed", "left the organisation"),
        ("expired", "it expired"),
        ("something_new", "it has come to an end"),
    ],
)
def test_the_end_message_says_why_in_plain_words(code: str, words: str) -> None:
    context = RenderContext(recipient_name="Ana", counterpart_names=("Bob",), reason_code=code)
    message = render_message(T.MATCH_ENDED, context)
    assert message.subject == "Your mentoring with Bob has ended"
    assert words in message.text and ("_" not in code or code not in message.text)


def test_the_requester_alone_is_offered_the_next_suggestion_once_per_request() -> None:
    fact = NextSuggestion("match-1", "p-1", "ana", "chen", NOW)
    later = NOW + timedelta(hours=1)
    plan = plan_notifications(fact, now=NOW)
    again = plan_notifications(NextSuggestion("match-1", "p-1", "ana", "chen", later), now=later)

    [notice] = plan.notifications
    assert (notice.recipient_id, notice.type, notice.subject_id) == (
        "ana",
        T.NEXT_SUGGESTION,
        "match-1",
    )
    assert notice.payload["counterpart_ids"] == ("chen",)
    assert notice.payload["program_id"] == "p-1"
    assert plan.keys == again.keys


def test_the_suggestion_names_the_person_or_stays_neutral() -> None:
    named = render_message(T.NEXT_SUGGESTION, RenderContext("Ana", counterpart_names=("Chen",)))
    unknown = render_message(T.NEXT_SUGGESTION, RenderContext("Ana"))

    assert "Our next suggestion for you is Chen." in named.text
    assert "another colleague who fits what you are looking for" in unknown.text
