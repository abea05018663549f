"""Backing up and restoring the SQLite database (PostgreSQL has pg_dump and pg_restore)."""
