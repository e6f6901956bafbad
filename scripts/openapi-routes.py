#!/usr/bin/env python3
"""Validates schema/openapi.yaml (OpenAPI 3.1) and prints its operations as JSON:
{"PATH METHOD": {"codes": [...], "secured": bool, "content": {"CODE": "media type"}}}.
Needs PyYAML and openapi-spec-validator (pip install pyyaml openapi-spec-validator)."""
import json
import pathlib
import sys

import yaml
from openapi_spec_validator import validate

path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "schema" / "openapi.yaml")
document = yaml.safe_load(path.read_text())
validate(document)
responses = document.get("components", {}).get("responses", {})
operations = {}
for route, item in document["paths"].items():
    for method, operation in item.items():
        codes = {}
        for code, response in operation["responses"].items():
            if "$ref" in response:
                response = responses[response["$ref"].split("/")[-1]]
            codes[code] = next(iter(response.get("content", {})), None)
        secured = operation.get("security", document.get("security")) != []
        operations[f"{route} {method.upper()}"] = {"codes": sorted(codes), "secured": secured, "content": codes}
print(json.dumps(operations, sort_keys=True))
