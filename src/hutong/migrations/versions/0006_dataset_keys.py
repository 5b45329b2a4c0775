"""data plane: master keys, data keys, sealed versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "master_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_master_keys")),
    )
    op.create_table(
        "data_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("cipher", sa.String(length=16), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("master_key_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destroy_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_data_keys_resource_id_catalog_resources"),
        ),
        sa.ForeignKeyConstraint(
            ["master_key_id"],
            ["master_keys.id"],
            name=op.f("fk_data_keys_master_key_id_master_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_data_keys_key_id")),
    )
    op.create_index(op.f("ix_data_keys_resource_id"), "data_keys", ["resource_id"])
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("data_key_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_dataset_versions_data_key_id_data_keys"), "data_keys", ["data_key_id"], ["id"]
        )
        batch.create_index(op.f("ix_dataset_versions_data_key_id"), ["data_key_id"])


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_index(op.f("ix_dataset_versions_data_key_id"))
        batch.drop_constraint(op.f("fk_dataset_versions_data_key_id_data_keys"), type_="foreignkey")
        batch.drop_column("data_key_id")
    op.drop_index(op.f("ix_data_keys_resource_id"), table_name="data_keys")
    op.drop_table("data_keys")
    op.drop_table("master_keys")
