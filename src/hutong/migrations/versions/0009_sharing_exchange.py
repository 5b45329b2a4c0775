"""sharing exchange: applications, steps, gate documents, grants, usage, deliveries,
notifications, external-provision requests, correction reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_exchange_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_notifications")),
    )
    op.create_index(
        op.f("ix_exchange_notifications_user_id"), "exchange_notifications", ["user_id"]
    )

    op.create_table(
        "exchange_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("applicant_unit_id", sa.Integer(), nullable=False),
        sa.Column("provider_unit_id", sa.Integer(), nullable=False),
        sa.Column("applicant_name", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("purpose_category", sa.String(length=24), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("item_reasons", sa.JSON(), nullable=False),
        sa.Column("row_filter", sa.JSON(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_until", sa.Date(), nullable=False),
        sa.Column("access_mode", sa.String(length=16), nullable=False),
        sa.Column("security_measures", sa.Text(), nullable=False),
        sa.Column("rows_per_day", sa.Integer(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("require_agreement", sa.Boolean(), nullable=False),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_workdays", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_applications_applicant_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_applications_provider_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_exchange_applications_resource_id_catalog_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_applications")),
    )
    op.create_index(
        op.f("ix_exchange_applications_applicant_unit_id"),
        "exchange_applications",
        ["applicant_unit_id"],
    )
    op.create_index(
        op.f("ix_exchange_applications_due_date"), "exchange_applications", ["due_date"]
    )
    op.create_index(
        op.f("ix_exchange_applications_provider_unit_id"),
        "exchange_applications",
        ["provider_unit_id"],
    )
    op.create_index(
        op.f("ix_exchange_applications_resource_id"), "exchange_applications", ["resource_id"]
    )
    op.create_index(op.f("ix_exchange_applications_status"), "exchange_applications", ["status"])

    op.create_table(
        "exchange_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("reporter_unit_id", sa.Integer(), nullable=False),
        sa.Column("provider_unit_id", sa.Integer(), nullable=False),
        sa.Column("row_keys", sa.JSON(), nullable=False),
        sa.Column("item", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=128), nullable=False),
        sa.Column("filed_by", sa.String(length=128), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_corrections_provider_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_corrections_reporter_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_exchange_corrections_resource_id_catalog_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_corrections")),
    )
    op.create_index(
        op.f("ix_exchange_corrections_provider_unit_id"),
        "exchange_corrections",
        ["provider_unit_id"],
    )
    op.create_index(
        op.f("ix_exchange_corrections_reporter_unit_id"),
        "exchange_corrections",
        ["reporter_unit_id"],
    )
    op.create_index(
        op.f("ix_exchange_corrections_resource_id"), "exchange_corrections", ["resource_id"]
    )
    op.create_index(op.f("ix_exchange_corrections_status"), "exchange_corrections", ["status"])

    op.create_table(
        "exchange_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("signatories", sa.JSON(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=256), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["exchange_applications.id"],
            name=op.f("fk_exchange_documents_application_id_exchange_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_documents")),
    )
    op.create_index(
        op.f("ix_exchange_documents_application_id"), "exchange_documents", ["application_id"]
    )

    op.create_table(
        "exchange_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("consumer_unit_id", sa.Integer(), nullable=False),
        sa.Column("provider_unit_id", sa.Integer(), nullable=False),
        sa.Column("users", sa.JSON(), nullable=False),
        sa.Column("clients", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("row_filter", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("purpose_category", sa.String(length=24), nullable=False),
        sa.Column("access_mode", sa.String(length=16), nullable=False),
        sa.Column("max_rows_per_query", sa.Integer(), nullable=False),
        sa.Column("rows_per_day", sa.Integer(), nullable=True),
        sa.Column("requests_per_minute", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["exchange_applications.id"],
            name=op.f("fk_exchange_grants_application_id_exchange_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["consumer_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_grants_consumer_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_grants_provider_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_exchange_grants_resource_id_catalog_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_grants")),
        sa.UniqueConstraint("code", name=op.f("uq_exchange_grants_code")),
    )
    op.create_index(
        op.f("ix_exchange_grants_application_id"), "exchange_grants", ["application_id"]
    )
    op.create_index(
        op.f("ix_exchange_grants_consumer_unit_id"), "exchange_grants", ["consumer_unit_id"]
    )
    op.create_index(
        "ix_exchange_grants_lookup", "exchange_grants", ["resource_id", "consumer_unit_id"]
    )
    op.create_index(
        op.f("ix_exchange_grants_provider_unit_id"), "exchange_grants", ["provider_unit_id"]
    )
    op.create_index(op.f("ix_exchange_grants_resource_id"), "exchange_grants", ["resource_id"])
    op.create_index(op.f("ix_exchange_grants_status"), "exchange_grants", ["status"])
    op.create_index(op.f("ix_exchange_grants_valid_until"), "exchange_grants", ["valid_until"])

    op.create_table(
        "exchange_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=False),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["exchange_applications.id"],
            name=op.f("fk_exchange_steps_application_id_exchange_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_steps")),
    )
    op.create_index(op.f("ix_exchange_steps_application_id"), "exchange_steps", ["application_id"])

    op.create_table(
        "exchange_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["exchange_grants.id"],
            name=op.f("fk_exchange_deliveries_grant_id_exchange_grants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_deliveries")),
        sa.UniqueConstraint("token", name=op.f("uq_exchange_deliveries_token")),
    )
    op.create_index(op.f("ix_exchange_deliveries_grant_id"), "exchange_deliveries", ["grant_id"])
    op.create_index(op.f("ix_exchange_deliveries_sha256"), "exchange_deliveries", ["sha256"])

    op.create_table(
        "exchange_external_provisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("applicant_unit_id", sa.Integer(), nullable=False),
        sa.Column("provider_unit_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=128), nullable=False),
        sa.Column("filed_by", sa.String(length=128), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_external_provisions_applicant_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["exchange_grants.id"],
            name=op.f("fk_exchange_external_provisions_grant_id_exchange_grants"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_unit_id"],
            ["units.id"],
            name=op.f("fk_exchange_external_provisions_provider_unit_id_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_external_provisions")),
    )
    op.create_index(
        op.f("ix_exchange_external_provisions_applicant_unit_id"),
        "exchange_external_provisions",
        ["applicant_unit_id"],
    )
    op.create_index(
        op.f("ix_exchange_external_provisions_grant_id"),
        "exchange_external_provisions",
        ["grant_id"],
    )
    op.create_index(
        op.f("ix_exchange_external_provisions_provider_unit_id"),
        "exchange_external_provisions",
        ["provider_unit_id"],
    )
    op.create_index(
        op.f("ix_exchange_external_provisions_status"), "exchange_external_provisions", ["status"]
    )

    op.create_table(
        "exchange_grant_usage",
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.Column("denied", sa.Integer(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_calls", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["exchange_grants.id"],
            name=op.f("fk_exchange_grant_usage_grant_id_exchange_grants"),
        ),
        sa.PrimaryKeyConstraint("grant_id", "day", name=op.f("pk_exchange_grant_usage")),
    )


def downgrade() -> None:
    op.drop_table("exchange_grant_usage")
    op.drop_index(
        op.f("ix_exchange_external_provisions_applicant_unit_id"),
        table_name="exchange_external_provisions",
    )
    op.drop_index(
        op.f("ix_exchange_external_provisions_grant_id"), table_name="exchange_external_provisions"
    )
    op.drop_index(
        op.f("ix_exchange_external_provisions_provider_unit_id"),
        table_name="exchange_external_provisions",
    )
    op.drop_index(
        op.f("ix_exchange_external_provisions_status"), table_name="exchange_external_provisions"
    )
    op.drop_table("exchange_external_provisions")
    op.drop_index(op.f("ix_exchange_deliveries_grant_id"), table_name="exchange_deliveries")
    op.drop_index(op.f("ix_exchange_deliveries_sha256"), table_name="exchange_deliveries")
    op.drop_table("exchange_deliveries")
    op.drop_index(op.f("ix_exchange_steps_application_id"), table_name="exchange_steps")
    op.drop_table("exchange_steps")
    op.drop_index(op.f("ix_exchange_grants_application_id"), table_name="exchange_grants")
    op.drop_index(op.f("ix_exchange_grants_consumer_unit_id"), table_name="exchange_grants")
    op.drop_index("ix_exchange_grants_lookup", table_name="exchange_grants")
    op.drop_index(op.f("ix_exchange_grants_provider_unit_id"), table_name="exchange_grants")
    op.drop_index(op.f("ix_exchange_grants_resource_id"), table_name="exchange_grants")
    op.drop_index(op.f("ix_exchange_grants_status"), table_name="exchange_grants")
    op.drop_index(op.f("ix_exchange_grants_valid_until"), table_name="exchange_grants")
    op.drop_table("exchange_grants")
    op.drop_index(op.f("ix_exchange_documents_application_id"), table_name="exchange_documents")
    op.drop_table("exchange_documents")
    op.drop_index(
        op.f("ix_exchange_corrections_provider_unit_id"), table_name="exchange_corrections"
    )
    op.drop_index(
        op.f("ix_exchange_corrections_reporter_unit_id"), table_name="exchange_corrections"
    )
    op.drop_index(op.f("ix_exchange_corrections_resource_id"), table_name="exchange_corrections")
    op.drop_index(op.f("ix_exchange_corrections_status"), table_name="exchange_corrections")
    op.drop_table("exchange_corrections")
    op.drop_index(
        op.f("ix_exchange_applications_applicant_unit_id"), table_name="exchange_applications"
    )
    op.drop_index(op.f("ix_exchange_applications_due_date"), table_name="exchange_applications")
    op.drop_index(
        op.f("ix_exchange_applications_provider_unit_id"), table_name="exchange_applications"
    )
    op.drop_index(op.f("ix_exchange_applications_resource_id"), table_name="exchange_applications")
    op.drop_index(op.f("ix_exchange_applications_status"), table_name="exchange_applications")
    op.drop_table("exchange_applications")
    op.drop_index(op.f("ix_exchange_notifications_user_id"), table_name="exchange_notifications")
    op.drop_table("exchange_notifications")
