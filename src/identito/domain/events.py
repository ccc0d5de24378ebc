"""Past-tense events recorded by the Identity aggregate.

The unit of work turns each event into an audit row in the same transaction;
events marked ``propagate`` are also queued for the diffusion flows (HL7 A47/A31).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    IDENTITY_CREATED = "identity.created"
    TRAITS_CHANGED = "identity.traits_changed"
    INS_RETRIEVED = "identity.ins_retrieved"
    INS_CHANGED = "identity.ins_changed"
    INS_CONFIRMED = "identity.ins_confirmed"  # a typed matricule verified OK by INSi
    INS_INVALIDATED = "identity.ins_invalidated"
    STATUS_CHANGED = "identity.status_changed"
    ATTRIBUTES_CHANGED = "identity.attributes_changed"
    IDENTITY_VALIDATED = "identity.validated"
    IDENTITY_READ = "identity.read"  # a read that returned the matricule
    IDENTITY_IMPORTED = "identity.imported"
    IDENTITY_DIFFUSED = "identity.diffused"  # an export or a message left identito
    IDENTITY_MERGED = "identity.merged"  # on the merged identity and on its survivor
    IDENTITY_UNMERGED = "identity.unmerged"  # a merge undone, on both identities
    COLLISION_DECLARED = "identity.collision_declared"  # COLP / COLV: two persons, one record
    COLLISION_RESOLVED = "identity.collision_resolved"
    INS_ALREADY_HELD = "identity.ins_already_held"  # a matricule refused (R-DU-03)
    DUPLICATE_DECIDED = "duplicate.decided"  # a review decision, on both identities
    DUPLICATES_SCANNED = "duplicates.scanned"  # one row per recorded scan (its summary)
    DUPLICATE_MODEL_ESTIMATED = "duplicates.model_estimated"  # parameters estimated, stored
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"  # role or active flag (disabling ends sessions and tokens)
    PASSWORD_CHANGED = "user.password_changed"  # by the user, other sessions and tokens ended
    ACCESS_REVOKED = "user.access_revoked"  # an administrator ended every session and token
    SESSION_OPENED = "session.opened"
    SESSION_CLOSED = "session.closed"
    OWN_SESSIONS_CLOSED = "session.own_closed"  # a user closed their other sessions (Mon compte)
    WORKLIST_EXPORTED = "worklist.exported"  # a worklist downloaded as CSV (its rows counted)
    WORKLIST_BULK_DECIDED = "worklist.bulk_decided"  # one decision on many entries (summary)
    TOKEN_REVOKED = "token.revoked"  # DELETE /api/v1/auth/token by its bearer
    LOGIN_LOCKED = "login.locked"  # too many failed logins: an account or address locked
    LOGIN_UNLOCKED = "login.unlocked"  # an administrator lifted a lock


@dataclass(frozen=True)
class Event:
    action: AuditAction
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    propagate: bool = False
    details: dict[str, Any] = field(default_factory=dict)
