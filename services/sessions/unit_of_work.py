"""The sessions unit of work: ``shared.unit_of_work.UnitOfWork`` over its store."""

from __future__ import annotations

from services.sessions.settings import SessionsSettings
from services.sessions.store import SessionsStore
from shared.unit_of_work import UnitOfWork

Work = UnitOfWork[SessionsStore, SessionsSettings]
