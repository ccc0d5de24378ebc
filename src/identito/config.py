"""Typed settings, built once and passed in.

Values come from environment variables prefixed ``IDENTITO_`` (for example
``IDENTITO_DATABASE_URL``) or from a TOML file named by ``IDENTITO_SETTINGS_FILE``;
the environment wins over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'var' / 'identito.sqlite3'}"


class DocumentTypeSetting(BaseModel):
    code: str
    label: str
    high_trust: bool


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITO_", extra="ignore")

    #: SQLAlchemy URL; SQLite in ./var/ by default, PostgreSQL in production.
    database_url: str = Field(default_factory=_default_database_url)
    #: Test mode accepts the test and demo OIDs of the matricule INS.
    test_mode: bool = False
    #: Lifetime of API bearer tokens, in minutes.
    token_ttl_minutes: int = 8 * 60
    #: Replaces the permissions of the named roles (role -> list of permissions).
    role_permissions: dict[str, list[str]] = Field(default_factory=dict)
    #: The configurable list of identity documents; None keeps the default list.
    document_types: list[DocumentTypeSetting] | None = None
    #: Directory holding INSEE files reloaded with `identito geography reload`.
    geography_dir: Path | None = None
    #: Rows per transaction when importing identities.
    import_batch_size: int = 2000
    #: Web sessions: closed after this many idle minutes...
    session_idle_minutes: int = 30
    #: ...and in any case this many minutes after the login.
    session_absolute_minutes: int = 10 * 60
    #: Send the session cookie with ``Secure`` (set it when served over HTTPS; the
    #: cookie is also ``Secure`` whenever the request itself came over HTTPS).
    cookie_secure: bool = False
    #: ``SameSite`` of the session cookie: ``lax`` (default) or ``strict``.
    cookie_samesite: Literal["lax", "strict"] = "lax"
    #: ``Strict-Transport-Security: max-age`` sent on every answer to an HTTPS request
    #: (directly, or through a proxy on an address of uvicorn's ``FORWARDED_ALLOW_IPS``,
    #: 127.0.0.1 by default, that sends ``X-Forwarded-Proto: https``); 0: not sent.
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)

    # Login throttling (web form, POST /api/v1/auth/token, password change): failures
    # are counted per username (as typed) and per client address, in the database.
    #: Failed logins of one username without delay; each further one doubles the wait...
    login_account_free_failures: int = Field(default=5, ge=0)
    #: ...and this many lock the username for ``login_lock_minutes``.
    login_account_lock_failures: int = Field(default=10, ge=1)
    #: The same for one client address (every username tried from it), set higher:
    #: a hospital's workstations may share one address.
    login_address_free_failures: int = Field(default=20, ge=0)
    login_address_lock_failures: int = Field(default=100, ge=1)
    #: First wait after the free failures, doubled at each failure up to the maximum (s).
    login_first_delay_seconds: float = Field(default=1.0, gt=0)
    login_max_delay_seconds: float = Field(default=60.0, gt=0)
    #: Duration of a lock (an administrator may lift it earlier), in minutes.
    login_lock_minutes: float = Field(default=15.0, gt=0)
    #: Failures older than this are forgotten (minutes; a success forgets the username's).
    login_failure_memory_minutes: float = Field(default=60.0, gt=0)

    # Diffusion (docs/diffusion.md).
    #: Name of the organisation as diffused (HL7 MSH-4 and CX-4.1 of the IPP, DICOM issuer).
    facility_name: str = "IDENTITO"
    #: OID of the IPP assigning authority; empty: an OID derived from insi_instance_id
    #: under the UUID arc 2.25 (set the organisation's registered OID in production).
    facility_oid: str = ""
    #: FINESS (EJ or EG, as the hospital group agreed) of the entity identito modifies
    #: identities for: HL7 PID-34 Last Update Facility ``<facility_name>^<FINESS>^M``
    #: (R-LK-03, docs/ins-rules.md); empty: PID-34 carries the name alone.
    facility_finess: str = ""
    #: HL7 v2 receivers of the propagation messages: ``mllp://host:port`` or a directory.
    hl7_receivers: list[str] = Field(default_factory=list)

    # INSi teleservice (docs/insi.md): "simulator" runs in-process with no certificate.
    #: "simulator" (default, in-process) or "soap" (HTTPS with mutual TLS).
    insi_backend: Literal["simulator", "soap"] = "simulator"
    #: Outside test mode, ``identito serve`` and ``identito mllp serve`` refuse to start
    #: with the simulator unless this is true (a demonstration or training instance,
    #: never production: the simulator answers with fictitious persons).
    insi_allow_simulator: bool = False
    #: Endpoint of the SOAP service (the simulator's default address).
    insi_url: str = "https://127.0.0.1:8443/lps"
    #: Timeout of one call (connect, read, write), in seconds.
    insi_timeout_seconds: float = 10.0
    #: Extra attempts after a connection error or a timeout (never after a fault).
    insi_retries: int = 1
    #: Organisation certificate and key (PEM) for calls a user triggers (INSI-MANU).
    insi_cert_manual: Path | None = None
    insi_key_manual: Path | None = None
    #: Organisation certificate and key (PEM) for automatic calls (INSI-AUTO).
    insi_cert_auto: Path | None = None
    insi_key_auto: Path | None = None
    #: CA bundle (PEM) that signed the service's certificate; None: system CAs.
    insi_ca_bundle: Path | None = None
    #: Nominative professional card mode: certificate and key (PEM) signing the PS assertion.
    insi_ps_cert: Path | None = None
    insi_ps_key: Path | None = None
    #: Identifier of the professional (RPPS/ADELI, NameID of the PS assertion).
    insi_ps_identifier: str = ""
    #: Billing identifier (FINESS or AM number), also the Emetteur of the contexts.
    insi_billing_id: str = ""
    #: Speciality code (codeSpecialiteAMO) and activity sector of the PS assertion.
    insi_speciality: str = ""
    insi_activity_sector: str = ""
    #: CNDA authorisation number of the software (IDAM of the LPS context).
    insi_cnda_authorisation: str = ""
    insi_software_name: str = "identito"
    insi_software_version: str = "0.1.0"
    #: Instance identifier of this installation (Instance of the LPS context).
    insi_instance_id: str = "identito-local"
    #: Size of the simulator's synthetic population, and its seed.
    insi_simulator_population: int = 10000
    insi_simulator_seed: int = 2026
    #: Fault injected by the simulator on every call (docs/insi.md).
    insi_simulator_fault: Literal[
        "none", "unavailable", "slow", "fault", "malformed", "truncated"
    ] = "none"
    #: SOAP fault (subcode/detail code) injected by the "fault" mode and the PANNE person.
    insi_simulator_fault_code: str = "siram_100/desir_550"
    #: Delay of slow answers (the "slow" mode and the LENTEUR test person), in seconds.
    insi_simulator_delay_seconds: float = 5.0
    #: Fetches of a verification batch answered "in progress" before its results.
    insi_simulator_batch_polls: int = 0

    # INS verification and reception (docs/verification.md).
    #: Run the verification scheduler (campaigns, NIA re-checks) inside ``identito serve``.
    scheduler_enabled: bool = False
    #: Seconds between two wake-ups of the scheduler, and lifetime of its database lease.
    scheduler_interval_seconds: float = 60.0
    scheduler_lease_seconds: float = 300.0
    #: Seconds between two fetches of a verification batch still in progress.
    verification_poll_seconds: float = 5.0
    #: Verification batches deposited and not yet fetched, at most.
    verification_max_in_flight: int = 4
    #: Senders of identito's own identification domain: "APPLICATION^FACILITY" (HL7 MSH-3
    #: and MSH-4; "*" matches any), or a FHIR sender name. Every other sender is another domain.
    own_domain_senders: list[str] = Field(default_factory=list)
    #: Application and facility identito answers with (MSH-3/MSH-4 of its HL7 ACKs).
    hl7_application: str = "IDENTITO"
    hl7_facility: str = "IDENTITO"
    #: MLLP: only declared interface accounts may send (``identito senders``); false is the
    #: migration path: an undeclared peer is received as ``mllp:<address>``, with a warning.
    mllp_require_declared_senders: bool = True
    #: MLLP over TLS: the listener's certificate and key (PEM); unset: plain TCP.
    mllp_tls_certificate: Path | None = None
    mllp_tls_key: Path | None = None
    #: CA bundle (PEM) of the senders' client certificates: set, a client certificate it
    #: signed is required (``ssl.CERT_REQUIRED``) and identifies the interface account.
    mllp_tls_ca: Path | None = None

    # Bounded work per input (docs/api.md, docs/verification.md).
    #: Largest HL7 v2 message received (MLLP or HTTP), in bytes; above: NACK AR.
    hl7_max_message_bytes: int = Field(default=1_048_576, ge=1024)
    #: Most segments in one HL7 v2 message; above: NACK AR.
    hl7_max_segments: int = Field(default=1_000, ge=10)
    #: Most repetitions of one field of an HL7 v2 message (PID-3...); above: NACK AR.
    hl7_max_repetitions: int = Field(default=100, ge=2)
    #: An MLLP connection that sends no message start for this long is closed (seconds).
    mllp_idle_timeout_seconds: float = Field(default=300.0, gt=0)
    #: A message must arrive whole within this time after its start byte (seconds).
    mllp_message_timeout_seconds: float = Field(default=30.0, gt=0)
    #: Most MLLP connections open at once (all senders); one more is closed at once.
    mllp_max_connections: int = Field(default=64, ge=1)
    #: A copy of an HL7 v2 message (same sender, MSH-10 and bytes) received within this
    #: many hours of the first gets the ACK the first got and changes nothing; 0: never.
    hl7_ack_replay_hours: float = Field(default=24.0, ge=0)
    #: Largest HTTP request body under /api/ and /fhir/, in bytes; above: 413.
    http_max_body_bytes: int = Field(default=2_097_152, ge=1024)
    #: Largest body of a web page's form or upload (DataMatrix photo, CSV list), in bytes.
    web_max_body_bytes: int = Field(default=10_485_760, ge=65_536)
    #: Longest field of an imported CSV row, in characters; above: the row is rejected.
    import_max_field_chars: int = Field(default=1_000, ge=100)

    @field_validator("facility_finess")
    @classmethod
    def _finess(cls, value: str) -> str:
        """A FINESS of 9 characters (R-LK-03, ``domain.facility``); empty allowed."""
        from identito.domain.errors import InvalidInput
        from identito.domain.facility import validate

        if not value.strip():
            return ""
        try:
            return validate(value)
        except InvalidInput as error:
            raise ValueError(error.message) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        settings_file = os.environ.get("IDENTITO_SETTINGS_FILE")
        if settings_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=settings_file))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
