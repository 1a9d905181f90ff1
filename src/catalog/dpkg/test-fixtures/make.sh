#!/usr/bin/env bash
# Regenerates the dpkg fixtures in this folder from a real Debian 12 system:
#   status                 paragraphs copied verbatim from /var/lib/dpkg/status (chosen for
#                          `Source: name (version)`, a bare `Source:`, Multi-Arch, Pre-Depends,
#                          `perl:any` and alternatives in Depends, an epoch, Conffiles);
#   status.d/<pkg>         distroless-style: the control file of a real .deb (`dpkg-deb -f`),
#                          which has no Status field, as distroless images write it;
#   info/*.list            file lists copied from /var/lib/dpkg/info.
# Needs: dpkg, apt-get (for `apt-get download`), python3.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - /var/lib/dpkg/status "$HERE/status" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
want = ["base-files", "bsdutils", "libc6", "zlib1g", "tzdata", "dpkg-dev"]
paras = open(src, "rb").read().split(b"\n\n")
by_name = {}
for p in paras:
    first = p.split(b"\n", 1)[0]
    if first.startswith(b"Package: "):
        by_name.setdefault(first[9:].decode(), p.strip(b"\n"))
with open(dst, "wb") as out:
    out.write(b"\n\n".join(by_name[n] for n in want) + b"\n")
PY

mkdir -p "$HERE/status.d" "$HERE/info"
(cd "$WORK" && apt-get download -q=2 libssl3 >/dev/null)
dpkg-deb -f "$WORK"/libssl3_*.deb > "$HERE/status.d/libssl3"

cp /var/lib/dpkg/info/bsdutils.list "$HERE/info/bsdutils.list"
cp /var/lib/dpkg/info/zlib1g:amd64.list "$HERE/info/zlib1g:amd64.list"
ls -l "$HERE" "$HERE/status.d" "$HERE/info"
