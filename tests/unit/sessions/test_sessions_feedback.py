from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.sessions.domain.errors import IllegalTransition, InvalidInput
from services.sessions.domain.feedback import (
    Feedback,
    FeedbackSharing,
    feedback_visible_to,
    submit_feedback,
)
from services.sessions.domain.meetings import Meeting, complete_meeting
from services.sessions.domain.relationships import (
    Member,
    MemberRole,
    Relationship,
    RelationshipKind,
    start_relationship,
)
from services.sessions.domain.time_log import log_time_spent, total_minutes

from .builders import NOW, make_meeting


@pytest.fixture
def held(meeting: Meeting) -> Meeting:
    return complete_meeting(
        meeting, now=meeting.starts_at + timedelta(hours=1), attended_ids={"p-mentor", "p-mentee"}
    ).state


def _submit(meeting: Meeting, existing: list[Feedback], author: str, rating: int) -> Feedback:
    return submit_feedback(
        meeting,
        existing,
        author_id=author,
        rating=rating,
        was_useful=rating >= 3,
        comment=f"comment by {author}",
        now=meeting.ends_at + timedelta(hours=1),
    ).state


def test_feedback_stays_hidden_until_both_sides_submitted(held: Meeting) -> None:
    mentor_fb = _submit(held, [], "p-mentor", 4)
    visible = feedback_visible_to(
        held, [mentor_fb], viewer_id="p-mentee", sharing=FeedbackSharing.AFTER_ALL_SUBMITTED
    )
    assert visible == []
    mentee_fb = _submit(held, [mentor_fb], "p-mentee", 5)
    visible = feedback_visible_to(
        held,
        [mentor_fb, mentee_fb],
        viewer_id="p-mentee",
        sharing=FeedbackSharing.AFTER_ALL_SUBMITTED,
    )
    assert [f.author_id for f in visible] == ["p-mentee", "p-mentor"]


def test_author_always_sees_their_own_feedback(held: Meeting) -> None:
    mentor_fb = _submit(held, [], "p-mentor", 2)
    visible = feedback_visible_to(
        held, [mentor_fb], viewer_id="p-mentor", sharing=FeedbackSharing.AFTER_ALL_SUBMITTED
    )
    assert visible == [mentor_fb]


def test_feedback_is_never_shared_when_the_program_says_so(held: Meeting) -> None:
    mentor_fb = _submit(held, [], "p-mentor", 4)
    mentee_fb = _submit(held, [mentor_fb], "p-mentee", 5)
    visible = feedback_visible_to(
        held, [mentor_fb, mentee_fb], viewer_id="p-mentee", sharing=FeedbackSharing.NEVER
    )
    assert visible == [mentee_fb]


def test_feedback_is_only_for_completed_meetings(meeting: Meeting) -> None:
    with pytest.raises(IllegalTransition, match="completed meetings"):
        _submit(meeting, [], "p-mentor", 4)


def test_rating_must_be_between_one_and_five(held: Meeting) -> None:
    for rating in (0, 6):
        with pytest.raises(InvalidInput, match="1 to 5"):
            _submit(held, [], "p-mentor", rating)


def test_a_member_submits_feedback_only_once(held: Meeting) -> None:
    first = _submit(held, [], "p-mentor", 4)
    with pytest.raises(IllegalTransition, match="already submitted"):
        _submit(held, [first], "p-mentor", 5)


def test_feedback_event_carries_neither_rating_nor_text(held: Meeting) -> None:
    first = _submit(held, [], "p-mentor", 4)
    outcome = submit_feedback(
        held, [first], author_id="p-mentee", rating=1, was_useful=False, comment="SECRET", now=NOW
    )
    [event] = outcome.events
    assert event.type == "feedback.submitted"
    assert set(event.data) == {
        "meeting_id",
        "relationship_id",
        "program_id",
        "author_id",
        "all_submitted",
    }
    assert event.data["all_submitted"] is True


def test_time_spent_is_logged_in_minutes_per_member(pair: Relationship) -> None:
    logs = [
        log_time_spent(
            pair, log_id="t1", person_id="p-mentor", minutes=45, spent_on=date(2026, 3, 2), now=NOW
        ).state,
        log_time_spent(
            pair, log_id="t2", person_id="p-mentee", minutes=30, spent_on=date(2026, 3, 2), now=NOW
        ).state,
        log_time_spent(
            pair, log_id="t3", person_id="p-mentor", minutes=15, spent_on=date(2026, 3, 1), now=NOW
        ).state,
    ]
    assert total_minutes(logs) == 90
    assert total_minutes(logs, person_id="p-mentor") == 60
    with pytest.raises(InvalidInput):
        log_time_spent(
            pair, log_id="t4", person_id="p-mentor", minutes=0, spent_on=date(2026, 3, 2), now=NOW
        )


def test_in_a_circle_feedback_is_revealed_once_every_attendee_submitted() -> None:
    circle = start_relationship(
        relationship_id="circle",
        program_id="prog-1",
        match_id="match-c",
        kind=RelationshipKind.PEER_GROUP,
        members=[Member("f", MemberRole.FACILITATOR)]
        + [Member(p, MemberRole.PARTICIPANT) for p in ("a", "b", "c")],
        started_on=date(2026, 3, 1),
        planned_end_on=date(2026, 9, 1),
        cadence_days=14,
        now=NOW,
    ).state
    scheduled = make_meeting(circle)
    held = complete_meeting(
        scheduled, now=scheduled.ends_at, attended_ids={"f", "a", "b"}
    ).state  # c was away
    fb: list[Feedback] = []
    for author in ("f", "a"):
        fb.append(_submit(held, fb, author, 4))
    sharing = FeedbackSharing.AFTER_ALL_SUBMITTED
    assert [f.author_id for f in feedback_visible_to(held, fb, viewer_id="a", sharing=sharing)] == [
        "a"
    ]
    fb.append(_submit(held, fb, "b", 5))
    assert len(feedback_visible_to(held, fb, viewer_id="a", sharing=sharing)) == 3
    assert feedback_visible_to(held, fb, viewer_id="c", sharing=sharing) != []
