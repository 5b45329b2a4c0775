"""compliance: system registry, findings, rectification notices, risk assessments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "compliance_check_results",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint(
            "run_id", "rule_id", "subject_id", name=op.f("pk_compliance_check_results")
        ),
    )
    op.create_table(
        "compliance_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("rules", sa.Integer(), nullable=False),
        sa.Column("failing", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_runs")),
    )
    op.create_table(
        "compliance_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("times_opened", sa.Integer(), nullable=False),
        sa.Column("first_opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_compliance_findings_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_findings")),
        sa.UniqueConstraint("rule_id", "subject_id", name=op.f("uq_compliance_findings_rule_id")),
    )
    with op.batch_alter_table("compliance_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_findings_changed_run_id"), ["changed_run_id"], unique=False
        )
        batch_op.create_index(
            "ix_compliance_findings_status", ["status", "unit_id", "rule_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compliance_findings_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "compliance_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("issuer_unit_id", sa.Integer(), nullable=True),
        sa.Column("issued_by", sa.String(length=128), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_unit_id"],
            ["units.id"],
            name=op.f("fk_compliance_notices_issuer_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_compliance_notices_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_notices")),
        sa.UniqueConstraint("number", name=op.f("uq_compliance_notices_number")),
    )
    with op.batch_alter_table("compliance_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_notices_deadline"), ["deadline"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_compliance_notices_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_compliance_notices_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "compliance_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assessed_by", sa.String(length=128), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_to_unit_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reported_to_unit_id"],
            ["units.id"],
            name=op.f("fk_compliance_assessments_reported_to_unit_id_units"),
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_compliance_assessments_system_id_information_systems"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_compliance_assessments_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_assessments")),
    )
    with op.batch_alter_table("compliance_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_assessments_system_id"), ["system_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compliance_assessments_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "compliance_finding_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["compliance_findings.id"],
            name=op.f("fk_compliance_finding_events_finding_id_compliance_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["compliance_runs.id"],
            name=op.f("fk_compliance_finding_events_run_id_compliance_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_finding_events")),
    )
    with op.batch_alter_table("compliance_finding_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_finding_events_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compliance_finding_events_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "compliance_notice_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("transition", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["compliance_notices.id"],
            name=op.f("fk_compliance_notice_events_notice_id_compliance_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_notice_events")),
    )
    with op.batch_alter_table("compliance_notice_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_notice_events_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "compliance_notice_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=128), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["compliance_findings.id"],
            name=op.f("fk_compliance_notice_evidence_finding_id_compliance_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["compliance_notices.id"],
            name=op.f("fk_compliance_notice_evidence_notice_id_compliance_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_notice_evidence")),
    )
    with op.batch_alter_table("compliance_notice_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_notice_evidence_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "compliance_notice_findings",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["compliance_findings.id"],
            name=op.f("fk_compliance_notice_findings_finding_id_compliance_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["compliance_notices.id"],
            name=op.f("fk_compliance_notice_findings_notice_id_compliance_notices"),
        ),
        sa.PrimaryKeyConstraint(
            "notice_id", "finding_id", name=op.f("pk_compliance_notice_findings")
        ),
    )
    with op.batch_alter_table("compliance_notice_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_notice_findings_finding_id"), ["finding_id"], unique=False
        )

    op.create_table(
        "compliance_security_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("auditor", sa.String(length=200), nullable=False),
        sa.Column("conclusion", sa.String(length=16), nullable=False),
        sa.Column("report_ref", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_compliance_security_audits_system_id_information_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_security_audits")),
    )
    with op.batch_alter_table("compliance_security_audits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_security_audits_system_id"), ["system_id"], unique=False
        )

    op.create_table(
        "compliance_system_profiles",
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("persons_pi", sa.Integer(), nullable=False),
        sa.Column("pi_officer_user_id", sa.Integer(), nullable=True),
        sa.Column("responsible_person", sa.String(length=64), nullable=False),
        sa.Column("mlps_level", sa.Integer(), nullable=True),
        sa.Column("third_party_platform", sa.String(length=200), nullable=False),
        sa.Column("third_party_agreement_ref", sa.String(length=200), nullable=False),
        sa.Column("third_party_agreement_date", sa.Date(), nullable=True),
        sa.Column("third_party_agreement_expires", sa.Date(), nullable=True),
        sa.Column("provincial_filing_date", sa.Date(), nullable=True),
        sa.Column("provincial_filing_ref", sa.String(length=200), nullable=False),
        sa.Column("security_rules_doc", sa.String(length=200), nullable=False),
        sa.Column("emergency_plan_doc", sa.String(length=200), nullable=False),
        sa.Column("emergency_plan_covers_data", sa.Boolean(), nullable=False),
        sa.Column("confidentiality_review", sa.String(length=16), nullable=False),
        sa.Column("confidentiality_review_date", sa.Date(), nullable=True),
        sa.Column("storage_plan_doc", sa.String(length=200), nullable=False),
        sa.Column("offsite_backup", sa.Boolean(), nullable=False),
        sa.Column("stores_abroad", sa.Boolean(), nullable=False),
        sa.Column("export_assessment_ref", sa.String(length=200), nullable=False),
        sa.Column("encrypts_at_rest", sa.Boolean(), nullable=False),
        sa.Column("encrypts_in_transit", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pi_officer_user_id"],
            ["users.id"],
            name=op.f("fk_compliance_system_profiles_pi_officer_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["information_systems.id"],
            name=op.f("fk_compliance_system_profiles_system_id_information_systems"),
        ),
        sa.PrimaryKeyConstraint("system_id", name=op.f("pk_compliance_system_profiles")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("compliance_system_profiles")
    with op.batch_alter_table("compliance_security_audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_security_audits_system_id"))

    op.drop_table("compliance_security_audits")
    with op.batch_alter_table("compliance_notice_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_notice_findings_finding_id"))

    op.drop_table("compliance_notice_findings")
    with op.batch_alter_table("compliance_notice_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_notice_evidence_notice_id"))

    op.drop_table("compliance_notice_evidence")
    with op.batch_alter_table("compliance_notice_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_notice_events_notice_id"))

    op.drop_table("compliance_notice_events")
    with op.batch_alter_table("compliance_finding_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_finding_events_run_id"))
        batch_op.drop_index(batch_op.f("ix_compliance_finding_events_finding_id"))

    op.drop_table("compliance_finding_events")
    with op.batch_alter_table("compliance_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_assessments_unit_id"))
        batch_op.drop_index(batch_op.f("ix_compliance_assessments_system_id"))

    op.drop_table("compliance_assessments")
    with op.batch_alter_table("compliance_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_notices_unit_id"))
        batch_op.drop_index(batch_op.f("ix_compliance_notices_state"))
        batch_op.drop_index(batch_op.f("ix_compliance_notices_deadline"))

    op.drop_table("compliance_notices")
    with op.batch_alter_table("compliance_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_findings_unit_id"))
        batch_op.drop_index("ix_compliance_findings_status")
        batch_op.drop_index(batch_op.f("ix_compliance_findings_changed_run_id"))

    op.drop_table("compliance_findings")
    op.drop_table("compliance_runs")
    op.drop_table("compliance_check_results")
