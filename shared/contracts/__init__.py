"""Event contracts: the envelope, the payload models and the topic registry."""

from shared.contracts import registry
from shared.contracts.envelope import CONTENT_TYPE, Envelope, EventData
from shared.contracts.registry import *  # noqa: F403  (the registry's interface is the package's)

__all__ = ["CONTENT_TYPE", "Envelope", "EventData"]
__all__ += registry.__all__
