"""Item precision, and 数据类型 from the vocabulary

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: 数据类型 became a choice (catalog/vocab.py ``ItemType``). Free-text values written before
#: that are mapped to the type they name; anything else is text, which holds any value.
TYPES = ("字符型", "代码型", "数值型", "整数型", "日期型", "日期时间型", "布尔型")
SYNONYMS = {
    "字符": "字符型",
    "字符串": "字符型",
    "文本型": "字符型",
    "备注型": "字符型",
    "代码": "代码型",
    "数值": "数值型",
    "数字型": "数值型",
    "浮点型": "数值型",
    "双精度型": "数值型",
    "货币型": "数值型",
    "整型": "整数型",
    "整数": "整数型",
    "日期": "日期型",
    "日期时间": "日期时间型",
    "逻辑型": "布尔型",
    "布尔": "布尔型",
}


def _normalise_item_types() -> None:
    items = sa.table("catalog_items", sa.column("data_type", sa.String))
    for old, new in SYNONYMS.items():
        op.execute(items.update().where(items.c.data_type == old).values(data_type=new))
    op.execute(items.update().where(items.c.data_type.not_in(TYPES)).values(data_type="字符型"))


def upgrade() -> None:
    with op.batch_alter_table("catalog_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("precision", sa.Integer(), nullable=True))
    _normalise_item_types()


def downgrade() -> None:
    with op.batch_alter_table("catalog_items", schema=None) as batch_op:
        batch_op.drop_column("precision")
