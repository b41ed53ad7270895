"""The notifier, declared: its store, the events it reacts to, its timers, its API.

``python -m services.notifications api|worker`` runs it (``shared.service``).
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
        SESSIONS: incoming.plan,
        PROGRAMS: incoming.plan,
    },
    timers=[
        Timer("dispatch", "dispatch_interval_s", incoming.DispatchDue()),
        Timer("plan_weekly", "periodic_interval_s", incoming.plan_weekly),
    ],
    api="services.notifications.api:create_app",
)
