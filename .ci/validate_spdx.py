"""Validates SPDX 2.3 documents with spdx-tools, against the SPDX license list layerbom uses.

Usage: validate_spdx.py IDENTIFIERS_RS FILE...
       validate_spdx.py --ntia IDENTIFIERS_RS FILE   (the NTIA minimum elements checker)

spdx-tools 0.8.5 (the newest release) checks license ids against license-expression's
ScanCode index, which lags the SPDX license list: ids the list added since (such as
BSD-2-Clause-pos-unchanged) are reported as unrecognized. layerbom checks its expressions
against the list compiled into the `spdx` crate (its `src/identifiers.rs`, IDENTIFIERS_RS);
the ids of that list are added to spdx-tools' licensing before each document is validated
as `pyspdxtools -i FILE` would, or checked as `ntia-checker -q FILE` would (it parses with
spdx-tools too). Nothing else of the validation changes.
"""

import re
import sys

from license_expression import LicenseSymbol
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.clitools.pyspdxtools import main as pyspdxtools


def add_list_ids(identifiers_rs):
    with open(identifiers_rs, encoding="utf-8") as f:
        ids = set(re.findall(r'^\s*name: "([^"]+)",', f.read(), re.M))
    if len(ids) < 500:
        sys.exit(f"{identifiers_rs}: found only {len(ids)} ids; is this the spdx crate's list?")
    added = 0
    for key in sorted(ids):
        if key not in spdx_licensing.known_symbols:
            symbol = LicenseSymbol(key)
            spdx_licensing.known_symbols[key] = symbol
            spdx_licensing.known_symbols_lowercase[key.lower()] = symbol
            added += 1
    # The tokenizer is built from the known symbols on first use.
    spdx_licensing.advanced_tokenizer = None
    return added


def main():
    args = sys.argv[1:]
    ntia = args[:1] == ["--ntia"]
    if ntia:
        args = args[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    add_list_ids(args[0])
    if ntia:
        from ntia_conformance_checker.main import main as ntia_checker

        sys.argv = ["ntia-checker", "-q", *args[1:]]
        sys.exit(ntia_checker())
    for path in args[1:]:
        pyspdxtools.main(["-i", path], standalone_mode=False)


if __name__ == "__main__":
    main()
