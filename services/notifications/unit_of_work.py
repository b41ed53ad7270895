"""The notifier's unit of work: ``shared.unit_of_work.UnitOfWork`` over its store."""

from __future__ import annotations

from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.unit_of_work import UnitOfWork

Work = UnitOfWork[NotificationsStore, NotificationsSettings]
