"""Validates SPDX 3.0.1 JSON-LD documents with spdx-python-model, the SPDX project's
bindings generated from the 3.0.1 model (its SHACL shapes, by shacl2code).

Usage: validate_spdx3.py SPDX3_JSON NATIVE_JSON

Loading a document with the bindings checks that every object has a type of the model and
that every property is one of its type's, with a value of the right kind (an enumerated
value, a date-time, an element reference). What loading alone does not check is checked
after it:

- no object is of an unknown type (the bindings keep those as extension objects);
- no reference names an element the document does not have;
- every object has its required properties and no more values than allowed (the
  bindings check these when they write, so the document is written back to memory);
- every package of the native JSON of the same scan (NATIVE_JSON) is read back from the
  document with its name, version and purl, contained by the layer that introduced it,
  and there are no other packages than those, their layers and the image.

Exits non-zero, naming the problem, on the first failure.
"""

import io
import json
import sys

from spdx_python_model import v3_0_1 as spdx3

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
CONTAINS = "https://spdx.org/rdf/3.0.1/terms/Core/RelationshipType/contains"


def fail(path, message):
    sys.exit(f"{path}: {message}")


def iri(value):
    """The IRI of an element reference, read back as an object or left as a string."""
    return value if isinstance(value, str) else value._id


def validate(path, native_path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("@context") != CONTEXT:
        fail(path, f"@context is {data.get('@context')!r}, not {CONTEXT}")

    objects = spdx3.SHACLObjectSet()
    try:
        spdx3.JSONLDDeserializer().deserialize_data(data, objects)
    except Exception as e:  # the bindings raise TypeError, ValueError, KeyError
        fail(path, f"does not load as SPDX 3.0.1: {type(e).__name__}: {e}")
    if objects.missing_ids:
        fail(path, f"references elements it does not have: {sorted(objects.missing_ids)}")
    for o in objects.foreach():
        if o.get_type() not in spdx3.SHACLObject.CLASSES:
            fail(path, f"an object of a type SPDX 3.0.1 does not have: {o.get_type()}")
    try:
        spdx3.JSONLDSerializer().write(objects, io.BytesIO())
    except Exception as e:
        fail(path, f"breaks a cardinality of the model: {type(e).__name__}: {e}")

    packages = {p._id: p for p in objects.foreach_type(spdx3.software_Package)}
    written = {
        o["spdxId"] for o in data["@graph"] if o.get("type") == "software_Package"
    }
    if written != set(packages):
        fail(path, f"packages written but not read back: {sorted(written - set(packages))}")
    layer_of = {}
    for r in objects.foreach_type(spdx3.Relationship):
        if r.relationshipType == CONTAINS:
            for to in r.to:
                layer_of[iri(to)] = packages.get(iri(r.from_))

    with open(native_path, encoding="utf-8") as f:
        native = json.load(f)
    by_purl = {p.software_packageUrl: p for p in packages.values()}
    for n in native["packages"]:
        p = by_purl.get(n["purl"])
        if p is None:
            fail(path, f"package {n['name']} {n['version']} ({n['purl']}) is not read back")
        if (p.name, p.software_packageVersion) != (n["name"], n["version"]):
            fail(path, f"{n['purl']} reads back as {p.name} {p.software_packageVersion}")
        layer = layer_of.get(p._id)
        index = n["layer"]["index"]
        if layer is None or not layer.name.startswith(f"layer {index} ("):
            fail(path, f"{n['purl']} is not contained by layer {index}")
    expected = len(native["packages"]) + len(native["layers"]) + 1
    if len(packages) != expected:
        fail(path, f"{len(packages)} packages, expected {expected} (packages, layers, image)")
    print(
        f"{path}: valid SPDX 3.0.1 ({sum(1 for _ in objects.foreach())} objects,"
        f" {len(native['packages'])} packages read back in their layers)"
    )


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    validate(sys.argv[1], sys.argv[2])


if __name__ == "__main__":
    main()
