"""telegram: webhook inbox, sealed chat ids, tracked message ids

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)
_BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("processed", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name="pk_telegram_updates"),
    )
    op.create_index("ix_telegram_updates_received_at", "telegram_updates", ["received_at"])

    op.create_table(
        "telegram_chats",
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("chat_ref", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_telegram_chats"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_telegram_chats_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "telegram_messages",
        sa.Column("id", _BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_telegram_messages"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_telegram_messages_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_telegram_messages_conversation_id", "telegram_messages", ["conversation_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_telegram_messages_conversation_id", table_name="telegram_messages")
    op.drop_table("telegram_messages")
    op.drop_table("telegram_chats")
    op.drop_index("ix_telegram_updates_received_at", table_name="telegram_updates")
    op.drop_table("telegram_updates")
