"""Notifications name their subject (``kind:id``) instead of a console path (decision 0017)

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "exchange_notifications"
APPLICATION = "/console/exchange/a/"
ENTRY = "/console/catalog/r/"
ANCHOR = "#corrections"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("link", new_column_name="subject", existing_type=sa.String(length=256))
    # The paths that named a subject become its reference; the grant list and the request
    # page that no route served named none.
    op.execute(
        f"UPDATE {TABLE} SET subject = 'share_application:' || substr(subject, "
        f"{len(APPLICATION) + 1}) WHERE subject LIKE '{APPLICATION}%'"
    )
    op.execute(
        f"UPDATE {TABLE} SET subject = 'corrections:' || replace(substr(subject, "
        f"{len(ENTRY) + 1}), '{ANCHOR}', '') WHERE subject LIKE '{ENTRY}%'"
    )
    op.execute(f"UPDATE {TABLE} SET subject = '' WHERE subject LIKE '/%'")


def downgrade() -> None:
    op.execute(
        f"UPDATE {TABLE} SET subject = '{APPLICATION}' || substr(subject, 19) "
        "WHERE subject LIKE 'share_application:%'"
    )
    op.execute(
        f"UPDATE {TABLE} SET subject = '{ENTRY}' || substr(subject, 13) || '{ANCHOR}' "
        "WHERE subject LIKE 'corrections:%'"
    )
    op.execute(f"UPDATE {TABLE} SET subject = '' WHERE subject LIKE 'grant:%'")
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("subject", new_column_name="link", existing_type=sa.String(length=256))
