"""Plumbing every service shares: contracts, Kafka, MongoDB, outbox, settings, logs, metrics.

Public modules: ``shared.contracts`` (events and topics), ``shared.kafka`` (admin,
producer, consumer, worker), ``shared.mongo``, ``shared.outbox``, ``shared.runtime``,
``shared.http``, ``shared.settings``, ``shared.logging``, ``shared.metrics``.
Domain rules never live here.
"""
