"""The notifier, declared: its store, the events it reacts to, its timers, its API.

``python -m services.notifications api|worker|dispatcher`` runs it (``shared.service``):
the worker plans from the events, the dispatcher delivers what falls due.
"""

from services.notifications import incoming
from services.notifications.settings import NotificationsSettings
from services.notifications.store import INDEXES, OUTBOX_COLLECTIONS, NotificationsStore
from shared.contracts.registry import HR_PEOPLE, MATCHES, PROGRAMS, SESSIONS
from shared.service import ServiceDefinition, Timer

SERVICE = ServiceDefinition(
    name="notifications",
    settings=NotificationsSettings,
    store=NotificationsStore,
    indexes=INDEXES,
    outbox_collections=OUTBOX_COLLECTIONS,
    handlers={
        HR_PEOPLE: incoming.on_people_events,
        MATCHES: incoming.plan,
        SESSIONS: incoming.plan_and_alert_admins,
        PROGRAMS: incoming.plan_and_alert_admins,
    },
    timers=[Timer("plan_weekly", "periodic_interval_s", incoming.plan_weekly)],
    # Delivery (SMTP, webhooks: slow, remote) in its own process, off the planner's loop.
    timer_roles={"dispatcher": [Timer("dispatch", "dispatch_interval_s", incoming.DispatchDue())]},
    api="services.notifications.api:create_app",
)
