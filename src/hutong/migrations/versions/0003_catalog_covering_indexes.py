"""catalog: covering indexes for facets and the newest-first list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACET_COLUMNS = [
    "status",
    "share_type",
    "open_type",
    "grade",
    "format",
    "update_cycle",
    "has_pi",
    "provider_unit_id",
    "classification_id",
]


def upgrade() -> None:
    op.create_index("ix_catalog_resources_facets", "catalog_resources", FACET_COLUMNS)
    op.create_index(
        "ix_catalog_resources_recent", "catalog_resources", ["status", "updated_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_catalog_resources_recent", "catalog_resources")
    op.drop_index("ix_catalog_resources_facets", "catalog_resources")
