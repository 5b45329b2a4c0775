"""Open portal: releases through the gate, download counts, disclosure requests

Revision ID: 0010
Revises: 0011
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "portal_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("check_passed", sa.Boolean(), nullable=False),
        sa.Column("check_report", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_unit_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", tz, nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", tz, nullable=True),
        sa.Column("approval_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", tz, nullable=True),
        sa.Column("risk_note", sa.Text(), nullable=False),
        sa.Column("published_at", tz, nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", tz, nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["catalog_resources.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_versions.id"]),
        sa.ForeignKeyConstraint(["requested_unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_portal_releases_resource_id", "portal_releases", ["resource_id"])
    op.create_index("ix_portal_releases_version_id", "portal_releases", ["version_id"])
    op.create_index("ix_portal_releases_state", "portal_releases", ["state", "resource_id"])
    op.create_table(
        "portal_download_counts",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["catalog_resources.id"]),
        sa.PrimaryKeyConstraint("resource_id", "day", "format"),
    )
    op.create_table(
        "disclosure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_no", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("applicant_sealed", sa.Text(), nullable=False),
        sa.Column("applicant_key", sa.String(length=64), nullable=False),
        sa.Column("id_type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("preferred_format", sa.String(length=16), nullable=False),
        sa.Column("received_at", tz, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("correction_asked_on", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("extension_approver", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("other_office", sa.String(length=200), nullable=False),
        sa.Column("answered_at", tz, nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_no", name="uq_disclosure_requests_tracking_no"),
    )
    op.create_index("ix_disclosure_requests_state", "disclosure_requests", ["state"])
    op.create_index(
        "ix_disclosure_requests_applicant_key", "disclosure_requests", ["applicant_key"]
    )
    op.create_index("ix_disclosure_requests_due_date", "disclosure_requests", ["due_date"])
    op.create_table(
        "disclosure_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", tz, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["disclosure_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_disclosure_events_request_id", "disclosure_events", ["request_id"])


def downgrade() -> None:
    op.drop_table("disclosure_events")
    op.drop_table("disclosure_requests")
    op.drop_table("portal_download_counts")
    op.drop_table("portal_releases")
