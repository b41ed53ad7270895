"""Plumbing every service shares: contracts, Kafka, MongoDB, outbox, settings, logs, metrics.

Public modules: ``shared.contracts`` (events, topics, shared identifiers),
``shared.unit_of_work`` (what a request or a batch acts with), ``shared.service`` (a
service declared once, its handler table, the entry point), ``shared.worker`` (the
worker process built from the table), ``shared.http`` (the API factory and the request's
unit of work), ``shared.runtime``, ``shared.kafka``, ``shared.mongo``, ``shared.outbox``,
``shared.audit``, ``shared.side_by_side`` (independent awaits at once), ``shared.errors``,
``shared.local_time``, ``shared.settings``, ``shared.auth``, ``shared.logging``,
``shared.metrics``. Domain rules never live here.
"""
