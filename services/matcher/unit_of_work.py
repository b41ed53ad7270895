"""The matcher's unit of work: ``shared.unit_of_work.UnitOfWork`` over its store."""

from __future__ import annotations

from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from shared.unit_of_work import UnitOfWork

Work = UnitOfWork[MatcherStore, MatcherSettings]
