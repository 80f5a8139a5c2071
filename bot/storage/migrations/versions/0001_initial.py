"""initial schema: conversations, messages, web sessions, handoff requests, content

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)
_BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_pseudonym", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("risk", sa.String(16), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_activity_at", _TS, nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.CheckConstraint("channel IN ('web', 'telegram')", name="ck_conversations_channel"),
        sa.CheckConstraint(
            "state IN ('bot', 'queued', 'human', 'closed')", name="ck_conversations_state"
        ),
        sa.CheckConstraint("language IN ('vi', 'en')", name="ck_conversations_language"),
        sa.CheckConstraint(
            "risk IN ('none', 'elevated', 'high', 'imminent')", name="ck_conversations_risk"
        ),
    )
    op.create_index("ix_conversations_user_pseudonym", "conversations", ["user_pseudonym"])
    op.create_index("ix_conversations_last_activity_at", "conversations", ["last_activity_at"])

    op.create_table(
        "messages",
        sa.Column("id", _BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("risk", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_messages_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_id_seq"),
        sa.CheckConstraint(
            "sender IN ('user', 'bot', 'counsellor', 'system')", name="ck_messages_sender"
        ),
        sa.CheckConstraint(
            "risk IS NULL OR risk IN ('none', 'elevated', 'high', 'imminent')",
            name="ck_messages_risk",
        ),
    )

    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_web_sessions_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_web_sessions_conversation_id", "web_sessions", ["conversation_id"])

    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_requests"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_handoff_requests_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_handoff_requests_conversation_id", "handoff_requests", ["conversation_id"])

    op.create_table(
        "content_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content_documents"),
        sa.UniqueConstraint("name", "version", name="uq_content_documents_name_version"),
    )


def downgrade() -> None:
    op.drop_table("content_documents")
    op.drop_index("ix_handoff_requests_conversation_id", table_name="handoff_requests")
    op.drop_table("handoff_requests")
    op.drop_index("ix_web_sessions_conversation_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("messages")
    op.drop_index("ix_conversations_last_activity_at", table_name="conversations")
    op.drop_index("ix_conversations_user_pseudonym", table_name="conversations")
    op.drop_table("conversations")
