#!/usr/bin/env bash
# bench/make-images.sh - build REAL Debian container images for layerbom tests
# and benchmarks, with the package manager's own per-layer ground truth.
#
# Needs (Debian 12 host):
#   * root (buildah vfs storage, debootstrap, chroot isolation)
#   * apt-get install buildah skopeo debootstrap jq zstd     (dpkg-query, tar,
#     python3 are already there on Debian)
#   * network access to the host's Debian mirror (debootstrap + apt-get inside the
#     images; buildah's chroot isolation uses the host network)
#   * disk: ~2.5 GiB free for --size small, ~7 GiB for --size large
#     (vfs storage keeps a full copy of the rootfs per layer)
#   * no docker daemon; no network access other than the Debian mirror
#
# Usage: bench/make-images.sh [--size small|large] [--force] [OUTDIR]
#   OUTDIR defaults to /work/images.
#   small: debian-app (+ its 3 archive forms) and distroless-like
#   large: all of small, then debian-large (same recipe, ~0.9 GB layer 1)
#   --force: rebuild images and exports (the debootstrap cache is kept;
#            delete OUTDIR/cache to redo it).
#
# The script is idempotent: each step checks for its output and is skipped if
# it is already there. Timings go to OUTDIR/timings.log, a summary of sizes and
# package counts to OUTDIR/summary.txt.
#
# Outputs in OUTDIR (NAME = debian-app | debian-large):
#   NAME.docker.tar          docker-archive, uncompressed layers
#   NAME.oci-gzip.tar        oci-archive, gzip layers
#   NAME.oci-zstd.tar        oci-archive, zstd layers
#   NAME.config.json         skopeo inspect --config --raw (containers-storage)
#   NAME.manifest.json       skopeo inspect --raw          (containers-storage)
#   NAME.<form>.{config,manifest}.json   the same for each archive form
#   NAME.layer<N>.dpkg.tsv   dpkg-query -W on the merged rootfs after layer N:
#                            Package Version Arch SrcPkg SrcVersion Status-Abbrev
#   NAME.layer<N>.dpkg-status  copy of var/lib/dpkg/status after layer N
#   distroless-like.docker.tar (+ .config.json/.manifest.json), 2 layers,
#                            var/lib/dpkg/status.d/ only (no status file)
#   storage/ run/            buildah/containers-storage (vfs)
#   cache/                   debootstrap result (reused on rerun)
set -euo pipefail

SIZE=small
FORCE=0
OUT=/work/images
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --size=*) SIZE="${1#--size=}"; shift ;;
    --large) SIZE=large; shift ;;
    --small) SIZE=small; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) OUT="$1"; shift ;;
  esac
done
case "$SIZE" in small|large) ;; *) echo "--size must be small or large" >&2; exit 2 ;; esac

[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
for t in buildah skopeo debootstrap dpkg-query dpkg-deb jq tar python3; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CACHE="$OUT/cache"
BUILD="$OUT/build"
STATE="$OUT/.state"
mkdir -p "$CACHE" "$BUILD" "$STATE"

# The Debian mirror the host's apt uses (MIRROR=URL overrides): the first URI of a deb822
# sources file, or of a one-line `deb` entry, that is not the security archive.
host_mirror() {
  { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
  } | grep -v -- '-security' | grep -m1 .
}
MIRROR=${MIRROR:-$(host_mirror)}
[[ -n "$MIRROR" ]] || { echo "no Debian mirror in the host's apt sources; set MIRROR=URL" >&2; exit 1; }
MIRROR=${MIRROR%/}
SUITE=bookworm
BASE_IMG=localhost/debian:bookworm-minbase

export BUILDAH_ISOLATION=chroot
BUILDAH=(buildah --root "$OUT/storage" --runroot "$OUT/run" --storage-driver vfs)
CS="containers-storage:[vfs@$OUT/storage+$OUT/run]"

TIMINGS="$OUT/timings.log"
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# step NAME CMD... : run CMD, append "NAME<TAB>seconds" to timings.log
step() {
  local name="$1"; shift
  local t0 t1
  log "start: $name"
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  local dt
  dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  printf '%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$dt" >>"$TIMINGS"
  log "done:  $name (${dt}s)"
}

if [[ $FORCE -eq 1 ]]; then
  log "--force: dropping previous images and state"
  rm -rf "$STATE"; mkdir -p "$STATE"
  "${BUILDAH[@]}" rm --all >/dev/null 2>&1 || true
  "${BUILDAH[@]}" rmi --all --force >/dev/null 2>&1 || true
fi

image_exists() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }
image_id() { "${BUILDAH[@]}" inspect --type image --format '{{.FromImageID}}' "$1"; }
rm_ctr() { "${BUILDAH[@]}" rm "$1" >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- layer 0 ---
do_debootstrap() {
  local dir="$CACHE/$SUITE-minbase"
  rm -rf "$dir.tmp"
  debootstrap --variant=minbase "$SUITE" "$dir.tmp" "$MIRROR" \
    >"$CACHE/$SUITE-minbase.debootstrap.log" 2>&1
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
  echo "debootstrap --variant=minbase $SUITE $dir $MIRROR" >"$CACHE/$SUITE-minbase.complete"
}

# A cleaned tarball of the debootstrap tree, in the spirit of the official
# debian image: no downloaded .debs, no apt lists, empty /dev, no host
# hostname/resolv.conf, deb822 sources for bookworm, -updates and -security.
do_rootfs_tar() {
  local src="$CACHE/$SUITE-minbase" stage="$BUILD/rootfs-stage"
  rm -rf "$stage"; cp -a "$src" "$stage"
  rm -f "$stage"/var/cache/apt/archives/*.deb "$stage"/var/cache/apt/*.bin
  find "$stage/var/lib/apt/lists" -mindepth 1 -maxdepth 1 ! -name partial -exec rm -rf {} +
  find "$stage/dev" "$stage/proc" "$stage/sys" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
  rm -f "$stage/etc/hostname" "$stage/etc/resolv.conf"
  rm -f "$stage/etc/apt/sources.list"
  cat >"$stage/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  tar -C "$stage" --numeric-owner --sort=name --xattrs \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -cf "$CACHE/$SUITE-minbase.rootfs.tar.tmp" .
  mv "$CACHE/$SUITE-minbase.rootfs.tar.tmp" "$CACHE/$SUITE-minbase.rootfs.tar"
  rm -rf "$stage"
}

# Base image = one layer (ADD rootfs) + empty-layer CMD ["bash"], exactly the
# shape of the official debian image. `buildah build --layers` records this
# history correctly (ADD owns the layer, CMD is empty_layer); buildah from
# scratch + add + config --add-history does not (it prepends the entries).
do_base_image() {
  local ctx="$BUILD/base"
  rm -rf "$ctx"; mkdir -p "$ctx"
  ln "$CACHE/$SUITE-minbase.rootfs.tar" "$ctx/rootfs.tar" 2>/dev/null \
    || cp "$CACHE/$SUITE-minbase.rootfs.tar" "$ctx/rootfs.tar"
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' >"$ctx/Containerfile"
  "${BUILDAH[@]}" build --quiet --layers --isolation chroot --format docker \
    -t "$BASE_IMG" "$ctx" >/dev/null
  rm -rf "$ctx"
}

if [[ ! -f "$CACHE/$SUITE-minbase.complete" ]]; then
  step "debootstrap minbase $SUITE" do_debootstrap
fi
if [[ ! -f "$CACHE/$SUITE-minbase.rootfs.tar" ]]; then
  step "rootfs tarball" do_rootfs_tar
fi
if ! image_exists "$BASE_IMG"; then
  step "base image (buildah build: ADD rootfs + CMD)" do_base_image
fi

# ------------------------------------------------------------ debian-app ---
# snapshot CTR PREFIX: what dpkg itself reports for the container's merged rootfs
snapshot() {
  local ctr="$1" prefix="$2" mnt
  mnt=$("${BUILDAH[@]}" mount "$ctr")
  dpkg-query --admindir="$mnt/var/lib/dpkg" -W \
    -f '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${db:Status-Abbrev}\n' \
    >"$prefix.dpkg.tsv.tmp"
  mv "$prefix.dpkg.tsv.tmp" "$prefix.dpkg.tsv"
  cp "$mnt/var/lib/dpkg/status" "$prefix.dpkg-status"
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
}

# run_layer CTR CMD : like a Dockerfile RUN; history created_by = /bin/sh -c CMD
run_layer() {
  local ctr="$1" cmd="$2"
  "${BUILDAH[@]}" run --isolation chroot -e DEBIAN_FRONTEND=noninteractive \
    "$ctr" -- /bin/sh -c "$cmd"
  "${BUILDAH[@]}" config --created-by "/bin/sh -c $cmd" "$ctr"
}

write_app_dir() {
  local d="$1"
  rm -rf "$d"; mkdir -p "$d/src"
  cat >"$d/LICENSE" <<'EOF'
MIT License

Copyright (c) 2024 Example Widgets Ltd.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
  cat >"$d/src/app.py" <<'EOF'
# SPDX-License-Identifier: MIT
# Copyright (c) 2024 Example Widgets Ltd.
"""Tiny demo service used by layerbom's benchmark image."""
import json
import sys


def main() -> int:
    json.dump({"service": "widgets", "status": "ok"}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
EOF
  cat >"$d/README.md" <<'EOF'
# widgets

Demo application copied into /opt/app by layerbom's bench/make-images.sh.
Authored code, MIT licensed (see LICENSE).
EOF
  find "$d" -exec touch -h -d '2024-01-01 00:00:00 UTC' {} +
}

PKGS_SMALL="ca-certificates curl wget git openssl libssl3 libxml2 perl python3 python3-pip zlib1g-dev xz-utils unzip procps sqlite3"
PKGS_LARGE="$PKGS_SMALL build-essential python3-dev default-jre-headless"
# Layer 2 also drops 15 Mozilla CAs as a ca-certificates upgrade that removes them does: its
# update-ca-certificates deletes their /etc/ssl/certs/*.pem links and hash links, so the layer
# holds whiteouts of public certificates (which must never read as deleted secrets).
CMD_L2="apt-get update && apt-get purge -y --auto-remove curl wget && apt-get install -y --no-install-recommends jq less && apt-get clean && rm -rf /var/lib/apt/lists/* && awk 'n < 15 && /^mozilla\\// { print \"!\" \$0; n++; next } { print }' /etc/ca-certificates.conf >/tmp/ca.conf && cat /tmp/ca.conf >/etc/ca-certificates.conf && rm /tmp/ca.conf && update-ca-certificates"

# build_app NAME "PACKAGES"
build_app() {
  local name="$1" pkgs="$2" img="localhost/$1" pfx="$OUT/$1" ctr rebuild=0
  local cmd1="apt-get update && apt-get install -y --no-install-recommends $pkgs && apt-get clean && rm -rf /var/lib/apt/lists/*"

  # layer 0 snapshot + layer 1
  if ! image_exists "$img:layer1" || [[ ! -f "$pfx.layer1.dpkg.tsv" ]]; then
    rebuild=1
    ctr="$name-l1"; rm_ctr "$ctr"
    "${BUILDAH[@]}" from --quiet --name "$ctr" "$BASE_IMG" >/dev/null
    step "$name layer0 dpkg snapshot" snapshot "$ctr" "$pfx.layer0"
    step "$name layer1 RUN apt-get install" run_layer "$ctr" "$cmd1"
    step "$name layer1 dpkg snapshot" snapshot "$ctr" "$pfx.layer1"
    step "$name layer1 commit" "${BUILDAH[@]}" commit --quiet --rm --format docker "$ctr" "$img:layer1"
  fi
  # layer 2: purge some, install others
  if [[ $rebuild -eq 1 ]] || ! image_exists "$img:layer2" || [[ ! -f "$pfx.layer2.dpkg.tsv" ]]; then
    rebuild=1
    ctr="$name-l2"; rm_ctr "$ctr"
    "${BUILDAH[@]}" from --quiet --name "$ctr" "$img:layer1" >/dev/null
    step "$name layer2 RUN apt-get purge+install" run_layer "$ctr" "$CMD_L2"
    step "$name layer2 dpkg snapshot" snapshot "$ctr" "$pfx.layer2"
    step "$name layer2 commit" "${BUILDAH[@]}" commit --quiet --rm --format docker "$ctr" "$img:layer2"
  fi
  # layer 3: COPY app/ /opt/app/ + final config
  if [[ $rebuild -eq 1 ]] || ! image_exists "$img:1" || [[ ! -f "$pfx.layer3.dpkg.tsv" ]]; then
    ctr="$name-l3"; rm_ctr "$ctr"
    write_app_dir "$BUILD/app"
    "${BUILDAH[@]}" from --quiet --name "$ctr" "$img:layer2" >/dev/null
    local dig
    dig=$("${BUILDAH[@]}" copy "$ctr" "$BUILD/app/" /opt/app/)
    dig=${dig#sha256:}
    "${BUILDAH[@]}" config \
      --created-by "/bin/sh -c #(nop) COPY dir:$dig in /opt/app/ " \
      --workingdir /opt/app \
      --cmd '["python3", "/opt/app/src/app.py"]' \
      --label org.opencontainers.image.title="$name" \
      --label org.opencontainers.image.version=1 \
      --label org.opencontainers.image.licenses=MIT \
      --label org.opencontainers.image.base.name=docker.io/library/debian:bookworm \
      --label org.opencontainers.image.description="layerbom benchmark image (bench/make-images.sh)" \
      "$ctr"
    step "$name layer3 dpkg snapshot" snapshot "$ctr" "$pfx.layer3"
    step "$name layer3 commit" "${BUILDAH[@]}" commit --quiet --rm --format docker "$ctr" "$img:1"
  fi
}

# save_inspect SRC-REF PREFIX: the raw bytes skopeo reports (digests verify).
# Note: for docker-archive sources skopeo synthesises a schema2 manifest whose
# layer mediaType says tar.gzip although the archive's layers are plain tar.
save_inspect() {
  skopeo inspect --raw "$1" >"$2.manifest.json.tmp"
  skopeo inspect --config --raw "$1" >"$2.config.json.tmp"
  mv "$2.manifest.json.tmp" "$2.manifest.json"
  mv "$2.config.json.tmp" "$2.config.json"
}

# export_one NAME FORM [skopeo opts...]
export_one() {
  local name="$1" form="$2" ref="localhost/$1:1" file="$OUT/$1.$2.tar"; shift 2
  local id src
  id=$(image_id "$ref")
  case "$form" in
    docker) src="docker-archive:$file" ;;
    *) src="oci-archive:$file" ;;
  esac
  if [[ ! -f "$file" || ! -f "$STATE/$name.$form.id" || "$(cat "$STATE/$name.$form.id")" != "$id" ]]; then
    rm -f "$file" "$file.tmp"
    step "$name export $form" skopeo copy --quiet "$@" "$CS$ref" "${src%%:*}:$file.tmp:$ref"
    mv "$file.tmp" "$file"
    echo "$id" >"$STATE/$name.$form.id"
    rm -f "$OUT/$name.$form.manifest.json"
  fi
  [[ -f "$OUT/$name.$form.manifest.json" ]] || save_inspect "$src" "$OUT/$name.$form"
}

export_all() {
  local name="$1"
  save_inspect "${CS}localhost/$name:1" "$OUT/$name"
  export_one "$name" docker
  export_one "$name" oci-gzip --dest-compress-format gzip
  export_one "$name" oci-zstd --dest-compress-format zstd
}

# ------------------------------------------------------- distroless-like ---
# Two layers, dpkg data only as var/lib/dpkg/status.d/<pkg> (+ <pkg>.md5sums),
# the way Google's distroless writes it: the paragraph is `dpkg-deb --field`
# of the real .deb (no Status field), md5sums is the .deb's control md5sums.
DL_L0="base-files tzdata libc6"
DL_L1="zlib1g"
DL_FILES_base_files="./etc/debian_version ./etc/issue ./etc/os-release ./usr/lib/os-release"
DL_FILES_tzdata="./usr/share/zoneinfo/Etc/UTC ./usr/share/zoneinfo/UTC ./usr/share/zoneinfo/Europe/Berlin"
DL_FILES_libc6="./etc/ld.so.conf.d/x86_64-linux-gnu.conf ./lib64/ld-linux-x86-64.so.2"
DL_FILES_zlib1g="./lib/x86_64-linux-gnu/libz.so.1 ./lib/x86_64-linux-gnu/libz.so.1.2.13"

# dl_add_pkg ROOT PKG: status.d/PKG, status.d/PKG.md5sums, the copyright file
# and DL_FILES_<pkg>, extracted from the real .deb that debootstrap downloaded
# (paths as the .deb ships them, e.g. lib/ not usr/lib/, like distroless).
dl_add_pkg() {
  local root="$1" pkg="$2" src="$CACHE/$SUITE-minbase" deb
  local v="DL_FILES_${pkg//-/_}"
  local files="./usr/share/doc/$pkg/copyright ${!v}"
  mkdir -p "$root/var/lib/dpkg/status.d"
  deb=$(ls "$src"/var/cache/apt/archives/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
  if [[ -n "$deb" ]]; then
    dpkg-deb --field "$deb" >"$root/var/lib/dpkg/status.d/$pkg"
    dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums >"$root/var/lib/dpkg/status.d/$pkg.md5sums"
    # shellcheck disable=SC2086
    dpkg-deb --fsys-tarfile "$deb" | tar -C "$root" -x $files
  else
    # no cached .deb: the installed paragraph minus Status/Conffiles, files
    # copied from the debootstrap tree
    dpkg-query --admindir="$src/var/lib/dpkg" -s "$pkg" |
      awk '/^(Status|Conffiles):/{skip=1;next} skip&&/^ /{next} {skip=0;print}' \
      >"$root/var/lib/dpkg/status.d/$pkg"
    local info="$src/var/lib/dpkg/info" f
    cp "$info/$pkg.md5sums" "$root/var/lib/dpkg/status.d/$pkg.md5sums" 2>/dev/null ||
      cp "$info/$pkg:amd64.md5sums" "$root/var/lib/dpkg/status.d/$pkg.md5sums"
    for f in $files; do
      mkdir -p "$root/$(dirname "$f")"
      cp -a "$src/$f" "$root/$f"
    done
  fi
}

do_distroless() {
  local d="$BUILD/distroless" p ctr
  rm -rf "$d"; mkdir -p "$d/l0" "$d/l1"
  for p in $DL_L0; do dl_add_pkg "$d/l0" "$p"; done
  for p in $DL_L1; do dl_add_pkg "$d/l1" "$p"; done
  mkdir -p "$d/l0/etc" "$d/l0/tmp" "$d/l0/home/nonroot"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$d/l0/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$d/l0/etc/group"
  chmod 1777 "$d/l0/tmp"
  touch -d '2024-01-01 00:00:00 UTC' "$d/l0/etc/passwd" "$d/l0/etc/group" "$d/l0/tmp" "$d/l0/home/nonroot"

  local img=localhost/distroless-like
  ctr=distroless-l0; rm_ctr "$ctr"
  "${BUILDAH[@]}" from --quiet --name "$ctr" scratch >/dev/null
  "${BUILDAH[@]}" copy --quiet "$ctr" "$d/l0/" / >/dev/null
  "${BUILDAH[@]}" config --created-by "COPY rootfs/ / # distroless-like base: $DL_L0 (status.d)" "$ctr"
  "${BUILDAH[@]}" commit --quiet --rm --format oci --identity-label=false --timestamp 1700000000 "$ctr" "$img:layer0" >/dev/null
  ctr=distroless-l1; rm_ctr "$ctr"
  "${BUILDAH[@]}" from --quiet --name "$ctr" "$img:layer0" >/dev/null
  "${BUILDAH[@]}" copy --quiet "$ctr" "$d/l1/" / >/dev/null
  "${BUILDAH[@]}" config --created-by "COPY rootfs/ / # distroless-like: $DL_L1 (status.d)" \
    --user 65532:65532 --entrypoint '["/bin/false"]' \
    --label org.opencontainers.image.title=distroless-like "$ctr"
  "${BUILDAH[@]}" commit --quiet --rm --format oci --identity-label=false --timestamp 1700000000 "$ctr" "$img:1" >/dev/null
  rm -f "$OUT/distroless-like.docker.tar"
  skopeo copy --quiet "${CS}$img:1" "docker-archive:$OUT/distroless-like.docker.tar:$img:1"
  save_inspect "docker-archive:$OUT/distroless-like.docker.tar" "$OUT/distroless-like"
  # ground truth: what is in status.d per layer
  ( cd "$d/l0/var/lib/dpkg/status.d" && ls ) >"$OUT/distroless-like.layer0.status.d.txt"
  ( cd "$d/l1/var/lib/dpkg/status.d" && ls ) >"$OUT/distroless-like.layer1.status.d.txt"
  rm -rf "$d"
}

# -------------------------------------------------------------- summary ---
summary() {
  local s="$OUT/summary.txt" n f
  {
    echo "# generated by bench/make-images.sh on $(date -u +%FT%TZ)"
    for n in debian-app debian-large; do
      [[ -f "$OUT/$n.docker.tar" ]] || continue
      echo "## $n"
      for f in docker oci-gzip oci-zstd; do
        [[ -f "$OUT/$n.$f.tar" ]] || continue
        printf '%-10s file=%s bytes  layers(sum of blob sizes)=%s bytes\n' "$f" \
          "$(stat -c %s "$OUT/$n.$f.tar")" \
          "$(jq '[.layers[].size]|add' "$OUT/$n.$f.manifest.json")"
      done
      printf 'per-layer sizes (docker=uncompressed / gzip / zstd):\n'
      paste <(jq -r '.layers[].size' "$OUT/$n.docker.manifest.json") \
            <(jq -r '.layers[].size' "$OUT/$n.oci-gzip.manifest.json") \
            <(jq -r '.layers[].size' "$OUT/$n.oci-zstd.manifest.json") | nl -v0
      for f in "$OUT/$n".layer?.dpkg.tsv; do
        printf '%s: %s packages (%s ii)\n' "$(basename "$f")" "$(wc -l <"$f")" \
          "$(awk -F'\t' '$6 ~ /^ii/' "$f" | wc -l)"
      done
    done
    if [[ -f "$OUT/distroless-like.docker.tar" ]]; then
      echo "## distroless-like"
      echo "docker.tar $(stat -c %s "$OUT/distroless-like.docker.tar") bytes"
      echo "layer0 status.d: $(tr '\n' ' ' <"$OUT/distroless-like.layer0.status.d.txt")"
      echo "layer1 status.d: $(tr '\n' ' ' <"$OUT/distroless-like.layer1.status.d.txt")"
    fi
  } >"$s"
  cat "$s"
}

# ------------------------------------------------------------------ main ---
build_app debian-app "$PKGS_SMALL"
export_all debian-app
if [[ ! -f "$OUT/distroless-like.docker.tar" || ! -f "$STATE/distroless-like.done" ]]; then
  step "distroless-like build+export" do_distroless
  touch "$STATE/distroless-like.done"
fi
if [[ $SIZE == large ]]; then
  build_app debian-large "$PKGS_LARGE"
  export_all debian-large
fi
summary
