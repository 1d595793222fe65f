"""The public read-only JSON API, /api/v1/: the public lists and pages as data (README.md, "API")."""
