"""Revisions of published entries awaiting review, grants suspended by a catalog change,
and 数据类型 from the vocabulary (0018 added the items' precision)

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: 数据类型 became a choice (catalog/vocab.py ``ItemType``). Values written before that are
#: mapped to the type they name (the letters and names of 《政务信息资源目录编制指南（试行）》
#: and common synonyms, as the ingest checks read them); anything else is text, which holds
#: any value.
TYPES = (
    "字符型",
    "代码型",
    "数值型",
    "整数型",
    "浮点型",
    "日期型",
    "日期时间型",
    "时间型",
    "布尔型",
)
SYNONYMS = {
    **dict.fromkeys(
        ("C", "字符", "字符串", "文本", "文本型", "备注型", "M", "通用型", "G"), "字符型"
    ),
    **dict.fromkeys(("代码",), "代码型"),
    **dict.fromkeys(("N", "数值", "数字型", "货币型", "Y"), "数值型"),
    **dict.fromkeys(("I", "整型", "整数"), "整数型"),
    **dict.fromkeys(("F", "双精度型", "B"), "浮点型"),
    **dict.fromkeys(("D", "日期"), "日期型"),
    **dict.fromkeys(("T", "日期时间"), "日期时间型"),
    **dict.fromkeys(("L", "逻辑型", "布尔"), "布尔型"),
}


def _normalise_item_types() -> None:
    items = sa.table("catalog_items", sa.column("data_type", sa.String))
    for old, new in SYNONYMS.items():
        op.execute(items.update().where(items.c.data_type == old).values(data_type=new))
    op.execute(items.update().where(items.c.data_type.not_in(TYPES)).values(data_type="字符型"))


def upgrade() -> None:
    _normalise_item_types()

    op.create_table(
        "catalog_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("loosenings", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_catalog_revisions_resource_id_catalog_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_revisions")),
        sa.UniqueConstraint("resource_id", "number", name=op.f("uq_catalog_revisions_resource_id")),
    )
    with op.batch_alter_table("catalog_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_revisions_resource_id"), ["resource_id"])
        batch_op.create_index(batch_op.f("ix_catalog_revisions_status"), ["status"])

    with op.batch_alter_table("exchange_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("suspend_reason", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("exchange_grants", schema=None) as batch_op:
        batch_op.alter_column("suspend_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("exchange_grants", schema=None) as batch_op:
        batch_op.drop_column("suspend_reason")
        batch_op.drop_column("suspended_at")
    with op.batch_alter_table("catalog_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_revisions_status"))
        batch_op.drop_index(batch_op.f("ix_catalog_revisions_resource_id"))
    op.drop_table("catalog_revisions")
