"""Validate CycloneDX documents against the official schemas, strictly.

Usage: validate_cyclonedx.py VERSION FILE...   (VERSION: 1.5, 1.6 or 1.7; .xml files are
validated against the XSD, anything else against the JSON schema). The schemas are the
ones cyclonedx-python-lib ships (11.x for 1.7). A document must also say it is VERSION:
the validators check the shape, not which specification the document claims.
"""
import json
import re
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator

versions = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}
name = sys.argv[1]
version = versions[name]


def claimed(path, text):
    """The version the document says it is."""
    if path.endswith(".xml"):
        m = re.search(r'xmlns="http://cyclonedx\.org/schema/bom/([0-9.]+)"', text)
        return m.group(1) if m else None
    return json.loads(text).get("specVersion")


failed = 0
for path in sys.argv[2:]:
    validator = XmlValidator(version) if path.endswith(".xml") else JsonStrictValidator(version)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    error = validator.validate_str(text)
    if error is None and claimed(path, text) != name:
        error = f"says it is CycloneDX {claimed(path, text)}"
    if error is not None:
        failed += 1
        print(f"{path}: INVALID: {error}", file=sys.stderr)
    else:
        print(f"{path}: valid CycloneDX {name}")
sys.exit(1 if failed else 0)
