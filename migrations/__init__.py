"""Alembic migrations; run them with `onramp db upgrade`."""
