"""Grants whose legal basis is consent: the system, purpose, categories and subject item

Revision ID: 0014
Revises: 0010
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_system_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("consent_purpose", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("consent_categories", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column(
                "consent_subject_item", sa.String(length=128), nullable=False, server_default=""
            )
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_grants_consent_system_id"), ["consent_system_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_exchange_grants_consent_system_id_information_systems"),
            "information_systems",
            ["consent_system_id"],
            ["id"],
        )
    with op.batch_alter_table("exchange_grants", schema=None) as batch_op:
        batch_op.alter_column("consent_purpose", server_default=None)
        batch_op.alter_column("consent_categories", server_default=None)
        batch_op.alter_column("consent_subject_item", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("exchange_grants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_exchange_grants_consent_system_id_information_systems"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_exchange_grants_consent_system_id"))
        batch_op.drop_column("consent_subject_item")
        batch_op.drop_column("consent_categories")
        batch_op.drop_column("consent_purpose")
        batch_op.drop_column("consent_system_id")
