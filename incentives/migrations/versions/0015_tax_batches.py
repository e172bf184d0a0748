"""tax batches: a tax bureau's batch of monitoring files and their results (issue 15)

Revision ID: 0015
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tax_batch",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("caller", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("files_total", sa.Integer(), nullable=False),
        sa.Column("files_done", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "tax_batch_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["tax_batch.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tax_batch_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tax_batch_file_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tax_batch_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_batch_file_batch_id"))
    op.drop_table("tax_batch_file")
    op.drop_table("tax_batch")
