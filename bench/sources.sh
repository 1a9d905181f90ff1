#!/usr/bin/env bash
# bench/sources.sh - the time `layerbom sources` takes to fetch and verify a bundle from a
# mirror on loopback, cold (every file downloaded, hashed and renamed) and again (every file
# kept: hashed only), and how large the bundle is.
#
# Usage: bench/sources.sh [--bin PATH] [--packages N] [--mib M]
#   --bin       the layerbom binary (default: target/release/layerbom)
#   --packages  how many source packages the image owes (default 8)
#   --mib       the size of each package's upstream tarball, in MiB (default 32)
#
# It builds everything in a temporary directory: N Debian source packages (dpkg-source -b,
# upstream tarballs of incompressible bytes), their Sources index (dpkg-scansources), an
# InRelease clearsigned with a throwaway key (gpg), a root filesystem whose dpkg status
# names their binaries, and a plain HTTP server on a free loopback port (python3 -m
# http.server). Needs dpkg-dev, gnupg, gpgv, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/layerbom
packages=8
mib=32
while [[ $# -gt 0 ]]; do
    case $1 in
        --bin) bin=$2; shift 2 ;;
        --packages) packages=$2; shift 2 ;;
        --mib) mib=$2; shift 2 ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
    esac
done
bin=$(realpath "$bin")
# The Format line of a machine-readable copyright file, as a real one (bash's, in the
# license fixtures) writes it.
dep5_format=$(head -n 1 src/license/test-fixtures/copyright/bash)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; gpgconf --homedir "$work/g" --kill all 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir -p "$work/g" "$work/build" "$work/www/debian/dists/bench/main/source" "$work/root/etc" \
    "$work/root/var/lib/dpkg"
chmod 700 "$work/g"
gpg --homedir "$work/g" --batch --passphrase '' --quick-gen-key 'Bench <bench@example.org>' \
    ed25519 sign never 2>/dev/null
gpg --homedir "$work/g" --batch --export >"$work/keyring.gpg"
printf 'ID=debian\nVERSION_ID="12"\n' >"$work/root/etc/os-release"
for i in $(seq 1 "$packages"); do
    name="bench$i"
    tree="$work/build/$name-1.0"
    mkdir -p "$tree/debian/source" "$work/root/usr/share/doc/$name"
    head -c "$((mib * 1024 * 1024))" /dev/urandom >"$tree/data.bin"
    (cd "$work/build" && tar --sort=name --mtime=@0 -czf "${name}_1.0.orig.tar.gz" "$name-1.0")
    printf 'Source: %s\nMaintainer: B <b@example.org>\n\nPackage: %s\nArchitecture: any\nDescription: b\n b\n' \
        "$name" "$name" >"$tree/debian/control"
    printf '%s (1.0-1) unstable; urgency=medium\n\n  * b\n\n -- B <b@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n' \
        "$name" >"$tree/debian/changelog"
    echo '3.0 (quilt)' >"$tree/debian/source/format"
    (cd "$work/build" && dpkg-source -b "$name-1.0" >/dev/null 2>&1)
    mkdir -p "$work/www/debian/pool/main/b/$name"
    mv "$work/build/${name}_"* "$work/www/debian/pool/main/b/$name/"
    printf '%s\n\nFiles: *\nCopyright: 2024 B\nLicense: GPL-2+\n' "$dep5_format" \
        >"$work/root/usr/share/doc/$name/copyright"
    printf 'Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\nDescription: b\n\n' \
        "$name" >>"$work/root/var/lib/dpkg/status"
done
(cd "$work/www/debian" && dpkg-scansources pool 2>/dev/null | gzip -9n >dists/bench/main/source/Sources.gz)
sources="$work/www/debian/dists/bench/main/source/Sources.gz"
{
    printf 'Codename: bench\nComponents: main\nSHA256:\n'
    printf ' %s %s main/source/Sources.gz\n' "$(sha256sum "$sources" | cut -d' ' -f1)" "$(stat -c %s "$sources")"
} >"$work/www/debian/dists/bench/Release"
gpg --homedir "$work/g" --batch --pinentry-mode loopback --passphrase '' \
    -o "$work/www/debian/dists/bench/InRelease" --clearsign "$work/www/debian/dists/bench/Release"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
    sleep 0.1
done
run() {
    local start end
    start=$(date +%s.%N)
    "$bin" sources "$work/root" --fetch "$work/bundle" --mirror "http://127.0.0.1:$port/debian" \
        --keyring "$work/keyring.gpg" --suite bench -q
    end=$(date +%s.%N)
    echo "$1: $(echo "$end - $start" | bc) s"
}
echo "$packages source packages of $mib MiB each, $(du -sm "$work/www/debian/pool" | cut -f1) MiB in the pool"
run "cold (downloaded, verified)"
run "again (kept, hashed)"
echo "bundle: $(du -sm "$work/bundle" | cut -f1) MiB; SHA256SUMS checks: $(cd "$work/bundle" && sha256sum --quiet -c SHA256SUMS && echo ok)"
