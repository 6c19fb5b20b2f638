"""Screening: assessment definitions, applications, scoring (pure domain, no frameworks)."""
