"""initial schema: scenarios, analysts, questions, tags, forecasts, resolutions

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario",
        sa.Column("id", sa.String(length=120), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source_title", sa.String(), nullable=True),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.Column("source_origin", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "analyst",
        sa.Column("name", sa.String(length=120), primary_key=True),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.String(length=120), primary_key=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("ordered", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("scenario_id", sa.String(length=120), sa.ForeignKey("scenario.id"), nullable=True),
        sa.Column("source_sentence", sa.String(), nullable=True),
        sa.Column("phrase", sa.String(), nullable=True),
        sa.Column("source_document", sa.String(), nullable=True),
        sa.Column("condition_question_id", sa.String(length=120), sa.ForeignKey("question.id"), nullable=True),
        sa.Column("condition_outcome", sa.String(), nullable=True),
        sa.Column("implies_question_id", sa.String(length=120), sa.ForeignKey("question.id"), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
    )
    op.create_index("ix_question_deadline", "question", ["deadline"])
    op.create_index("ix_question_scenario_id", "question", ["scenario_id"])
    op.create_table(
        "question_tag",
        sa.Column("question_id", sa.String(length=120), sa.ForeignKey("question.id"), primary_key=True),
        sa.Column("tag", sa.String(length=120), primary_key=True),
    )
    op.create_index("ix_question_tag_tag", "question_tag", ["tag"])
    op.create_table(
        "forecast",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.String(length=120), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("analyst", sa.String(length=120), sa.ForeignKey("analyst.name"), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("probabilities", sa.JSON(), nullable=True),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("imported", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.String(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_forecast_question_analyst_made", "forecast", ["question_id", "analyst", "made_at"])
    op.create_index("ix_forecast_analyst", "forecast", ["analyst"])
    op.create_table(
        "resolution",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.String(length=120), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("annulled", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("known_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), sa.ForeignKey("resolution.id"), nullable=True, unique=True),
        sa.Column("source", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_resolution_question_id", "resolution", ["question_id"])


def downgrade() -> None:
    for table in ("resolution", "forecast", "question_tag", "question", "analyst", "scenario"):
        op.drop_table(table)
