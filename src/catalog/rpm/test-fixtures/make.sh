#!/usr/bin/env bash
# Regenerates the rpmdb fixtures in this folder with the real tools:
#   rpmbuild (4.18)   builds four tiny noarch packages from the spec files below;
#   rpm --justdb      installs them (plus one gpg-pubkey) into a SQLite rpmdb;
#   sqlite3           checkpoints and shrinks it (1 KiB pages) and makes a 64 KiB-page copy;
#   db5.3_load        writes the same header blobs into BerkeleyDB hash `Packages` files,
#                     little- and big-endian, keyed by 4-byte record numbers as rpm < 4.16 did;
#   make_ndb.py       writes an NDB `Packages.db` by the layout of rpm's lib/backend/ndb/rpmpkg.c
#                     (this rpm has no ndb backend, so that one file is ours, not rpm's).
# container-manifest-2 (a distroless package manifest, not an rpmdb) is hand-made, see below.
# Each db gets an `*.expected` file: `rpm -qa` output, read back by rpm itself where it can
# (sqlite, and bdb through rpm's read-only bdb_ro backend).
# The big BerkeleyDB fixtures (Packages-big*.bdb.zst, 3,000 and 600 headers) are made by
# make_big_bdb.sh beside this script.
#
# Needs: apt-get install -y rpm db5.3-util sqlite3 gnupg python3
set -euo pipefail
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1700000000
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
QF='%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE} %{SOURCERPM}\n'

mkdir -p "$WORK"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}

cat > "$WORK/SPECS/base.spec" <<'SPEC'
Name:      layerbom-base
Version:   1.0
Release:   1
Summary:   Base files for the layerbom rpm fixtures
License:   GPLv2+
BuildArch: noarch
%description
Base files.
%install
mkdir -p %{buildroot}/etc/layerbom
echo base > %{buildroot}/etc/layerbom/base.conf
%files
%dir /etc/layerbom
/etc/layerbom/base.conf
SPEC

cat > "$WORK/SPECS/libfoo.spec" <<'SPEC'
Name:      layerbom-libfoo
Epoch:     2
Version:   3.1.4
Release:   2
Summary:   A library with an epoch
License:   MIT and BSD
Vendor:    Layerbom Fixtures
URL:       https://example.invalid/libfoo
BuildArch: noarch
Requires:  layerbom-base >= 1.0
Provides:  libfoo-virtual = 3.1
%description
A library that requires the base package.
%install
mkdir -p %{buildroot}/usr/share/libfoo
echo foo > %{buildroot}/usr/share/libfoo/foo.txt
echo bar > %{buildroot}/usr/share/libfoo/bar.txt
%files
/usr/share/libfoo
SPEC

# A large header: many files and a description over 8 KiB, so that BerkeleyDB stores it on
# overflow pages and SQLite on overflow chains.
{
cat <<'SPEC'
Name:      layerbom-tool
Version:   0.9
Release:   1
Summary:   A tool with a large header
License:   ASL 2.0
BuildArch: noarch
Requires:  layerbom-libfoo
%description
SPEC
for i in $(seq 1 120); do
  echo "Line $i of a long description that makes the rpm header larger than a database page."
done
cat <<'SPEC'
%install
mkdir -p %{buildroot}/usr/share/layerbom-tool
for d in a b c d e f; do
  mkdir -p %{buildroot}/usr/share/layerbom-tool/$d
  for i in $(seq 1 40); do echo $i > %{buildroot}/usr/share/layerbom-tool/$d/file-$i.txt; done
done
%files
/usr/share/layerbom-tool
SPEC
} > "$WORK/SPECS/tool.spec"

cat > "$WORK/SPECS/doc.spec" <<'SPEC'
Name:      layerbom-doc
Version:   2024.1
Release:   3
Summary:   Documentation
License:   LGPL-2.1-or-later
BuildArch: noarch
%description
Documentation.
%install
mkdir -p %{buildroot}/usr/share/doc/layerbom
echo doc > %{buildroot}/usr/share/doc/layerbom/README
%files
%doc /usr/share/doc/layerbom/README
SPEC

for s in base libfoo tool doc; do
  rpmbuild --quiet --define "_topdir $WORK" --define '_buildhost fixtures.invalid' \
    -bb "$WORK/SPECS/$s.spec" >/dev/null
done

# A gpg-pubkey pseudo-package, as every RHEL/Fedora image has.
export GNUPGHOME="$WORK/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Layerbom Fixtures <fixtures@example.invalid>' rsa2048 sign never
gpg --batch --quiet --armor --export > "$WORK/key.asc"

DB="$WORK/root/var/lib/rpm"
mkdir -p "$DB"
rpm --dbpath "$DB" --initdb
rpm --dbpath "$DB" --import "$WORK/key.asc"
rpm --dbpath "$DB" -i --justdb --nodeps --noscripts --ignoresize \
  "$WORK"/RPMS/noarch/layerbom-base-*.rpm "$WORK"/RPMS/noarch/layerbom-libfoo-*.rpm \
  "$WORK"/RPMS/noarch/layerbom-tool-*.rpm "$WORK"/RPMS/noarch/layerbom-doc-*.rpm

# SQLite: checkpoint the WAL into the main file, then rewrite it with 1 KiB pages (small, and
# every large header becomes an overflow chain).
sqlite3 "$DB/rpmdb.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;' >/dev/null
sqlite3 "$DB/rpmdb.sqlite" 'PRAGMA page_size=1024; VACUUM;'
rm -f "$DB/rpmdb.sqlite-wal" "$DB/rpmdb.sqlite-shm"
cp "$DB/rpmdb.sqlite" "$HERE/rpmdb.sqlite"
rpm --dbpath "$DB" -qa --qf "$QF" > "$HERE/rpmdb.sqlite.expected"

# SQLite with 65536-byte pages (stored as 1 in the header): only the Packages table, as a
# fresh database written by sqlite3.
rm -f "$HERE/rpmdb-64k.sqlite"
sqlite3 "$HERE/rpmdb-64k.sqlite" "PRAGMA page_size=65536;
  CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
  ATTACH '$DB/rpmdb.sqlite' AS src;
  INSERT INTO Packages SELECT hnum, blob FROM src.Packages;"

# SQLite with 32 reserved bytes at the end of every page (as encryption or checksum
# extensions leave them): only the Packages table, 1 KiB pages.
rm -f "$HERE/rpmdb-reserved.sqlite"
sqlite3 "$HERE/rpmdb-reserved.sqlite" "PRAGMA page_size=1024;
  CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);"
sqlite3 "$HERE/rpmdb-reserved.sqlite" ".filectrl reserve_bytes 32" "VACUUM;" \
  "ATTACH '$DB/rpmdb.sqlite' AS src;" "INSERT INTO Packages SELECT hnum, blob FROM src.Packages;" >/dev/null

# BerkeleyDB hash (rpm here can only read bdb, through bdb_ro): a db_dump-format stream of (4-byte record number, header blob) pairs,
# plus rpm's record 0 (next instance number), loaded by db5.3_load in both byte orders.
python3 - "$DB/rpmdb.sqlite" "$WORK" <<'PY'
import sqlite3, struct, sys
db, work = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(db).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
for name, order, fmt, extra in (("1234", "1234", "<I", ""), ("4321", "4321", ">I", ""),
                                 ("chksum", "1234", "<I", "chksum=1\n")):
    with open(f"{work}/dump-{name}.txt", "w") as out:
        out.write(f"VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\ndb_lorder={order}\n{extra}HEADER=END\n")
        out.write(" " + struct.pack(fmt, 0).hex() + "\n " + struct.pack(fmt, max(r[0] for r in rows) + 1).hex() + "\n")
        for hnum, blob in rows:
            out.write(" " + struct.pack(fmt, hnum).hex() + "\n " + bytes(blob).hex() + "\n")
        out.write("DATA=END\n")
PY
for order in 1234 4321 chksum; do
  rm -f "$WORK/Packages-$order"
  db5.3_load -f "$WORK/dump-$order.txt" "$WORK/Packages-$order"
done
cp "$WORK/Packages-1234" "$HERE/Packages.bdb"
cp "$WORK/Packages-4321" "$HERE/Packages-be.bdb"
# The same with page checksums on (32-byte page headers). rpm's bdb_ro cannot read this
# variant (so rpm never wrote one); it is kept to test the page layout.
cp "$WORK/Packages-chksum" "$HERE/Packages-chksum.bdb"
BDB="$WORK/bdbroot"
mkdir -p "$BDB"
cp "$WORK/Packages-1234" "$BDB/Packages"
rpm --dbpath "$BDB" --define '_db_backend bdb_ro' -qa --qf "$QF" > "$HERE/Packages.bdb.expected" 2>/dev/null
cp "$WORK/Packages-4321" "$BDB/Packages"
rpm --dbpath "$BDB" --define '_db_backend bdb_ro' -qa --qf "$QF" > "$HERE/Packages-be.bdb.expected" 2>/dev/null

# NDB: written by make_ndb.py from the same header blobs, in rpm's hnum order.
python3 "$HERE/make_ndb.py" "$DB/rpmdb.sqlite" "$HERE/Packages.db"
cp "$HERE/rpmdb.sqlite.expected" "$HERE/Packages.db.expected"

# container-manifest-2: HAND-MADE, not written by any tool. CBL-Mariner and Azure Linux
# distroless images keep, instead of an rpmdb, the output of
#   rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n'
# (the query format the CBL-Mariner toolkit documents for its distroless images). These
# lines follow that format with Azure Linux 3.0-like names and versions; the times, sizes
# and the epoch of openssl-libs are made up to exercise the reader.
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
  filesystem 1.1-21.azl3 1700000000 1699000000 'Microsoft Corporation' '(none)' 0 x86_64 0 filesystem-1.1-21.azl3.src.rpm \
  glibc 2.38-9.azl3 1700000000 1699000100 'Microsoft Corporation' '(none)' 6542281 x86_64 0 glibc-2.38-9.azl3.src.rpm \
  openssl-libs 3.3.3-2.azl3 1700000000 1699000200 'Microsoft Corporation' 1 6329640 x86_64 1 openssl-3.3.3-2.azl3.src.rpm \
  prebuilt-ca-certificates 3.0.0-11.azl3 1700000000 1699000300 'Microsoft Corporation' '(none)' 243152 noarch 0 prebuilt-ca-certificates-3.0.0-11.azl3.src.rpm \
  tzdata 2025a-1.azl3 1700000000 1699000400 'Microsoft Corporation' '(none)' 1934570 noarch 0 tzdata-2025a-1.azl3.src.rpm \
  > "$HERE/container-manifest-2"

ls -l "$HERE"
