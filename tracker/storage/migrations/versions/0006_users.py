"""users of the team server: accounts, API tokens and browser sessions

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("name", sa.String(length=120), primary_key=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.CheckConstraint("role IN ('analyst', 'reviewer', 'lead')", name="ck_app_user_role"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(length=120), sa.ForeignKey("app_user.name"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_api_token_user_name", "api_token", ["user_name"])
    op.create_table(
        "web_session",
        sa.Column("id_hash", sa.String(length=64), primary_key=True),
        sa.Column("user_name", sa.String(length=120), sa.ForeignKey("app_user.name"), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_web_session_user_name", "web_session", ["user_name"])


def downgrade() -> None:
    op.drop_index("ix_web_session_user_name", table_name="web_session")
    op.drop_table("web_session")
    op.drop_index("ix_api_token_user_name", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("app_user")
