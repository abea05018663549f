"""Incidents, their services, linked risks and history; follow-ups on mitigations.

Revision ID: 0017
Revises: 0016

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("commander_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("impact_minutes", sa.Double(), nullable=False),
        sa.Column("impact_share", sa.Double(), nullable=True),
        sa.Column("review_url", sa.String(length=500), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'reviewing', 'closed')", name=op.f("ck_incidents_status_known")
        ),
        sa.CheckConstraint("impact_minutes >= 0", name=op.f("ck_incidents_impact_not_negative")),
        sa.CheckConstraint(
            "impact_share BETWEEN 0 AND 1", name=op.f("ck_incidents_impact_share_is_share")
        ),
        sa.ForeignKeyConstraint(
            ["commander_id"], ["users.id"], name=op.f("fk_incidents_commander_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_incidents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_incidents_team_id_teams")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_incidents_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_commander_id"), ["commander_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_resolved_at"), ["resolved_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_severity"), ["severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index("ix_incidents_team_started", ["team_id", "started_at"], unique=False)

    op.create_table(
        "incident_events",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_incident_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_events_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    with op.batch_alter_table("incident_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_events_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_risks",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_risks_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
            name=op.f("fk_incident_risks_risk_id_risks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "risk_id", name=op.f("pk_incident_risks")),
    )
    with op.batch_alter_table("incident_risks", schema=None) as batch_op:
        batch_op.create_index("ix_incident_risks_risk_id", ["risk_id"], unique=False)

    op.create_table(
        "incident_services",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_services_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "name", name=op.f("pk_incident_services")),
    )
    with op.batch_alter_table("incident_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_services_name"), ["name"], unique=False)

    with op.batch_alter_table("mitigations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_incident_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("horizon", sa.String(length=8), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_mitigations_source_incident_id"), ["source_incident_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_mitigations_source_incident_id_incidents"),
            "incidents",
            ["source_incident_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_mitigations_horizon_known"), "horizon IN ('short', 'long')"
        )
        batch_op.create_check_constraint(
            op.f("ck_mitigations_follow_up_has_horizon"),
            "source_incident_id IS NULL OR horizon IS NOT NULL",
        )


def downgrade():
    with op.batch_alter_table("mitigations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_mitigations_follow_up_has_horizon"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_mitigations_horizon_known"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_mitigations_source_incident_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_mitigations_source_incident_id"))
        batch_op.drop_column("horizon")
        batch_op.drop_column("source_incident_id")

    with op.batch_alter_table("incident_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_services_name"))

    op.drop_table("incident_services")
    with op.batch_alter_table("incident_risks", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_risks_risk_id")

    op.drop_table("incident_risks")
    with op.batch_alter_table("incident_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_events_incident_id"))

    op.drop_table("incident_events")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_team_started")
        batch_op.drop_index(batch_op.f("ix_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_incidents_started_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_severity"))
        batch_op.drop_index(batch_op.f("ix_incidents_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_commander_id"))

    op.drop_table("incidents")
