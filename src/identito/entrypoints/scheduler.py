"""The scheduler inside ``identito serve``: a daemon thread per process.

It is started by the application's lifespan when ``IDENTITO_SCHEDULER_ENABLED`` is
set (``identito serve`` sets it unless ``--no-scheduler``). Each wake-up calls
``services.scheduler.scheduler_tick`` (verification, when INSi is configured) then
``services.scheduler.outbox_tick`` (HL7 propagation, when ``IDENTITO_HL7_RECEIVERS``
is set), then ``services.scheduler.duplicates_tick`` (the duplicate scan, when due);
each does nothing unless this process takes its database lease.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from identito.bootstrap import Container, build_hl7_receivers
from identito.domain.permissions import Actor, Role, role_permissions
from identito.messages.hl7v2 import propagation_messages
from identito.services.scheduler import (
    OutboxTickReport,
    duplicates_tick,
    outbox_tick,
    scheduler_tick,
)
from identito.services.verification_campaigns import RunOptions

logger = logging.getLogger(__name__)
SCHEDULER_ACTOR = Actor("système:planificateur", Role.ADMIN, role_permissions(Role.ADMIN))


class Scheduler:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.receivers = build_hl7_receivers(container.settings)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="identito-scheduler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)

    def tick(self) -> tuple[Any, Any]:
        """One wake-up: the verification tick, then the propagation tick."""
        return self.verification_tick(), self.outbox_tick()

    def outbox_tick(self) -> OutboxTickReport | None:
        """Send the queued A47/A31/A40/A28 to the receivers (``identito outbox send``)."""
        if not self.receivers:
            return None
        return outbox_tick(
            holder=self.holder,
            lease_seconds=self.container.settings.scheduler_lease_seconds,
            uow=self.container.uow_factory(),  # type: ignore[arg-type]  # SQL uow has an outbox
            actor=SCHEDULER_ACTOR,
            rules=self.container.rules,
            receivers=self.receivers,
            build=propagation_messages,
        )

    def duplicates_tick(self) -> Any:
        """The duplicate scan when it is due (``duplicate_scan_interval_hours``).

        One process: the scheduler is a thread of ``identito serve``, and forking
        a multi-threaded server is unsafe (locks held by other threads).
        """
        from identito.services.duplicate_scan import scan_pairs

        return duplicates_tick(
            holder=self.holder,
            uow_factory=self.container.uow_factory,
            actor=SCHEDULER_ACTOR,
            rules=self.container.rules,
            scan=functools.partial(scan_pairs, workers=1),
        )

    def verification_tick(self) -> Any:
        settings, teleservice = self.container.settings, self.container.teleservice
        if teleservice is None:
            return None
        options = RunOptions(
            max_in_flight=settings.verification_max_in_flight,
            poll_seconds=settings.verification_poll_seconds,
            sleep=self.stop_event.wait,
        )
        return scheduler_tick(
            holder=self.holder,
            lease_seconds=settings.scheduler_lease_seconds,
            uow=self.container.uow_factory(),
            actor=SCHEDULER_ACTOR,
            rules=self.container.rules,
            teleservice=teleservice,
            options=options,
        )

    def _loop(self) -> None:
        interval = self.container.settings.scheduler_interval_seconds
        while not self.stop_event.is_set():
            for work, what in ((self.verification_tick, "vérification"),
                               (self.outbox_tick, "propagation HL7"),
                               (self.duplicates_tick, "recherche des doublons")):  # fmt: skip
                try:
                    work()
                except Exception:  # the scheduler must survive anything; logged
                    logger.exception("Erreur du planificateur (%s)", what)
            self.stop_event.wait(interval)


def install_scheduler(app: FastAPI) -> None:
    """Wrap the app's lifespan: start the scheduler thread at start-up when enabled."""
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        container: Container = application.state.container
        scheduler = Scheduler(container) if container.settings.scheduler_enabled else None
        if scheduler is not None:
            scheduler.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            if scheduler is not None:
                scheduler.stop()

    app.router.lifespan_context = lifespan
