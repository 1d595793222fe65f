"""The editorial roles, as groups of permissions; the data migration and the tests both read this."""

CONTENT_MODELS = ("organisation", "programme", "guidance")
TAXONOMY_MODELS = ("sector", "topic")

EDITOR_PERMISSIONS = [
    *(f"{action}_{model}" for model in CONTENT_MODELS + TAXONOMY_MODELS for action in ("view", "add", "change")),
]
# Publishers may also read the log of CSV exports (view_exportrecord): migration 0007 grants it, because 0002 builds
# the groups from this module, before that model existed.
PUBLISHER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    *(f"publish_{model}" for model in CONTENT_MODELS),
    *(f"delete_{model}" for model in CONTENT_MODELS + TAXONOMY_MODELS),
]
EXPORTER_PERMISSIONS = [
    *(f"view_{model}" for model in CONTENT_MODELS + TAXONOMY_MODELS),
    *(f"export_{model}" for model in CONTENT_MODELS),
]

ROLES = {
    "Editors": EDITOR_PERMISSIONS,
    "Publishers": PUBLISHER_PERMISSIONS,
    "Exporters": EXPORTER_PERMISSIONS,
}

# What later migrations granted, each frozen in its own migration (0007: the export log; 0015: the audit of all
# changes): with ROLES, what each group holds on a migrated database. Tests rebuild groups from both after a
# transactional test has flushed them.
GRANTED_LATER = {"Publishers": ["view_exportrecord", "view_revision"]}


def role_permissions(name):
    return [*ROLES[name], *GRANTED_LATER.get(name, [])]
