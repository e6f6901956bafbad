#!/usr/bin/env python3
"""Validates Accord events (one canonical JSON document per line on stdin) against schema/events/.

Each event is checked against the schema of its type; a correction's replacement is also checked against the
payload schema of the type it replaces. Prints one line per failure and exits 1 if any event fails.
Needs the `jsonschema` package (pip install jsonschema).
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def main() -> int:
    directory = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "schema" / "events")
    schemas = {path.name: json.loads(path.read_text()) for path in directory.glob("*.json")}
    registry = Registry().with_resources((doc["$id"], Resource.from_contents(doc)) for doc in schemas.values())
    validators = {name[:-5]: Draft202012Validator(doc, registry=registry) for name, doc in schemas.items()}
    failures = 0
    checked = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        event = json.loads(line)
        event_type = event.get("type")
        validator = validators.get(event_type)
        if validator is None or event_type in ("common", "envelope"):
            print(f"line {number}: no schema for event type {event_type!r}")
            failures += 1
            continue
        errors = list(validator.iter_errors(event))
        if event_type == "entry.corrected":
            target = event["payload"].get("targetType")
            target_schema = schemas.get(f"{target}.json")
            if target_schema is None:
                errors.append(f"no schema for corrected type {target!r}")
            else:
                payload_schema = dict(target_schema["properties"]["payload"], **{"$id": target_schema["$id"]})
                errors += list(Draft202012Validator(payload_schema, registry=registry).iter_errors(event["payload"]["replacement"]))
        for error in errors:
            print(f"line {number} ({event_type}): {getattr(error, 'message', error)}")
            failures += 1
        checked += 1
    print(f"{checked} events checked, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
