#!/usr/bin/env bash
# bench/fleet.sh - `layerbom batch` over a fleet in a registry on loopback: one process
# against four shard processes sharing a PostgreSQL layer cache, in images per second, and
# the total against the cold cost of the fleet's distinct layers.
#
# Usage: bench/fleet.sh [--bin LAYERBOM] [IMAGES]    (IMAGES: /work/images)
# Needs: bench/make-fleet.sh IMAGES 54 (54 images FROM three bases), docker-registry and
# skopeo (apt-get install docker-registry skopeo), PostgreSQL's programs (apt-get install
# postgresql; a server of its own on a free loopback port, as root under the postgres
# user). LAYERBOM: the binary to measure (--bin, or the variable LAYERBOM; default: the release build, built here).
# Writes bench/results/fleet.md and prints it. Nothing here is run by CI.
#
# What is measured (wall-clock seconds, one run each, documents: json and spdx-json):
# - no cache: 1 process, --jobs 1, --no-cache: every image read whole, its base too.
# - distinct layers' cold cost: the 3 base images scanned cold into an empty PostgreSQL
#   cache, plus the images scanned with their bases' layers in that cache (their own
#   layers cold): each distinct layer read once.
# - 1 process: --jobs 1, an empty PostgreSQL cache.
# - 4 shards: --shard I/4 for I = 0..3 started at once, --jobs 1 each, sharing an empty
#   PostgreSQL cache (another database).
# - 1 process, --jobs 4: one process scanning 4 images at a time, an empty cache.
set -euo pipefail

bin=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) break ;;
  esac
done
IMAGES=${1:-/work/images}
FLEET="$IMAGES/fleet"
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
[[ -s "$FLEET/bases.tsv" ]] || { echo "no fleet in $FLEET: run bench/make-fleet.sh $IMAGES 54" >&2; exit 1; }
[[ -n "$bin" ]] || bin=$(layerbom_binary "$root")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }; done
  rm -rf "$work"
}
trap cleanup EXIT

# The registry, its storage in the work directory.
reg_port=$(free_port)
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$reg_port
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
until curl -sf "http://127.0.0.1:$reg_port/v2/" >/dev/null; do sleep 0.1; done

# PostgreSQL, a server of its own.
start_postgres "$work"
pids+=("$pg_pid")
pg() { echo "postgres://layerbom:bench@127.0.0.1:$pg_port/$1"; }
for db in own one four jobs4; do
  PGPASSWORD=bench "$pgbin/psql" -q -h 127.0.0.1 -p "$pg_port" -U layerbom -d postgres -c "CREATE DATABASE $db"
done

# The fleet and its bases, pushed.
reg="127.0.0.1:$reg_port"
: >"$work/fleet.txt"
images=0
while IFS=$'\t' read -r name base _own; do
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false \
    "oci-archive:$FLEET/$name.oci.tar" "docker://$reg/fleet/$name:1"
  echo "$reg/fleet/$name:1" >>"$work/fleet.txt"
  images=$((images + 1))
done <"$FLEET/bases.tsv"
: >"$work/bases.txt"
for b in $(cut -f2 "$FLEET/bases.tsv" | sort -u); do
  name=$(echo "$b" | tr '/:' '__')
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false \
    "oci-archive:$FLEET/base-$name.oci.tar" "docker://$reg/base/$name:1"
  echo "$reg/base/$name:1" >>"$work/bases.txt"
done

# seconds of: timed ARGS...
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
batch() { "$bin" batch "$@" -q -o json -o spdx-json --out-dir "$work/out-$RANDOM" 2>>"$work/batch.log"; }

t_nocache=$(timed batch "$work/fleet.txt" --jobs 1 --no-cache)
# The distinct layers' cold cost, measured: the bases scanned cold into an empty cache, then
# every image with its base's layers in that cache (its own layers cold).
t_bases=$(timed batch "$work/bases.txt" --jobs 1 --cache "$(pg own)")
t_own=$(timed batch "$work/fleet.txt" --jobs 1 --cache "$(pg own)")
distinct=$(echo "$t_bases + $t_own" | bc)
t_one=$(timed batch "$work/fleet.txt" --jobs 1 --cache "$(pg one)")
shard() { batch "$work/fleet.txt" --jobs 1 --cache "$(pg four)" --shard "$1/4"; }
four() {
  local p=()
  for i in 0 1 2 3; do shard "$i" & p+=($!); done
  local rc=0
  for q in "${p[@]}"; do wait "$q" || rc=$?; done
  return "$rc"
}
t_four=$(timed four)
t_jobs4=$(timed batch "$work/fleet.txt" --jobs 4 --cache "$(pg jobs4)")

rate() { printf '%.2f' "$(echo "scale=4; $images / $1" | bc)"; }
ratio() { printf '%.2f' "$(echo "scale=4; $1 / $distinct" | bc)"; }
mkdir -p "$root/bench/results"
{
  echo "# layerbom batch: $images images in a loopback registry ($(nproc) CPUs, $(date -u +%Y-%m-%d))"
  echo
  echo "Distinct layers' cold cost: $(printf '%.1f' "$distinct") s (the 3 bases cold, $(printf '%.1f' "$t_bases") s, then the $images images with their bases' layers in the cache, $(printf '%.1f' "$t_own") s)."
  echo
  echo "| run | wall s | images/s | against distinct layers' cold cost |"
  echo "|---|---|---|---|"
  echo "| 1 process, --jobs 1, no cache | $(printf '%.1f' "$t_nocache") | $(rate "$t_nocache") | $(ratio "$t_nocache") |"
  echo "| 1 process, --jobs 1, empty PostgreSQL cache | $(printf '%.1f' "$t_one") | $(rate "$t_one") | $(ratio "$t_one") |"
  echo "| 4 shard processes (--jobs 1 each), one empty PostgreSQL cache | $(printf '%.1f' "$t_four") | $(rate "$t_four") | $(ratio "$t_four") |"
  echo "| 1 process, --jobs 4, empty PostgreSQL cache | $(printf '%.1f' "$t_jobs4") | $(rate "$t_jobs4") | $(ratio "$t_jobs4") |"
  echo
  echo "Binary: $("$bin" --version). Each run writes json and spdx-json for every image."
} | tee "$root/bench/results/fleet.md"
