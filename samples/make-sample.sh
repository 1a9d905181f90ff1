#!/usr/bin/env bash
# Regenerates samples/demo.tar: a small docker-save (docker-archive) image for
# the README, made of real Debian metadata copied from this machine.
#
# Needs (Debian 12 packages): buildah skopeo umoci tar jq, run as root, and
# these packages installed on the machine (their metadata is copied):
#   base-files ca-certificates gcc-12-base libc6 libcrypt1 libgcc-s1
#   libstdc++6 netbase zlib1g  (layer 0)   jq libjq1 libonig5  (layer 1)
#   apt-get install -y buildah skopeo umoci jq
#
# Layers:
#   0  "debian:bookworm-slim"-like base: etc/os-release, var/lib/dpkg/status
#      (9 real paragraphs), their var/lib/dpkg/info/*.list and *.md5sums and
#      /usr/share/doc/<pkg>/copyright (Debian's doc-dir symlinks kept, e.g.
#      libgcc-s1 -> gcc-12-base); no binaries
#   1  "apt-get install jq": status rewritten with jq, libjq1, libonig5 added
#      (dpkg order), their .list/.md5sums and copyright files
#   2  COPY of opt/demo/ (MIT LICENSE + a small script)
# buildah writes the layers (commit --timestamp 0), umoci adds the empty-layer
# history entries (CMD, WORKDIR) with fixed dates, skopeo writes demo.tar.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/demo.tar
REF=localhost/layerbom-demo:1.0
T0=1970-01-01T00:00:00Z
BASE_PKGS="base-files ca-certificates gcc-12-base libc6 libcrypt1 libgcc-s1 libstdc++6 netbase zlib1g"
ADD_PKGS="jq libjq1 libonig5"

for t in buildah skopeo umoci tar jq; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (buildah vfs/chroot)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/layerbom-sample.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot SOURCE_DATE_EPOCH=0 TZ=UTC LC_ALL=C
umask 022
B=(buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs)
CS="containers-storage:[vfs@$WORK/storage+$WORK/run]"

# status paragraphs of the given packages, in the order dpkg keeps them
status_of() {
  local re
  re=$(echo "$*" | sed 's/+/\\+/g; s/ /|/g')
  awk -v re="^Package: ($re)\n" 'BEGIN{RS="";ORS="\n\n"} $0 ~ re' /var/lib/dpkg/status
}
# copy the dpkg metadata and copyright of one package into root $2
copy_pkg_meta() {
  local p=$1 root=$2 f found=0
  mkdir -p "$root/var/lib/dpkg/info" "$root/usr/share/doc"
  for f in "/var/lib/dpkg/info/$p".{list,md5sums} "/var/lib/dpkg/info/$p":*.{list,md5sums}; do
    [ -f "$f" ] || continue
    cp "$f" "$root/var/lib/dpkg/info/"; found=1
  done
  [ $found = 1 ] || { echo "no dpkg info for $p" >&2; exit 1; }
  if [ -L "/usr/share/doc/$p" ]; then
    cp -P "/usr/share/doc/$p" "$root/usr/share/doc/$p"        # e.g. libgcc-s1 -> gcc-12-base
  elif [ -f "/usr/share/doc/$p/copyright" ]; then
    mkdir -p "$root/usr/share/doc/$p"
    cp "/usr/share/doc/$p/copyright" "$root/usr/share/doc/$p/copyright"
  fi
}
normalize() { find "$1" -type d -exec chmod 0755 {} +; find "$1" -type f -exec chmod 0644 {} +; }

# ---------------------------------------------------------------- layer 0: base
base=$WORK/base
mkdir -p "$base/etc" "$base/var/lib/dpkg"
cat /etc/os-release > "$base/etc/os-release"
status_of $BASE_PKGS > "$base/var/lib/dpkg/status"
n=$(grep -c '^Package: ' "$base/var/lib/dpkg/status")
[ "$n" = 9 ] || { echo "base status: $n paragraphs, wanted 9" >&2; exit 1; }
for p in $BASE_PKGS; do copy_pkg_meta "$p" "$base"; done
normalize "$base"
addhash=$(tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$base" . | sha256sum | cut -c1-64)

c0=$("${B[@]}" from scratch)
"${B[@]}" copy --quiet "$c0" "$base"/ /
"${B[@]}" config --os linux --arch amd64 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --created-by "/bin/sh -c #(nop) ADD file:$addhash in / " "$c0"
"${B[@]}" commit --quiet --identity-label=false --timestamp 0 "$c0" localhost/demo-base >/dev/null
"${B[@]}" push --quiet localhost/demo-base "oci:$WORK/demo:1.0"
cd "$WORK"
umoci config --image demo:1.0 --created "$T0" --config.cmd bash \
  --history.created "$T0" --history.created_by '/bin/sh -c #(nop)  CMD ["bash"]'
skopeo copy -q oci:demo:1.0 "${CS}localhost/demo-slim:1.0"

# ---------------------------------------------------------------- layer 1: "apt-get install jq"
c1=$("${B[@]}" from localhost/demo-slim:1.0)
mnt=$("${B[@]}" mount "$c1")
status_of $BASE_PKGS $ADD_PKGS > "$mnt/var/lib/dpkg/status"
stage=$WORK/l1
for p in $ADD_PKGS; do copy_pkg_meta "$p" "$stage"; done
normalize "$stage"
cp -a "$stage"/. "$mnt"/
chmod 0644 "$mnt/var/lib/dpkg/status"
"${B[@]}" umount "$c1" >/dev/null
"${B[@]}" config --created-by 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/* # buildkit' "$c1"
"${B[@]}" commit --quiet --identity-label=false --timestamp 0 "$c1" localhost/demo-jq >/dev/null

# ---------------------------------------------------------------- layer 2: COPY opt/demo
app=$WORK/app/opt/demo
mkdir -p "$app"
cat > "$app/LICENSE" <<'EOF'
MIT License

Copyright (c) 2024 The layerbom demo authors

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
cat > "$app/report.sh" <<'EOF'
#!/bin/sh
# demo app: print the installed packages as JSON lines
dpkg-query -W -f '{"package":"${Package}","version":"${Version}"}\n' | jq -c .
EOF
normalize "$WORK/app"
chmod 0755 "$app/report.sh"
c2=$("${B[@]}" from localhost/demo-jq)
"${B[@]}" copy --quiet "$c2" "$WORK/app/opt/demo" /opt/demo
"${B[@]}" config --created-by 'COPY opt/demo /opt/demo # buildkit' "$c2"
"${B[@]}" commit --quiet --identity-label=false --timestamp 0 "$c2" localhost/demo-app >/dev/null
"${B[@]}" push --quiet localhost/demo-app "oci:$WORK/final:1.0"
umoci config --image final:1.0 --created "$T0" --config.workingdir /opt/demo \
  --history.created "$T0" --history.created_by 'WORKDIR /opt/demo'
umoci config --image final:1.0 --created "$T0" --clear config.cmd --config.cmd /opt/demo/report.sh \
  --config.label org.opencontainers.image.title=layerbom-demo \
  --config.label org.opencontainers.image.licenses=MIT \
  --config.label "org.opencontainers.image.vendor=layerbom demo <layerbom@example.org>" \
  --history.created "$T0" --history.created_by 'CMD ["/opt/demo/report.sh"]'

rm -f "$OUT"
skopeo copy -q oci:final:1.0 "docker-archive:$OUT:$REF"
chmod 0644 "$OUT"
skopeo inspect --config docker-archive:"$OUT" |
  jq -c '{diff_ids: .rootfs.diff_ids, history: [.history[] | {created_by, empty_layer}]}' >&2
ls -la "$OUT" >&2
