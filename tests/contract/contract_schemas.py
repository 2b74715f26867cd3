"""The stable contracts' JSON Schema files (docs/reference/schemas/) and a validator for them.

The contract tests run real arpose (the CLI, the Recorder, the OSC sender, the WebSocket
server) and validate what it writes against these files, so the schemas users read are the
ones the code keeps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "reference" / "schemas"


def schema(name: str) -> dict[str, Any]:
    """The schema ``docs/reference/schemas/<name>.schema.json``, checked to be a valid schema."""
    doc = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(doc)
    return doc


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(name: str, instance: Any) -> list[str]:
    """Every violation of schema ``name`` by ``instance``, as readable lines (empty: valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]
