"""Parley's read-only JSON API under /api/v1/: every public record, with its sources."""
