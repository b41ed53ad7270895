"""Safety alerts (the service side of ``domain/safety_planning``): a concern reported in
the matcher, or a low pulse flagged by sessions, becomes one notice for every admin of
the program (the admins the notifier tracks from ``mentoring.programs.v1``, as for the
digests), queued like any other notification: idempotent on replay, by key."""

from __future__ import annotations

from collections.abc import Sequence

from services.notifications.domain.model import NotificationType
from services.notifications.domain.safety_planning import SafetyAlert, plan_safety_alert
from services.notifications.planner import apply_plans
from services.notifications.unit_of_work import Work
from shared.contracts.matching import ConcernReported
from shared.contracts.registry import ParsedEvent
from shared.contracts.sessions import PulseFlagged


def safety_alert(event: ParsedEvent) -> SafetyAlert | None:
    """The alert an event raises, if any."""
    data, at = event.data, event.envelope.time
    if isinstance(data, ConcernReported):
        return SafetyAlert(NotificationType.CONCERN_REPORTED, data.concern_id, data.program_id, at)
    if isinstance(data, PulseFlagged):
        subject = data.relationship_id
        return SafetyAlert(NotificationType.PULSE_FLAGGED, subject, data.program_id, at)
    return None


async def alert_admins(uow: Work, events: Sequence[ParsedEvent]) -> int:
    """Queue each alert of the batch for every admin of its program; how many were new."""
    alerts = [alert for event in events if (alert := safety_alert(event)) is not None]
    if not alerts:
        return 0
    admins = await uow.store.program_admins(sorted({a.program_id for a in alerts}))
    policy = uow.settings.planning_policy()
    plans = [
        plan_safety_alert(a, admins.get(a.program_id, ()), now=uow.now, policy=policy)
        for a in alerts
    ]
    return await apply_plans(uow, [(plan, None) for plan in plans])
