"""一数一源: normalised item names and recorded justifications of overlapping items;
remembered column mappings of dataset uploads

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def name_key(name: str) -> str:
    """As ``catalog.models.name_key`` was when this revision was written."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).lower() if ch.isalnum())


def upgrade() -> None:
    with op.batch_alter_table("catalog_items") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=128), nullable=True))
    items = sa.table(
        "catalog_items",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(items.c.id, items.c.name)).all()
    if rows:
        connection.execute(
            items.update()
            .where(items.c.id == sa.bindparam("item_id"))
            .values(name_key=sa.bindparam("key")),
            [{"item_id": row.id, "key": name_key(row.name)} for row in rows],
        )
    with op.batch_alter_table("catalog_items") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=128), nullable=False)
    op.create_index("ix_catalog_items_name_key", "catalog_items", ["name_key", "data_type"])
    op.create_index("ix_catalog_items_element_ref", "catalog_items", ["element_ref"])
    op.create_table(
        "catalog_overlap_justifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("item_name", sa.String(length=128), nullable=False),
        sa.Column("matched_by", sa.String(length=16), nullable=False),
        sa.Column("source_resource_id", sa.Integer(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["catalog_resources.id"]),
        sa.ForeignKeyConstraint(["source_resource_id"], ["catalog_resources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resource_id", "item_name"),
    )
    op.create_index(
        "ix_catalog_overlap_justifications_resource_id",
        "catalog_overlap_justifications",
        ["resource_id"],
    )
    op.create_table(
        "data_column_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("source_column", sa.String(length=256), nullable=False),
        sa.Column("item", sa.String(length=128), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["catalog_resources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resource_id", "source_column"),
    )
    op.create_index("ix_data_column_mappings_resource_id", "data_column_mappings", ["resource_id"])


def downgrade() -> None:
    op.drop_index("ix_data_column_mappings_resource_id", table_name="data_column_mappings")
    op.drop_table("data_column_mappings")
    op.drop_index(
        "ix_catalog_overlap_justifications_resource_id", table_name="catalog_overlap_justifications"
    )
    op.drop_table("catalog_overlap_justifications")
    op.drop_index("ix_catalog_items_element_ref", table_name="catalog_items")
    op.drop_index("ix_catalog_items_name_key", table_name="catalog_items")
    with op.batch_alter_table("catalog_items") as batch:
        batch.drop_column("name_key")
