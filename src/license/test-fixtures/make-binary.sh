#!/usr/bin/env bash
# Downloads Debian 12 (bookworm) binary packages with apt-get and keeps, for each, what the
# license stage reads of an installed package: its copyright file and its file list, as
# dpkg would write them into the image (usr/share/doc/PKG/copyright and
# var/lib/dpkg/info/PKG.list). The tests in src/license/binary.rs and conclude.rs read them.
#
# Usage: src/license/test-fixtures/make-binary.sh        (needs apt-get, dpkg-deb, and an
#        apt source for bookworm; writes test-fixtures/binary/ and its VERSIONS file)
#
# Files over 40 KiB are not kept: the tests that need them scan the real images of
# bench/make-images.sh instead (LAYERBOM_IMAGES).
set -euo pipefail
cd "$(dirname "$0")"
out=binary
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

packages=(
    # 1. the source package's stanzas given to the binary
    libcurl4 libdebconfclient0 libsqlite3-0 sqlite3 libicu72 bzip2 libbz2-1.0 bash libext2fs2
    libkeyutils1 liblz4-1 libpam-modules libgraphite2-3 libsasl2-2 libsasl2-modules-db
    libdbus-1-3 libharfbuzz0b libffi8
    # 2. a common-licenses path read as the grant
    libsemanage2 binutils
    # 3. the short name over the text under it
    libexpat1 libmnl0
    # 4. exceptions; the GCC packages share gcc-12-base's file (copyright/gcc-12-base)
    libcrypt1 pkgconf-bin libstdc++-12-dev libquadmath0 libasan8 libgcc-12-dev
    # 6. free-form files with several license blocks
    libx11-6 libxext6 libxmuu1 libavahi-client3 libgnutls30
)

: >"$out/VERSIONS"
for p in "${packages[@]}"; do
    (cd "$work" && apt-get download -q=2 "$p" 2>/dev/null)
    deb=$(ls "$work"/"${p}"_*.deb)
    version=$(dpkg-deb -f "$deb" Version)
    dpkg-deb -x "$deb" "$work/root-$p"
    doc="$work/root-$p/usr/share/doc/$p"
    if [ -L "$doc" ]; then
        # The copyright file is the linked package's: note the link, keep the file list.
        link=$(readlink "$doc")
    elif [ "$(stat -c %s "$doc/copyright")" -gt 40960 ]; then
        echo "$p $version: copyright file over 40 KiB; skipped" >&2
        continue
    else
        link=
        cp "$doc/copyright" "$out/$p.copyright"
    fi
    # dpkg-deb -c lists ./usr/, ./usr/bin/x, …: dpkg's .list has /., /usr, /usr/bin/x.
    dpkg-deb --fsys-tarfile "$deb" | tar -t |
        sed -e 's|^\./$|/.|' -e 's|^\.||' -e 's|/$||' >"$out/$p.list"
    printf '%s\t%s\t%s\n' "$p" "$version" "${link:+doc -> $link}" >>"$out/VERSIONS"
    rm -f "$deb"
done
