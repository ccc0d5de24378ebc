"""The only place that picks concrete adapters from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import NAMESPACE_URL, uuid5

from identito.adapters.places import InseeBirthPlaces
from identito.config import Settings
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DocumentType
from identito.domain.login_throttle import LoginPolicy, ThrottlePolicy
from identito.geography import GeographicReference, get_reference
from identito.services.diffusion import MessageReceiver
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Container:
    settings: Settings
    rules: Rules
    geography: GeographicReference
    uow_factory: Callable[[], UnitOfWork]
    teleservice: Teleservice | None = None

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(minutes=self.settings.token_ttl_minutes)

    @property
    def login_policy(self) -> LoginPolicy:
        return login_policy(self.settings)


def login_policy(settings: Settings) -> LoginPolicy:
    """The login throttles of the settings (``login_*``)."""

    def throttle(free: int, lock: int) -> ThrottlePolicy:
        return ThrottlePolicy(
            free_failures=free,
            lock_failures=lock,
            first_delay=timedelta(seconds=settings.login_first_delay_seconds),
            max_delay=timedelta(seconds=settings.login_max_delay_seconds),
            lock_duration=timedelta(minutes=settings.login_lock_minutes),
            memory=timedelta(minutes=settings.login_failure_memory_minutes),
        )

    return LoginPolicy(
        account=throttle(
            settings.login_account_free_failures, settings.login_account_lock_failures
        ),
        address=throttle(
            settings.login_address_free_failures, settings.login_address_lock_failures
        ),
    )


def document_types(settings: Settings) -> dict[str, DocumentType]:
    if settings.document_types is None:
        return dict(DEFAULT_DOCUMENT_TYPES)
    return {d.code: DocumentType(d.code, d.label, d.high_trust) for d in settings.document_types}


def bootstrap(
    settings: Settings | None = None,
    *,
    uow_factory: Callable[[], UnitOfWork] | None = None,
) -> Container:
    settings = settings or Settings()
    geography = get_reference(settings.geography_dir)
    rules = Rules(
        places=InseeBirthPlaces(geography),
        document_types=document_types(settings),
        allow_test_oids=settings.test_mode,
        facility_name=settings.facility_name,
        facility_oid=facility_oid(settings),
        facility_finess=settings.facility_finess,
    )
    if uow_factory is None:
        from identito.adapters.unit_of_work import sql_uow_factory

        uow_factory = sql_uow_factory(settings.database_url)
    return Container(settings, rules, geography, uow_factory, build_teleservice(settings))


def facility_oid(settings: Settings) -> str:
    """The configured IPP authority OID, or one derived from the instance (2.25 arc)."""
    if settings.facility_oid:
        return settings.facility_oid
    return f"2.25.{uuid5(NAMESPACE_URL, 'identito:' + settings.insi_instance_id).int}"


def build_hl7_receivers(settings: Settings) -> list[MessageReceiver]:
    """The HL7 v2 receivers of ``IDENTITO_HL7_RECEIVERS`` (MLLP or directories)."""
    from identito.adapters.hl7_delivery import receivers_for

    return receivers_for(settings.hl7_receivers)


def build_teleservice(settings: Settings) -> Teleservice:
    """INSi: the in-process simulator (default, no certificate) or the SOAP client."""
    if settings.insi_backend == "soap":
        from identito.adapters.insi.client import SoapTeleservice

        return SoapTeleservice.from_settings(settings)
    from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice

    return SimulatedTeleservice.from_settings(settings)


def worker_context(settings: Settings) -> tuple[Callable[[], UnitOfWork], Rules]:
    """What an import worker process needs (``functools.partial(worker_context, s)``)."""
    container = bootstrap(settings)
    return container.uow_factory, container.rules
