"""Local-only data: cached accounts (for offline login) and drafts (never synced)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.clock import utc_now
from station.store.db import reading, writing
from station.store.models import Draft
from station.store.pull import upsert_accounts
from station.store.tables import ACCOUNTS, DRAFTS
from sync.protocol import AccountRecord


class AccountsMixin:
    """Accounts of this station's scope, as pulled from the centre."""

    engine: Engine

    def upsert_accounts(self, records: list[AccountRecord]) -> None:
        """Cache accounts (the demo seeds them; pull keeps them current)."""
        with writing(self.engine) as conn:
            upsert_accounts(conn, records)

    def find_account(self, username: str) -> AccountRecord | None:
        """The cached account with this username, or None."""
        with reading(self.engine) as conn:
            raw = conn.execute(
                select(ACCOUNTS.c.record).where(ACCOUNTS.c.username == username)
            ).scalar_one_or_none()
        return AccountRecord.model_validate_json(raw) if raw else None

    def has_accounts(self) -> bool:
        """Whether any account has reached this station (its first sync brings them)."""
        with reading(self.engine) as conn:
            return conn.execute(select(ACCOUNTS.c.username).limit(1)).first() is not None

    def list_accounts(self) -> list[AccountRecord]:
        """Every cached account, by username."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(ACCOUNTS.c.record).order_by(ACCOUNTS.c.username)).all()
        return [AccountRecord.model_validate_json(raw) for (raw,) in rows]


class DraftsMixin:
    """Forms being filled: saved on every change, one durable commit each."""

    engine: Engine

    def save_draft(self, draft_id: str, data: dict[str, Any], *, changed: bool = True) -> None:
        """Keep a draft (survives kill -9 once this returns).

        ``changed=False``: nothing in it changed but the step it is at; the draft keeps
        the time it was last changed (its place in the list, the time home shows).
        """
        statement = sqlite_insert(DRAFTS).values(
            draft_id=draft_id,
            data=json.dumps(data, ensure_ascii=False, default=str),
            updated_at=utc_now().isoformat(),
        )
        kept = {"data": statement.excluded.data}
        if changed:
            kept["updated_at"] = statement.excluded.updated_at
        upsert = statement.on_conflict_do_update(index_elements=["draft_id"], set_=kept)
        with writing(self.engine) as conn:
            conn.execute(upsert)

    def list_drafts(self) -> list[Draft]:
        """Every draft, newest first."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(DRAFTS).order_by(DRAFTS.c.updated_at.desc())).all()
        return [
            Draft(row.draft_id, json.loads(row.data), datetime.fromisoformat(row.updated_at))
            for row in rows
        ]

    def delete_draft(self, draft_id: str) -> None:
        """Forget a draft (taken in or thrown away)."""
        with writing(self.engine) as conn:
            conn.execute(delete(DRAFTS).where(DRAFTS.c.draft_id == draft_id))
