"""Label groups, one module per room that uses them; core.i18n merges them into LABELS.

Each module holds ``LABELS: dict[str, dict[str, str]]`` (key -> language -> text, with an
"en" entry for every key). A key belongs to exactly one group: core.i18n refuses a key
defined twice.
"""
