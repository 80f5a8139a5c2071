"""queue: handoff episodes (claim, reply, escalation, end), conversation outcome, notes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)

_EPISODE_COLUMNS = (
    ("claimed_by", sa.String(32)),
    ("claimed_at", _TS),
    ("first_reply_at", _TS),
    ("awaiting_since", _TS),
    ("escalated_at", _TS),
    ("ended_at", _TS),
    ("outcome", sa.String(32)),
)

# Requests recorded before the queue existed never put their conversation in the queue:
# they become ended episodes (only a queued or human conversation has an open one).
_END_LEGACY_REQUESTS = (
    "UPDATE handoff_requests SET ended_at = created_at WHERE ended_at IS NULL"
    " AND conversation_id NOT IN"
    " (SELECT id FROM conversations WHERE state IN ('queued', 'human'))"
)


def upgrade() -> None:
    # Plain nullable columns without foreign keys: SQLite adds them without rebuilding
    # the tables (a rebuild of `conversations` would cascade-delete its children).
    op.add_column("conversations", sa.Column("outcome", sa.String(32), nullable=True))
    for name, type_ in _EPISODE_COLUMNS:
        op.add_column("handoff_requests", sa.Column(name, type_, nullable=True))
    op.create_index(
        "ix_handoff_requests_conversation_id_ended_at",
        "handoff_requests",
        ["conversation_id", "ended_at"],
    )
    op.execute(_END_LEGACY_REQUESTS)

    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("staff_id", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_notes"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_handoff_notes_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_handoff_notes_conversation_id", "handoff_notes", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_notes_conversation_id", table_name="handoff_notes")
    op.drop_table("handoff_notes")
    op.drop_index("ix_handoff_requests_conversation_id_ended_at", table_name="handoff_requests")
    # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), not a batch rebuild: rebuilding
    # `conversations` with foreign keys on would cascade-delete its messages.
    for name, _ in reversed(_EPISODE_COLUMNS):
        op.drop_column("handoff_requests", name)
    op.drop_column("conversations", "outcome")
