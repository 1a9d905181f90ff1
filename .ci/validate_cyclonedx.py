"""Validate CycloneDX documents against the official schemas, strictly.

Usage: validate_cyclonedx.py VERSION FILE...   (VERSION: 1.5 or 1.6; .xml files are
validated against the XSD, anything else against the JSON schema)
"""
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator

versions = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}
version = versions[sys.argv[1]]
failed = 0
for path in sys.argv[2:]:
    validator = XmlValidator(version) if path.endswith(".xml") else JsonStrictValidator(version)
    with open(path, encoding="utf-8") as f:
        error = validator.validate_str(f.read())
    if error is not None:
        failed += 1
        print(f"{path}: INVALID: {error}", file=sys.stderr)
    else:
        print(f"{path}: valid CycloneDX {sys.argv[1]}")
sys.exit(1 if failed else 0)
