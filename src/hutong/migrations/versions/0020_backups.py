"""Backups: each backup, its copy per target, stored objects, restore drills (issue 15)

Revision ID: 0020
Revises: 0021
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moment", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("dialect", sa.String(length=16), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("bytes_total", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backups")),
    )
    op.create_index(op.f("ix_backups_moment"), "backups", ["moment"])
    op.create_index(op.f("ix_backups_status"), "backups", ["status"])
    op.create_table(
        "backup_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backup_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("bytes_written", sa.BigInteger(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_ok", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["backup_id"], ["backups.id"], name=op.f("fk_backup_copies_backup_id_backups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_copies")),
        sa.UniqueConstraint("backup_id", "target", name=op.f("uq_backup_copies_backup_id")),
    )
    op.create_index(op.f("ix_backup_copies_backup_id"), "backup_copies", ["backup_id"])
    op.create_table(
        "backup_objects",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_backup_objects")),
    )
    op.create_table(
        "backup_drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backup_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rto_seconds", sa.Float(), nullable=False),
        sa.Column("rpo_seconds", sa.Float(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("drilled_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["backup_id"], ["backups.id"], name=op.f("fk_backup_drills_backup_id_backups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_drills")),
    )
    op.create_index(op.f("ix_backup_drills_backup_id"), "backup_drills", ["backup_id"])
    op.create_index(op.f("ix_backup_drills_started_at"), "backup_drills", ["started_at"])
    op.create_index(op.f("ix_backup_drills_ok"), "backup_drills", ["ok"])


def downgrade() -> None:
    op.drop_table("backup_drills")
    op.drop_table("backup_objects")
    op.drop_table("backup_copies")
    op.drop_table("backups")
