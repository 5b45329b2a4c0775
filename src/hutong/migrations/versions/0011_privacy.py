"""Personal-information protection: collection notices, consents and their ledger, receipts,
sensitive-PI leadership decisions, automated decision-making register, research extracts,
PI complaints (issue 8)

Revision ID: 0011
Revises: 0013
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_consent_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consent_receipts")),
    )
    op.create_index(
        op.f("ix_privacy_consent_receipts_subject"),
        "privacy_consent_receipts",
        ["subject"],
        unique=False,
    )
    op.create_table(
        "privacy_automated_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("logic", sa.Text(), nullable=False),
        sa.Column("pi_items", sa.JSON(), nullable=False),
        sa.Column("effects", sa.Text(), nullable=False),
        sa.Column("human_review", sa.Text(), nullable=False),
        sa.Column("fairness", sa.JSON(), nullable=True),
        sa.Column("fairness_passed", sa.Boolean(), nullable=True),
        sa.Column("fairness_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_privacy_automated_decisions_system_id_information_systems"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_privacy_automated_decisions_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_automated_decisions")),
    )
    op.create_index(
        op.f("ix_privacy_automated_decisions_unit_id"),
        "privacy_automated_decisions",
        ["unit_id"],
        unique=False,
    )
    op.create_table(
        "privacy_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=False),
        sa.Column("text_sealed", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=128), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_privacy_complaints_system_id_information_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_complaints")),
        sa.UniqueConstraint("number", name=op.f("uq_privacy_complaints_number")),
    )
    op.create_index(
        op.f("ix_privacy_complaints_due_date"), "privacy_complaints", ["due_date"], unique=False
    )
    op.create_table(
        "privacy_consent_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_privacy_consent_batches_system_id_information_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consent_batches")),
    )
    op.create_index(
        op.f("ix_privacy_consent_batches_system_id"),
        "privacy_consent_batches",
        ["system_id"],
        unique=False,
    )
    op.create_table(
        "privacy_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("retention", sa.String(length=200), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(length=16), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("material_change", sa.Boolean(), nullable=False),
        sa.Column("published_by", sa.String(length=128), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_privacy_notices_system_id_information_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
        sa.UniqueConstraint("system_id", "version", name=op.f("uq_privacy_notices_system_id")),
    )
    op.create_index(
        op.f("ix_privacy_notices_system_id"), "privacy_notices", ["system_id"], unique=False
    )
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("given_by", sa.String(length=16), nullable=False),
        sa.Column("guardian", sa.String(length=64), nullable=False),
        sa.Column("guardian_relation", sa.String(length=16), nullable=False),
        sa.Column("child", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["privacy_notices.id"],
            name=op.f("fk_privacy_consents_notice_id_privacy_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_privacy_consents_system_id_information_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
        sa.UniqueConstraint(
            "system_id", "subject", "kind", "code", name=op.f("uq_privacy_consents_system_id")
        ),
    )
    op.create_index(
        op.f("ix_privacy_consents_notice_id"), "privacy_consents", ["notice_id"], unique=False
    )
    op.create_index("ix_privacy_consents_subject", "privacy_consents", ["subject"], unique=False)
    op.create_table(
        "privacy_extracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("requester_unit_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("masks", sa.JSON(), nullable=False),
        sa.Column("quasi", sa.JSON(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("produced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_unit_id"],
            ["units.id"],
            name=op.f("fk_privacy_extracts_requester_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_privacy_extracts_resource_id_catalog_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_extracts")),
        sa.UniqueConstraint("number", name=op.f("uq_privacy_extracts_number")),
    )
    op.create_index(
        op.f("ix_privacy_extracts_requester_unit_id"),
        "privacy_extracts",
        ["requester_unit_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_privacy_extracts_resource_id"), "privacy_extracts", ["resource_id"], unique=False
    )
    op.create_table(
        "privacy_sensitive_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("item_name", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("necessity", sa.Text(), nullable=False),
        sa.Column("scientific", sa.Text(), nullable=False),
        sa.Column("ethics", sa.Text(), nullable=False),
        sa.Column("meeting", sa.String(length=200), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resources.id"],
            name=op.f("fk_privacy_sensitive_decisions_resource_id_catalog_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_sensitive_decisions")),
    )
    op.create_index(
        op.f("ix_privacy_sensitive_decisions_resource_id"),
        "privacy_sensitive_decisions",
        ["resource_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_privacy_sensitive_decisions_resource_id"), table_name="privacy_sensitive_decisions"
    )
    op.drop_table("privacy_sensitive_decisions")
    op.drop_index(op.f("ix_privacy_extracts_requester_unit_id"), table_name="privacy_extracts")
    op.drop_index(op.f("ix_privacy_extracts_resource_id"), table_name="privacy_extracts")
    op.drop_table("privacy_extracts")
    op.drop_index(op.f("ix_privacy_consents_notice_id"), table_name="privacy_consents")
    op.drop_index("ix_privacy_consents_subject", table_name="privacy_consents")
    op.drop_table("privacy_consents")
    op.drop_index(op.f("ix_privacy_notices_system_id"), table_name="privacy_notices")
    op.drop_table("privacy_notices")
    op.drop_index(
        op.f("ix_privacy_consent_batches_system_id"), table_name="privacy_consent_batches"
    )
    op.drop_table("privacy_consent_batches")
    op.drop_index(op.f("ix_privacy_complaints_due_date"), table_name="privacy_complaints")
    op.drop_table("privacy_complaints")
    op.drop_index(
        op.f("ix_privacy_automated_decisions_unit_id"), table_name="privacy_automated_decisions"
    )
    op.drop_table("privacy_automated_decisions")
    op.drop_index(
        op.f("ix_privacy_consent_receipts_subject"), table_name="privacy_consent_receipts"
    )
    op.drop_table("privacy_consent_receipts")
