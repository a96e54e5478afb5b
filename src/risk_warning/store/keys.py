"""API keys for the service (issue 18): made by an unscoped admin for a name, a role and a scope; the key is
shown once and only its SHA-256 is stored, so a copy of the database signs nobody in. A key is random (32
bytes from ``secrets``), so a plain hash is as strong as a slow one would be; lookup is by the hash.
Making and revoking a key are on the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from risk_warning.errors import ConflictError, NotFoundError, StoreError
from risk_warning.store.audit import write_audit
from risk_warning.store.journal import now
from risk_warning.store.principal import Principal, Role
from risk_warning.store.stored import StoredApiKey, detached
from risk_warning.store.tables import ApiKeyRecord

PREFIX = "rwk_"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


class Keys:
    engine: SqlEngine
    principal: Principal

    def create_key(
        self, name: str, role: Role, *, units: Iterable[str] | None = None, kinds: Iterable[str] | None = None
    ) -> tuple[StoredApiKey, str]:
        """A new key for ``name``: (the stored record, the key, to hand over once)."""
        self.principal.require_unscoped_admin("make API keys")
        if not name.strip():
            raise StoreError("an API key needs a name (who or what will use it)")
        key = PREFIX + secrets.token_urlsafe(32)
        record = ApiKeyRecord(
            name=name.strip(),
            key_hash=key_hash(key),
            prefix=key[: len(PREFIX) + 6],
            role=Role(role).value,
            units=sorted(set(units)) if units is not None else None,
            kinds=sorted(set(kinds)) if kinds is not None else None,
            created_at=now(),
            created_by=self.principal.identity,
        )
        scope = f"role {record.role}, units {record.units or 'all'}, kinds {record.kinds or 'all'}"
        with Session(self.engine) as session:
            session.add(record)
            try:
                session.flush()
            except IntegrityError:
                taken = f"there is already an API key named {name!r}: revoke it or pick another name"
                raise ConflictError(taken) from None
            write_audit(session, self.principal, "key.created", detail=f"{record.name}: {scope}")
            session.commit()
            session.refresh(record)
            return StoredApiKey.model_validate(record), key

    def api_keys(self) -> list[StoredApiKey]:
        self.principal.require_unscoped_admin("list API keys")
        with Session(self.engine) as session:
            return detached(StoredApiKey, session.exec(select(ApiKeyRecord).order_by(col(ApiKeyRecord.id))))

    def revoke_key(self, name: str) -> StoredApiKey:
        self.principal.require_unscoped_admin("revoke API keys")
        with Session(self.engine) as session:
            record = session.exec(select(ApiKeyRecord).where(ApiKeyRecord.name == name)).first()
            if record is None:
                raise NotFoundError(f"no API key named {name!r}")
            if record.revoked_at is None:
                record.revoked_at = now()
                session.add(record)
                write_audit(session, self.principal, "key.revoked", detail=name)
                session.commit()
                session.refresh(record)
            return StoredApiKey.model_validate(record)

    def principal_for(self, key: str, origin: str) -> Principal | None:
        """Who a key signs in as (its name, role and scope), or None for an unknown or revoked key."""
        with Session(self.engine) as session:
            record = session.exec(select(ApiKeyRecord).where(ApiKeyRecord.key_hash == key_hash(key))).first()
        if record is None or record.revoked_at is not None:
            return None
        units = frozenset(record.units) if record.units is not None else None
        kinds = frozenset(record.kinds) if record.kinds is not None else None
        return Principal(record.name, origin, Role(record.role), units, kinds)
