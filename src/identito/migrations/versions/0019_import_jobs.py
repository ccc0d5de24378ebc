"""Import jobs: an import that resumes after a crash (issue 12).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

* ``import_jobs``: one row per imported file (``file_digest``, the sha256 of its bytes,
  unique), its state and running totals; ``runner`` names the run allowed to commit;
* ``import_batches``: one row per committed batch (its first and last line), written in
  the batch's transaction with its identities and audit rows;
* ``import_rejects``: the rejected lines of every committed batch, one row per error.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_digest", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("runner", sa.String(40), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("rejects", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("file_digest", name=op.f("uq_import_jobs_file_digest")),
    )
    op.create_index(op.f("ix_import_jobs_started_at"), "import_jobs", ["started_at"])
    op.create_table(
        "import_batches",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("first_line", sa.Integer(), nullable=False),
        sa.Column("last_line", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("committed_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_jobs.id"], name=op.f("fk_import_batches_job_id_import_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", "first_line", name=op.f("pk_import_batches")),
    )
    op.create_table(
        "import_rejects",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_jobs.id"], name=op.f("fk_import_rejects_job_id_import_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", "line", "position", name=op.f("pk_import_rejects")),
    )


def downgrade() -> None:
    op.drop_table("import_rejects")
    op.drop_table("import_batches")
    op.drop_index(op.f("ix_import_jobs_started_at"), table_name="import_jobs")
    op.drop_table("import_jobs")
