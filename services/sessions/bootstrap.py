"""Sessions, declared: its store, the events it reacts to, its timers, its API.

``python -m services.sessions api|worker`` runs it (``shared.service``). Of a person
upsert sessions keeps the time zone only; departures are not in the table on purpose:
a departure ends the match, which ends the relationship through ``mentoring.matches.v1``.
"""

from services.sessions import incoming
from services.sessions.settings import SessionsSettings
from services.sessions.store import INDEXES, OUTBOX_COLLECTIONS, SessionsStore
from shared.contracts.chat import ChatActionRequested
from shared.contracts.hr import PersonErased, PersonUpserted
from shared.contracts.matching import (
    EnrollmentCreated,
    EnrollmentWithdrawn,
    MatchActivated,
    MatchEnded,
    MatchFlagged,
    MatchResumed,
    ProgramClosed,
    ProgramOpened,
    ProgramUpdated,
)
from shared.contracts.registry import CHAT_ACTIONS, ENROLLMENTS, HR_PEOPLE, MATCHES, PROGRAMS
from shared.service import ServiceDefinition, Timer

SERVICE = ServiceDefinition(
    name="sessions",
    settings=SessionsSettings,
    store=SessionsStore,
    indexes=INDEXES,
    outbox_collections=OUTBOX_COLLECTIONS,
    handlers={
        PROGRAMS: {
            ProgramOpened: incoming.on_program_opened,
            ProgramUpdated: incoming.on_program_opened,
            ProgramClosed: incoming.on_program_closed,
        },
        ENROLLMENTS: {
            EnrollmentCreated: incoming.on_enrollment_changed,
            EnrollmentWithdrawn: incoming.on_enrollment_changed,
        },
        MATCHES: {
            MatchActivated: incoming.on_match_activated,
            MatchFlagged: incoming.on_match_flagged,
            MatchResumed: incoming.on_match_resumed,
            MatchEnded: incoming.on_match_ended,
        },
        HR_PEOPLE: {
            PersonUpserted: incoming.on_person_upserted,
            PersonErased: incoming.on_person_erased,
        },
        CHAT_ACTIONS: {ChatActionRequested: incoming.on_chat_action},
    },
    timers=[Timer("sweep", "sweep_interval_s", incoming.sweep)],
    api="services.sessions.api:create_app",
)
