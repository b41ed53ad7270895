"""The refusals the sessions domain raises: ``shared.errors``, re-exported here.

``shared.http`` maps them for the API: ``IllegalTransition`` 409, ``InvalidInput`` and
``NotAMember`` 422.
"""

from __future__ import annotations

from shared.errors import DomainError, IllegalTransition, InvalidInput, NotAMember

__all__ = ["DomainError", "IllegalTransition", "InvalidInput", "NotAMember"]
