"""index question.condition_question_id: resolving a question finds its dependents without a scan

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_question_condition_question_id", "question", ["condition_question_id"])


def downgrade() -> None:
    op.drop_index("ix_question_condition_question_id", table_name="question")
