"""The matcher, declared: its store, the events it reacts to (HR's people; sessions'
relationships ended early by a member; matches answered from chat), its timers, its API.

``python -m services.matcher api|worker|import-people`` runs it (``shared.service``).
"""

from services.matcher import incoming
from services.matcher.settings import MatcherSettings
from services.matcher.store import INDEXES, OUTBOX_COLLECTIONS, MatcherStore
from shared.contracts.chat import ChatActionRequested
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.registry import CHAT_ACTIONS, HR_PEOPLE, SESSIONS
from shared.contracts.sessions import RelationshipEnded
from shared.service import ServiceDefinition, Timer

SERVICE = ServiceDefinition(
    name="matcher",
    settings=MatcherSettings,
    store=MatcherStore,
    indexes=INDEXES,
    outbox_collections=OUTBOX_COLLECTIONS,
    handlers={
        HR_PEOPLE: {
            PersonUpserted: incoming.on_person_upserted,
            PersonDeparted: incoming.on_person_departed,
            PersonErased: incoming.on_person_erased,
        },
        SESSIONS: {RelationshipEnded: incoming.on_relationship_ended},
        CHAT_ACTIONS: {ChatActionRequested: incoming.on_chat_action},
    },
    timers=[Timer("expire_proposals", 30.0, incoming.expire_unanswered_proposals)],
    api="services.matcher.api:create_app",
    commands={"import-people": "services.matcher.cli:main"},
)
