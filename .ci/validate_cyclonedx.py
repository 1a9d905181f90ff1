"""Validate CycloneDX JSON documents against the official schema, strictly.

Usage: validate_cyclonedx.py VERSION FILE...   (VERSION: 1.5 or 1.6)
"""
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

versions = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}
validator = JsonStrictValidator(versions[sys.argv[1]])
failed = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        error = validator.validate_str(f.read())
    if error is not None:
        failed += 1
        print(f"{path}: INVALID: {error}", file=sys.stderr)
    else:
        print(f"{path}: valid CycloneDX {sys.argv[1]}")
sys.exit(1 if failed else 0)
