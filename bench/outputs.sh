#!/usr/bin/env bash
# bench/outputs.sh - write every output format for every given image, and print the
# SHA-256 of each document: the guard of a restructuring that must leave documents
# byte-identical (run it before and after, and diff the two lists).
#
# Usage: bench/outputs.sh [--bin PATH] OUTDIR IMAGE...
#   --bin   the layerbom binary (default: target/release/layerbom)
#   OUTDIR  where the documents go, one directory per image and option set
#   IMAGE   any input `layerbom scan` takes; samples/demo.tar is also scanned with its
#           Dockerfile and in `layers` delivery, and every Dockerfile under
#           tests/fixtures/dockerfiles is audited, so that those paths are covered too.
#
# Prints "SHA256  OUTDIR-relative-path" lines, sorted, on stdout. Documents are
# deterministic (SOURCE_DATE_EPOCH is fixed here), so two runs of the same binary on the
# same images print the same list.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/layerbom
if [[ ${1:-} == --bin ]]; then
    bin=$2
    shift 2
fi
[[ $# -ge 2 ]] || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
out=$1
shift
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000

formats=(table json spdx-json spdx-tag-value cyclonedx-json cyclonedx-json@1.5 cyclonedx-xml
    cyclonedx-xml@1.5 obligations-json obligations-md obligations-csv notice report-md report-html)

# scan NAME IMAGE [OPTIONS...]: every format of one scan into OUTDIR/NAME/.
scan() {
    local name=$1 img=$2
    shift 2
    local dir="$out/$name" args=()
    mkdir -p "$dir"
    for f in "${formats[@]}"; do
        args+=(-o "$f=$dir/$f")
    done
    # Exit 1 (a policy matched) still writes every document.
    "$bin" scan "$img" -q --no-cache "$@" "${args[@]}" 2>"$dir/stderr" || [[ $? -eq 1 ]]
}

for img in "$@"; do
    name=$(basename "$img")
    scan "$name" "$img"
    if [[ $img == samples/demo.tar ]]; then
        scan "$name+dockerfile" "$img" --dockerfile samples/Dockerfile
        scan "$name+layers" "$img" --base-layers 1 --delivery layers --fail-on strong-copyleft
    fi
done
for df in tests/fixtures/dockerfiles/*; do
    name=dockerfile-$(basename "$df")
    mkdir -p "$out/$name"
    "$bin" dockerfile "$df" -o "table=$out/$name/table" -o "json=$out/$name/json"
done
(cd "$out" && find . -type f ! -name stderr -print0 | sort -z | xargs -0 sha256sum)
