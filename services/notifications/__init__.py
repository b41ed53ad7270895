"""The notifier: plans reminders and nudges from other services' events and delivers them.

``incoming`` handles the events and timers of its table (``bootstrap``):
``incoming_facts`` maps ``mentoring.matches.v1`` / ``sessions.v1`` events to domain
facts, ``planner`` applies the domain's plans to the due-queue (``mapping``: documents
<-> domain objects), ``projections`` keeps contacts, relationships, schedules and admin
flags. ``dispatcher`` (``dispatch_due``, run by the worker's timer) claims due items
with a lease (``store_queue``), resolves them against ``preferences``, sends through
``senders`` (e-mail, Slack, Teams, signed webhook, inbox) once per channel
(``sending``), guarded by the ``ledger``, and retries with backoff. ``periodic`` plans
the weekly journal prompts and admin digests; ``erasure`` answers ``hr.person.erased``.
The API (bearer tokens; rules in ``deps``) serves a person their own inbox,
preferences and delivery history (``deliveries``). ``store`` is the only door to MongoDB.
"""
