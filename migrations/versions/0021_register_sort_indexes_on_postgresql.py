"""An index for every column sort of the register on PostgreSQL, in both directions.

0013 gave PostgreSQL the descending score and residual sorts. Every other column sort (key,
title, bad minutes, next review, updated) in either direction, and the ascending score and
residual sorts, still read and sorted every risk: PostgreSQL walks an index backwards only in
the reverse of its whole order, which puts empty values first and the oldest key first — not
the register's order (empty values last either way, then the newest key first).

Revision ID: 0021
Revises: 0020

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

SORTS = {
    'score': ['score', 'residual_score'],
    'residual': ['residual_score', 'score'],
    'key': ['number'],
    'title': ['lower(title)'],
    'bad_minutes': ['bad_minutes_per_year'],
    'next_review': ['next_review'],
    'updated': ['updated_at'],
}


def _indexes():
    """(name, ordered columns) of each index, as tracker.models.risks declares them."""
    for sort, columns in SORTS.items():
        for direction in ('asc',) if sort in ('score', 'residual') else ('asc', 'desc'):
            ordered = [f'{column} {direction.upper()} NULLS LAST' for column in columns]
            tie_break = [] if sort == 'key' else ['number DESC']
            yield f'ix_risks_register_by_{sort}_{direction}', ordered + tie_break


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, columns in _indexes():
        op.create_index(
            name,
            'risks',
            [sa.text(column) for column in columns],
            postgresql_where=sa.text('archived_at IS NULL'),
        )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, _ in _indexes():
        op.drop_index(name, table_name='risks')
