#!/usr/bin/env bash
# Regenerates the big BerkeleyDB rpmdb fixtures with the real tools, as make.sh does for the
# small ones: Packages-big.bdb.zst (every record, little-endian, 4 KiB pages) and
# Packages-big-be.bdb.zst (the first 600 records, big-endian, 1 KiB pages).
#   python3        writes ONE spec with $COUNT `%package` subpackages whose names, epochs,
#                  versions, releases, licenses, arches (noarch or the build arch) and sizes
#                  vary with the package's number; every 20th owns 150 files, every 100th has
#                  a description of ~25 KiB, and one owns 2,000 files (a header of ~350 KiB),
#                  so that many headers are larger than a 4 KiB BerkeleyDB page;
#   rpmbuild       builds them all in one run (no compression, no dependency generators);
#   rpm --justdb   installs them into a SQLite rpmdb (record numbers 1..$COUNT);
#   db5.3_load     writes the same header blobs into BerkeleyDB hash `Packages` files keyed by
#                  4-byte record numbers plus rpm's record 0, as make.sh does. Every header
#                  (over a quarter page) goes to a chain of overflow pages; with db's default
#                  fill factor some buckets fill up and continue on chained bucket pages;
#   rpm -qa        lists the BerkeleyDB file through rpm's own read-only `bdb_ro` backend into
#                  Packages-big{,-be}.bdb.expected.zst; the script stops if a list differs from
#                  what rpm lists from the SQLite database (rpm lists a BerkeleyDB file in
#                  hash order, which depends on the byte order: the lists are compared sorted).
# The outputs are zstd-compressed (the tests decompress them in memory): with 3,000 packages,
# 17 MB of 4 KiB pages compress to ~610 KB and 4.5 MB of 1 KiB pages to ~150 KB. A run gives
# the same packages and expected lists every time, but not the same bytes (rpm records an
# install time, SOURCE_DATE_EPOCH plus the seconds the install took; db5.3_load writes a
# random file id; some bucket items differ too). The tests assert what the files must hold
# (the lists, counts of overflow chains and chained bucket pages), not their bytes.
#
# Needs: apt-get install -y rpm db5.3-util sqlite3 python3 zstd
# Usage: make_big_bdb.sh [COUNT]   (default 3000; about a minute on two cores;
#        KEEP=1 keeps the work directory: the spec, the rpms, the SQLite rpmdb, the dumps)
set -euo pipefail
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1700000000
HERE=$(cd "$(dirname "$0")" && pwd)
COUNT=${1:-3000}
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
QF='%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE} %{SOURCERPM}\n'

mkdir -p "$WORK"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}

python3 - "$COUNT" > "$WORK/SPECS/bigset.spec" <<'PY'
import sys

count = int(sys.argv[1])
prefixes = ["lib", "python3-", "perl-", "golang-github-layerbom-", "texlive-", "rubygem-",
            "nodejs-", "x", "kernel-module-", "php-pecl-"]
licenses = ["MIT", "GPLv2+", "LGPLv2+ and GPLv3+", "ASL 2.0", "BSD", "Public Domain",
            "(MIT or Apache-2.0) and BSD-3-Clause", "GPL-2.0-only WITH Linux-syscall-note",
            "Artistic 2.0 and (GPL+ or Artistic)", "MPL-2.0"]

def many_files(i):
    if i == 1234:
        return 2000
    if i % 20 == 0:
        return 150
    return 1 + i % 4

def long_description(i):
    return i % 100 == 7

out = []
w = out.append
w("%global debug_package %{nil}")
w("%global __os_install_post %{nil}")
w("%global _build_id_links none")
w("%global _binary_payload w0.ufdio")
w("Name:      bigset")
w("Version:   1.0")
w("Release:   1")
w("Summary:   Thousands of packages for the layerbom big BerkeleyDB fixture")
w("License:   MIT")
w("%description")
w("Never built itself: only its subpackages are.")
for i in range(1, count + 1):
    name = f"{prefixes[i % len(prefixes)]}big{'-part' * (i % 3)}-{i:04d}"
    w(f"%package -n {name}")
    w(f"Summary:   Package number {i} of the big fixture")
    if i % 5 != 0:
        w(f"Version:   {i % 7}.{i % 13}.{i % 29}" + ("~rc1" if i % 31 == 0 else "") + ("^git20240101" if i % 37 == 0 else ""))
    if i % 4 != 0:
        w(f"Release:   {1 + i % 9}.el{7 + i % 3}" + ("_9.1" if i % 17 == 0 else ""))
    if i % 11 == 0:
        w(f"Epoch:     {i % 5}")
    w(f"License:   {licenses[i % len(licenses)]}")
    if i % 3 == 0:
        w("BuildArch: noarch")
    w("AutoReqProv: no")
    w(f"%description -n {name}")
    if long_description(i):
        for line in range(1, 301):
            w(f"Line {line} of the long description of package {i}, which puts its header on overflow pages.")
    else:
        w(f"Package {i}." + " More words." * (i % 40))

w("%install")
for i in range(1, count + 1):
    n = many_files(i)
    d = f"%{{buildroot}}/usr/share/bigset/{i:04d}"
    w(f"mkdir -p {d}")
    if n > 4:
        w(f"for f in $(seq 1 {n}); do echo $((f % 3)) > {d}/a-rather-long-file-name-to-make-the-header-bigger-$f.txt; done")
    else:
        for f in range(1, n + 1):
            w(f"echo {f % 3} > {d}/file-{f}.txt")
for i in range(1, count + 1):
    name = f"{prefixes[i % len(prefixes)]}big{'-part' * (i % 3)}-{i:04d}"
    w(f"%files -n {name}")
    w(f"/usr/share/bigset/{i:04d}")
print("\n".join(out))
PY

echo "rpmbuild: $COUNT subpackages" >&2
# Build time and file mtimes from SOURCE_DATE_EPOCH; only the install time rpm --justdb
# records (and so the header digests' surroundings) changes from one run to the next.
rpmbuild --quiet --define "_topdir $WORK" --define '_buildhost fixtures.invalid' \
  --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1' \
  -bb "$WORK/SPECS/bigset.spec" >/dev/null

DB="$WORK/root/var/lib/rpm"
mkdir -p "$DB"
rpm --dbpath "$DB" --initdb
echo "rpm --justdb: installing" >&2
find "$WORK/RPMS" -name '*.rpm' | sort > "$WORK/rpms.txt"
xargs -a "$WORK/rpms.txt" rpm --dbpath "$DB" -i --justdb --nodeps --noscripts --ignoresize
sqlite3 "$DB/rpmdb.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
rpm --dbpath "$DB" -qa --qf "$QF" | sort > "$WORK/sqlite.expected"
test "$(wc -l < "$WORK/sqlite.expected")" -eq "$COUNT"

# Little-endian with 4 KiB pages (as rpm on x86 wrote them): every record. Big-endian: the
# first $BE_COUNT records only (each header's digests are ~200 bytes that no compressor
# shrinks), with 1 KiB pages so that its overflow chains are longer and its buckets chain too.
BE_COUNT=$(( COUNT < 600 ? COUNT : 600 ))
python3 - "$DB/rpmdb.sqlite" "$WORK" "$BE_COUNT" <<'PY'
import sqlite3, struct, sys
db, work, be_count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = sqlite3.connect(db).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
for name, order, fmt, page_size, some in (("le", "1234", "<I", 4096, rows),
                                          ("be", "4321", ">I", 1024, rows[:be_count])):
    with open(f"{work}/dump-{name}.txt", "w") as out:
        out.write(f"VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize={page_size}\ndb_lorder={order}\nHEADER=END\n")
        out.write(" " + struct.pack(fmt, 0).hex() + "\n " + struct.pack(fmt, max(r[0] for r in some) + 1).hex() + "\n")
        for hnum, blob in some:
            out.write(" " + struct.pack(fmt, hnum).hex() + "\n " + bytes(blob).hex() + "\n")
        out.write("DATA=END\n")
PY
rpm --dbpath "$DB" -qa --qf "%{DBINSTANCE} $QF" | awk -v n="$BE_COUNT" '$1 <= n' | cut -d' ' -f2- \
  | sort > "$WORK/sqlite-be.expected"
BDB="$WORK/bdbroot"
mkdir -p "$BDB"
for order in le be; do
  db5.3_load -f "$WORK/dump-$order.txt" "$WORK/Packages-$order"
  cp "$WORK/Packages-$order" "$BDB/Packages"
  rpm --dbpath "$BDB" --define '_db_backend bdb_ro' -qa --qf "$QF" > "$WORK/bdb-$order.expected" 2>/dev/null
done
# rpm lists BerkeleyDB records in hash order and SQLite ones in record order: compare sorted.
sort "$WORK/bdb-le.expected" | cmp - "$WORK/sqlite.expected"
sort "$WORK/bdb-be.expected" | cmp - "$WORK/sqlite-be.expected"

zstd -q -f -19 --long=27 "$WORK/Packages-le" -o "$HERE/Packages-big.bdb.zst"
zstd -q -f -19 --long=27 "$WORK/Packages-be" -o "$HERE/Packages-big-be.bdb.zst"
zstd -q -f -19 "$WORK/bdb-le.expected" -o "$HERE/Packages-big.bdb.expected.zst"
zstd -q -f -19 "$WORK/bdb-be.expected" -o "$HERE/Packages-big-be.bdb.expected.zst"
ls -l "$WORK/Packages-le" "$WORK/Packages-be" "$HERE"/Packages-big*
