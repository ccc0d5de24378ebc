"""The storage schema: SQLAlchemy Core tables, portable to SQLite and PostgreSQL.

Domain classes are never mapped onto these tables: ``repository.py`` converts rows
with explicit mappers. Identifiers are UUIDs and timestamps are set by the
application (timezone-aware UTC), so the schema needs no server-side default. The
naming convention gives every constraint a stable name for Alembic.

``name_keys`` and ``first_name_keys`` hold the search keys of the names as
``|KEY1|KEY2|``, so that "is a prefix of one of the keys" reads
``LIKE '%|' || :key || '%'``; the ``(birth_date, sex)`` index drives the search.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    false,
    text,
    true,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    Naive values are refused on the way in; SQLite, which stores no offset, gives
    back naive values that are read as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused by the storage: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def _name(length: int = 200) -> String:
    return String(length)


identities = Table(
    "identities",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(5), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("birth_name", _name(), nullable=False),
    Column("birth_first_names", JSON, nullable=False),
    Column("first_birth_first_name", _name(), nullable=False),
    Column("birth_date_raw", String(10), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("birth_date_uncertain", Boolean, nullable=False),
    # Reception (issue 11, migration 0013): ZFD-4 / FR Core birthdate-update-indicator.
    Column("birth_date_corrected", Boolean, nullable=False, server_default=false()),
    Column("sex", String(1), nullable=False),
    Column("birth_place_code", String(5), nullable=False),
    Column("used_name", _name()),
    Column("used_first_name", _name()),
    Column("ins_number", String(15), index=True),
    Column("ins_oid", String(64)),
    Column("ins_retrieved_at", UtcDateTime),
    Column("collection_method", String(10)),  # how the traits were collected (SM, CB...)
    Column("ins_collection_method", String(10)),  # FR Core method-collection code (INSI)
    Column("insi_history", JSON),  # INSHISTO of the last INSi answer, as received
    # Who gave the matricule (INSI, DOMAIN, SM typed) and whether it is confirmed, i.e.
    # makes the identity RECUP/QUAL (issue 11, migration 0012; domain.ins_source).
    Column("ins_source", String(6)),
    Column("ins_confirmed", Boolean, nullable=False, server_default=false()),
    Column("document_type", String(10)),
    Column("document_expiry", Date),
    Column("validated_at", UtcDateTime),
    Column("validated_by", _name()),
    Column("warnings", JSON, nullable=False),
    Column("name_keys", Text, nullable=False),
    Column("first_name_keys", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Merge (issue 7): a merged identity is inactive and names its survivor.
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("merged_into", Uuid),
    # Collision (issue 7, migration 0010): COLP / COLV, the matricule is not diffused.
    Column("collision", String(4), index=True),
    # Received from another identification domain (PAM FR 0445 RECD; migration 0013).
    Column("received_from_other_domain", Boolean, nullable=False, server_default=false()),
    # Linked with a patient of another domain (PAM FR 0445 IDRA, R-LK-02; migration 0028).
    Column("linked_in_other_domain", Boolean, nullable=False, server_default=false()),
    # Billing NSS (issue 17, migration 0025): never the INS (R-TR-20), searched exactly (R-AS-04).
    Column("nss_number", String(15), index=True),
    Column("nss_oid", String(64)),
    Column("nss_holder", String(16)),
    Index("ix_identities_birth_date_sex", "birth_date", "sex"),
    # Duplicate blocking (issue 7, migration 0009): French phonetic keys of the names.
    Column("birth_name_phonetic", String(100)),
    Column("used_name_phonetic", String(100)),
    Index("ix_identities_birth_name_phonetic", "birth_name_phonetic", "birth_date"),
    Index("ix_identities_used_name_phonetic", "used_name_phonetic", "birth_date"),
)

# Anteriority search keys (issue 16, migration 0026; ``domain.anteriority``): one row
# per (kind, key) of an identity's names and first names, with its birth date, so that
# a search by name key and birth date (or date range) is an index range scan. A merged
# identity keeps its keys: found by its old traits, it leads to its survivor. No index
# by identity (migration 0027: it cost more to the imports than any other): an update
# deletes its keys by kind and old birth date (``ix_identity_search_keys_dated``).
identity_search_keys = Table(
    "identity_search_keys",
    metadata,
    Column("identity_id", Uuid, nullable=False),
    Column("kind", String(2), nullable=False),
    Column("value", String(100), nullable=False),
    Column("birth_date", Date, nullable=False),
    Index("ix_identity_search_keys_lookup", "kind", "value", "birth_date"),
    Index("ix_identity_search_keys_dated", "kind", "birth_date", "value"),
)

#: R-DU-03 (migration 0011): one active, non-merged identity per matricule INS and OID.
#: Identities in declared collision (COLP/COLV) are left out until identity vigilance
#: resolves them (docs/adr/0006-one-active-identity-per-ins.md).
ACTIVE_INS_PREDICATE = text(
    "active AND merged_into IS NULL AND collision IS NULL AND ins_number IS NOT NULL"
)
Index(
    "uq_identities_active_ins",
    identities.c.ins_number,
    identities.c.ins_oid,
    unique=True,
    sqlite_where=ACTIVE_INS_PREDICATE,
    postgresql_where=ACTIVE_INS_PREDICATE,
)

# The duplicate model estimated on the base (migration 0009): one row, id 1.
duplicate_model = Table(
    "duplicate_model",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("estimated_at", UtcDateTime, nullable=False),
    Column("parameters", JSON, nullable=False),
)

# Shares of the common name / first-name search keys (term-frequency adjustment).
duplicate_frequencies = Table(
    "duplicate_frequencies",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("share", Float, nullable=False),
)

# One row per merge; ``snapshot`` is the merged identity just before, for the unmerge.
merges = Table(
    "merges",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("survivor_id", Uuid, ForeignKey("identities.id"), nullable=False, index=True),
    Column("merged_id", Uuid, ForeignKey("identities.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", _name(), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("undone_at", UtcDateTime),
    Column("undone_by", _name()),
)

# Duplicate review worklist (migration 0010): one row per pair, first_id < second_id.
duplicate_reviews = Table(
    "duplicate_reviews",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_id", Uuid, ForeignKey("identities.id"), nullable=False),
    Column("second_id", Uuid, ForeignKey("identities.id"), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("blocking", Boolean, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("found_at", UtcDateTime, nullable=False),
    Column("scored_at", UtcDateTime, nullable=False),
    Column("source", String(10), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_at", UtcDateTime),
    Column("decided_by", _name()),
    Column("note", Text),
    Column("fingerprint", String(64)),
    UniqueConstraint("first_id", "second_id", name="uq_duplicate_reviews_pair"),
    Index("ix_duplicate_reviews_worklist", "status", "blocking", "score"),
)

ins_history = Table(
    "ins_history",
    metadata,
    Column("identity_id", Uuid, ForeignKey("identities.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("number", String(15), nullable=False, index=True),
    Column("oid", String(64), nullable=False),
    Column("ended_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    # Replaced by a newer matricule of the same person from INSi or the own domain
    # (issue 17, migration 0025): diffused as FHIR ``use: old`` (R-MO-05).
    Column("replaced", Boolean, nullable=False, server_default=false()),
)

# No foreign key on identity_id: the audit trail outlives what it describes.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("position", Integer, nullable=False),  # order of the rows written at once
    Column("actor", _name(), nullable=False),
    Column("action", String(64), nullable=False),
    Column("identity_id", Uuid, index=True),
    Column("before", JSON),
    Column("after", JSON),
    Column("reason", Text),
    Column("details", JSON, nullable=False),
    # Hash chain (issue 12, migration 0015; adapters.audit_chain): NULL only for a row
    # that no writer of identito chained.
    Column("chain", SmallInteger),
    Column("seq", BigInteger),
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
    Index("ux_audit_log_chain_seq", "chain", "seq", unique=True),
)

#: The last row of each audit chain (issue 12, migration 0015).
audit_chain_heads = Table(
    "audit_chain_heads",
    metadata,
    Column("chain", SmallInteger, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("identity_id", Uuid, nullable=False),
    Column("action", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("sent_at", UtcDateTime, index=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("role", String(40), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("username", String(100), ForeignKey("users.username"), nullable=False, index=True),
    Column("expires_at", UtcDateTime, nullable=False),
)

preferences = Table(
    "preferences",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

# -- web application (migration 0003) -----------------------------------------------------

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(100), ForeignKey("users.username"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False, index=True),
)

# Failed logins per account (username as typed) and per address (migration 0021).
login_throttles = Table(
    "login_throttles",
    metadata,
    Column("kind", String(10), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=True, index=True),
    Column("locked_until", UtcDateTime, nullable=True, index=True),
)

# Net monthly changes of the counts of identities (see services/indicators.py).
indicator_counts = Table(
    "indicator_counts",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("value", String(16), primary_key=True),
    Column("delta", Integer, nullable=False),
)


# -- INSi calls and worklists (migration 0004) -------------------------------------------

# Every call to the teleservice. No foreign key on identity_id: the trace outlives the
# identity (and a creation from INSi may find nothing). Raw messages are zlib-compressed.
insi_calls = Table(
    "insi_calls",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("attempt_id", Uuid, nullable=False, index=True),
    Column("sequence", Integer, nullable=False),
    Column("identity_id", Uuid, index=True),
    Column("identity_version", Integer),
    Column("actor", _name(), nullable=False),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("mode", String(20), nullable=False),
    Column("authentication", String(40), nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("outcome", String(5), nullable=False),
    Column("error_code", String(64)),
    Column("message", Text),
    Column("query", JSON, nullable=False),
    Column("request_z", LargeBinary),
    Column("response_z", LargeBinary),
    Column("duration_ms", Float),
    Column("answer", JSON),
    Column("comparison", JSON),
    Column("similarity", Float),
    Column("applied", Boolean, nullable=False),
    Column("decision", String(12)),
    Column("decided_by", _name()),
    Column("decided_at", UtcDateTime),
)

insi_worklists = Table(
    "insi_worklists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source", String(200), nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("created_by", _name(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("total", Integer, nullable=False),
    Column("finished_at", UtcDateTime),
)

insi_worklist_items = Table(
    "insi_worklist_items",
    metadata,
    Column("worklist_id", Uuid, ForeignKey("insi_worklists.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("identity_id", Uuid, nullable=False),
    Column("state", String(10), nullable=False),
    Column("outcome", String(5)),
    Column("applied", Boolean, nullable=False),
    Column("message", Text),
    Column("started_at", UtcDateTime),
    Column("processed_at", UtcDateTime),
)


# -- INS verification, identity-vigilance worklists, reception (migration 0005) ------------

# Date of the last verification OK of an identity's INS (one row per identity verified).
ins_verifications = Table(
    "ins_verifications",
    metadata,
    Column("identity_id", Uuid, primary_key=True),
    Column("verified_at", UtcDateTime, nullable=False, index=True),
)

verification_campaigns = Table(
    "verification_campaigns",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("perimeter", String(10), nullable=False),
    Column("years", Integer, nullable=False),
    Column("query", String(40)),
    Column("frequency_days", Integer),
    Column("batch_size", Integer, nullable=False),
    Column("use_batch", Boolean, nullable=False),
    Column("unit_rate", Float, nullable=False),
    Column("created_by", _name(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_run_at", UtcDateTime, index=True),
    Column("active", Boolean, nullable=False),
)

verification_runs = Table(
    "verification_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("campaign_id", Uuid, ForeignKey("verification_campaigns.id"), nullable=False),
    Column("started_by", _name(), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("total", Integer, nullable=False),
    Column("finished_at", UtcDateTime),
    Index("ix_verification_runs_campaign", "campaign_id", "started_at"),
)

verification_items = Table(
    "verification_items",
    metadata,
    Column("run_id", Uuid, ForeignKey("verification_runs.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("identity_id", Uuid, nullable=False),
    Column("state", String(10), nullable=False),
    Column("ins_number", String(15)),
    Column("batch_id", String(64)),
    Column("result", String(8)),
    Column("message", Text),
    Column("processed_at", UtcDateTime),
    Index("ix_verification_items_state", "run_id", "state", "position"),
    Index("ix_verification_items_batch", "run_id", "batch_id"),
)

vigilance_entries = Table(
    "vigilance_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("identity_id", Uuid, index=True),
    Column("message_id", Uuid),
    Column("resolved_at", UtcDateTime),
    Column("resolved_by", _name()),
    Column("decision", String(30)),
    Column("comment", Text),
    Index("ix_vigilance_entries_open", "kind", "resolved_at", "created_at"),
)

received_messages = Table(
    "received_messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("channel", String(10), nullable=False),
    Column("received_at", UtcDateTime, nullable=False, index=True),
    Column("content", Text, nullable=False),
    Column("outcome", String(30), nullable=False),
    Column("sender_application", String(200)),
    Column("sender_facility", String(200)),
    Column("event", String(20)),
    Column("control_id", String(200)),
    Column("own_domain", Boolean, nullable=False),
    Column("identity_id", Uuid, index=True),
    Column("detail", Text),
    Column("patient_id", String(200), index=True),  # the sender's IPP / FHIR id (0007)
    # The modifying entity of PID-34 (R-LK-03; migration 0028): name and FINESS.
    Column("modifying_entity_name", String(200)),
    Column("modifying_entity_finess", String(9)),
)

# (sender, the sender's patient identifier) -> the identity its messages went into (0018):
# the primary key refuses a second identity for the same pair (issue 12).
sender_patients = Table(
    "sender_patients",
    metadata,
    Column("sender", String(401), primary_key=True),  # reception_model.sender_key
    Column("patient_id", String(200), primary_key=True),
    Column("identity_id", Uuid, nullable=False, index=True),
    Column("linked_at", UtcDateTime, nullable=False),
)

# (sender, MSH-10) -> the ACK answered, for the copies of the message (0023).
hl7_acks = Table(
    "hl7_acks",
    metadata,
    Column("sender", String(401), primary_key=True),  # reception_model.sender_key
    Column("control_id", String(200), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("code", String(2), nullable=False),
    Column("ack", Text, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
)

# One row per named lease (e.g. "verification"): the scheduler of one serve process holds it.
scheduler_leases = Table(
    "scheduler_leases",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# -- import jobs (issue 12, migration 0019) ---------------------------------------------
# A job per imported file (its sha256); one row per committed batch (its lines, written in
# the batch's transaction) and per reject, so that a rerun skips exactly what was stored.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("file_digest", String(64), nullable=False, unique=True),
    Column("file_name", String(500), nullable=False),
    Column("actor", _name(), nullable=False),
    Column("runner", String(40), nullable=False),  # the run allowed to commit batches
    Column("state", String(10), nullable=False),
    Column("batches", Integer, nullable=False),
    Column("rows_done", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("rejects", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False, index=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("job_id", Uuid, ForeignKey("import_jobs.id"), primary_key=True),
    Column("first_line", Integer, primary_key=True),
    Column("last_line", Integer, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("committed_at", UtcDateTime, nullable=False),
)

import_rejects = Table(
    "import_rejects",
    metadata,
    Column("job_id", Uuid, ForeignKey("import_jobs.id"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),  # the errors of one line, in order
    Column("field", String(100), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("message", Text, nullable=False),
)

# -- interface accounts (issue 13, migration 0020) ----------------------------------------
# A declared sender: a user of the ``interface`` role, the domains it may claim (MSH-3^MSH-4
# patterns), its MLLP source addresses (CIDR) and/or its TLS client certificate.
interface_accounts = Table(
    "interface_accounts",
    metadata,
    Column("username", String(100), ForeignKey("users.username"), primary_key=True),
    Column("domains", JSON, nullable=False),
    Column("addresses", JSON, nullable=False),
    Column("certificate_sha256", String(64)),
    Column("certificate_subject", String(500)),
    Column("active", Boolean, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("changed_by", String(200), nullable=False),
)
