"""Disclosure requests name the office applied to; accounts remember their last TOTP step

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_disclosure_requests_office_unit_id"), ["office_unit_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_disclosure_requests_office_unit_id_units"),
            "units",
            ["office_unit_id"],
            ["id"],
        )
    # Requests filed before offices were named went to the platform's operator (the root).
    op.execute(
        "UPDATE disclosure_requests SET office_unit_id = "
        "(SELECT MIN(id) FROM units WHERE parent_id IS NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_disclosure_requests_office_unit_id_units"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_disclosure_requests_office_unit_id"))
        batch_op.drop_column("office_unit_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
