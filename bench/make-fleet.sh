#!/usr/bin/env bash
# bench/make-fleet.sh - build a fleet of images for bench/cache.sh: 21 images FROM three
# real bases, each with 1-3 layers of its own, as an organization's images share a few base
# images.
#
# Needs: root, buildah and skopeo (apt-get install buildah skopeo), python3, and the bases
# bench/make-images.sh builds into its buildah storage (run it first):
#   localhost/debian:bookworm-minbase  (1 layer, 121 MB)
#   localhost/debian-app:1             (3 layers, 380 MB)
#   localhost/distroless-like:1        (2 layers, dpkg status.d only)
#
# Usage: bench/make-fleet.sh [IMAGES [COUNT]]  (IMAGES: make-images.sh's OUTDIR, /work/images;
#        COUNT: 21; bench/fleet.sh wants 54)
# Writes IMAGES/fleet/fleet-NN.oci.tar (oci-archive, gzip layers) for NN = 01..COUNT, and
# IMAGES/fleet/bases.tsv: each image's base and its number of layers of its own. Images
# already exported are kept.
#
# Each layer of its own is a COPY of a directory made here: a Python distribution
# (dist-info METADATA with a license), a copyright file, and 2-24 MB of incompressible
# bytes, different for every image and layer (seeded by their numbers, so a rerun makes
# the same content).
set -euo pipefail

IMAGES=${1:-/work/images}
COUNT=${2:-21}
[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
for t in buildah skopeo python3; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
export BUILDAH_ISOLATION=chroot
BUILDAH=(buildah --root "$IMAGES/storage" --runroot "$IMAGES/run" --storage-driver vfs)
CS="containers-storage:[vfs@$IMAGES/storage+$IMAGES/run]"
BASES=(localhost/debian:bookworm-minbase localhost/debian-app:1 localhost/distroless-like:1)
for b in "${BASES[@]}"; do
  "${BUILDAH[@]}" inspect --type image "$b" >/dev/null 2>&1 ||
    { echo "no base image $b: run bench/make-images.sh first" >&2; exit 1; }
done

OUT="$IMAGES/fleet"
mkdir -p "$OUT"
: >"$OUT/bases.tsv.tmp"
for n in $(seq 1 "$COUNT"); do
  nn=$(printf '%02d' "$n")
  base=${BASES[$(( (n - 1) % 3 ))]}
  own=$(( (n - 1) / 3 % 3 + 1 ))
  printf 'fleet-%s\t%s\t%s\n' "$nn" "$base" "$own" >>"$OUT/bases.tsv.tmp"
  [[ -s "$OUT/fleet-$nn.oci.tar" ]] && continue
  ctx=$(mktemp -d)
  {
    echo "FROM $base"
    for l in $(seq 1 "$own"); do echo "COPY layer$l/ /opt/app$nn/"; done
    echo "CMD [\"/opt/app$nn/run\"]"
  } >"$ctx/Containerfile"
  python3 - "$ctx" "$n" "$own" <<'PY'
import os, random, sys
ctx, n, own = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for l in range(1, own + 1):
    rng = random.Random(n * 100 + l)
    root = os.path.join(ctx, f"layer{l}")
    dist = os.path.join(root, "lib/python3.11/site-packages", f"fleet{n:02d}_part{l}-1.{l}.0.dist-info")
    os.makedirs(dist)
    with open(os.path.join(dist, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: fleet{n:02d}-part{l}\nVersion: 1.{l}.0\nLicense: MIT\n")
    doc = os.path.join(root, "share/doc", f"fleet{n:02d}-part{l}")
    os.makedirs(doc)
    with open(os.path.join(doc, "copyright"), "w") as f:
        f.write(f"Copyright (c) 2026 Fleet {n} part {l}\n\nPermission is hereby granted, free of charge, to any person obtaining a copy.\n")
    data = os.path.join(root, "data")
    os.makedirs(data)
    for k in range(rng.randint(2, 24)):
        with open(os.path.join(data, f"blob{k:02d}.bin"), "wb") as f:
            f.write(rng.randbytes(1 << 20))
PY
  "${BUILDAH[@]}" build --quiet --layers -f "$ctx/Containerfile" -t "localhost/fleet-$nn:1" "$ctx" >/dev/null
  rm -rf "$ctx"
  skopeo --insecure-policy copy --quiet "$CS""localhost/fleet-$nn:1" "oci-archive:$OUT/fleet-$nn.oci.tar.tmp"
  mv "$OUT/fleet-$nn.oci.tar.tmp" "$OUT/fleet-$nn.oci.tar"
  echo "fleet-$nn: FROM $base, $own layer(s) of its own" >&2
done
mv "$OUT/bases.tsv.tmp" "$OUT/bases.tsv"
# The bases alone: bench/fleet.sh scans them first, to fill its cache with their layers.
for b in "${BASES[@]}"; do
  name=$(echo "$b" | tr '/:' '__')
  [[ -s "$OUT/base-$name.oci.tar" ]] && continue
  skopeo --insecure-policy copy --quiet "$CS$b" "oci-archive:$OUT/base-$name.oci.tar.tmp"
  mv "$OUT/base-$name.oci.tar.tmp" "$OUT/base-$name.oci.tar"
done
ls -la "$OUT" >&2
