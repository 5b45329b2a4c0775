"""Files attached to a rectification notice's answer (整改佐证材料)

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compliance_notice_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["compliance_notice_evidence.id"],
            name=op.f("fk_compliance_notice_attachments_evidence_id_compliance_notice_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["compliance_notices.id"],
            name=op.f("fk_compliance_notice_attachments_notice_id_compliance_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_notice_attachments")),
    )
    with op.batch_alter_table("compliance_notice_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_notice_attachments_evidence_id"), ["evidence_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_compliance_notice_attachments_notice_id"), ["notice_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("compliance_notice_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_notice_attachments_notice_id"))
        batch_op.drop_index(batch_op.f("ix_compliance_notice_attachments_evidence_id"))
    op.drop_table("compliance_notice_attachments")
