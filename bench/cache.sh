#!/usr/bin/env bash
# bench/cache.sh - what the layer cache saves: the fleet of bench/make-fleet.sh scanned
# cold, warm, in sequence through one cache, and by 4 processes sharing a PostgreSQL cache.
#
# Usage: bench/cache.sh [--runs N] [IMAGES]    (IMAGES: /work/images; N: 3)
# LAYERBOM: the binary to measure (default: target/release/layerbom under CARGO_TARGET_DIR,
# built here).
# Needs: bench/make-fleet.sh's images, PostgreSQL's programs (apt-get install postgresql;
# a server of its own is started on a free loopback port, as root under the postgres
# user), redis-server (apt-get install redis-server; one of its own too), GNU time.
# Writes bench/results/cache.md and prints it. Nothing here is run by CI.
#
# What is measured (wall-clock seconds, medians of N runs; RSS in MB, the largest seen):
# - cold: each image scanned with --no-cache.
# - warm: each image scanned again with every layer in the cache directory.
# - fleet, one cache: the fleet's images scanned one after the other into an empty cache
#   directory, against the cost of their distinct layers: what each of those scans took
#   beyond the same image's warm scan, that is the layers it met first (a base's, the first
#   time the base is seen, and its own). Counted so, a layer is paid for once whichever
#   images share it, and a base rebuilt between fleet builds (other diff_ids under one
#   name) is another base. (Cold scans minus their base's cold scan would not do: a scan
#   reads its layers in parallel, so an image's own layers hide behind its base's.)
# - fleet, shared: the fleet's images split over 4 processes sharing an empty cache
#   directory, an empty PostgreSQL cache and an empty Redis cache, against the distinct layers and 1 process
#   scanning them one after the other without a cache.
# - fleet, batch: one `layerbom batch` process scanning the fleet (as many images at a time
#   as there are cores) into an empty cache directory, and again with every layer cached.
set -euo pipefail

runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) break ;;
  esac
done
IMAGES=${1:-/work/images}
FLEET="$IMAGES/fleet"
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
[[ -s "$FLEET/bases.tsv" ]] || { echo "no fleet in $FLEET: run bench/make-fleet.sh" >&2; exit 1; }
bin=$(layerbom_binary "$root")
work=$(mktemp -d)
pg_pid=""
redis_pid=""
cleanup() {
  [[ -n "$pg_pid" ]] && kill "$pg_pid" 2>/dev/null && { wait "$pg_pid" 2>/dev/null || true; }
  [[ -n "$redis_pid" ]] && kill "$redis_pid" 2>/dev/null && { wait "$redis_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

# A PostgreSQL server and a Redis server of its own, started first so that a failure shows
# at once.
start_postgres "$work"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

# seconds (to the microsecond: GNU time's are hundredths) and KB of one scan:
# run IMAGE ARGS...
run() {
  local image="$1"; shift
  local t0 t1
  t0=$(now)
  /usr/bin/time -f '%M' -o "$work/time" "$bin" scan "$image" -q -o "json=$work/out.json" "$@"
  t1=$(now)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }') $(cat "$work/time")"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }

# The cold cost of an image (median of N runs without the cache), and its peak RSS.
declare -A cold rss_cold warm rss_warm
for image in "$FLEET"/fleet-*.oci.tar; do
  "$bin" scan "$image" -q --no-cache -o "json=$work/out.json" # page cache warm
  : >"$work/samples"
  for _ in $(seq 1 "$runs"); do run "$image" --no-cache >>"$work/samples"; done
  cold[$image]=$(cut -d' ' -f1 "$work/samples" | median)
  rss_cold[$image]=$(cut -d' ' -f2 "$work/samples" | sort -g | tail -1)
done

# Warm: every image's layers in one cache directory, then each scanned N times.
cache="$work/cache"
for image in "$FLEET"/fleet-*.oci.tar; do "$bin" scan "$image" -q --cache-dir "$cache" -o "json=$work/out.json"; done
for image in "$FLEET"/fleet-*.oci.tar; do
  : >"$work/samples"
  for _ in $(seq 1 "$runs"); do run "$image" --cache-dir "$cache" >>"$work/samples"; done
  warm[$image]=$(cut -d' ' -f1 "$work/samples" | median)
  rss_warm[$image]=$(cut -d' ' -f2 "$work/samples" | sort -g | tail -1)
done

# The fleet one after the other into an empty cache directory (median of N), each scan
# timed: what it took beyond the image's warm scan is the cost of the layers it met first.
: >"$work/samples"
declare -A first
for r in $(seq 1 "$runs"); do
  rm -rf "$cache"
  t0=$(now)
  for image in "$FLEET"/fleet-*.oci.tar; do
    first[$image,$r]=$(run "$image" --cache-dir "$cache" | cut -d' ' -f1)
  done
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >>"$work/samples"
done
fleet_dir=$(median <"$work/samples")
distinct=$(for image in "$FLEET"/fleet-*.oci.tar; do
  t=$(for r in $(seq 1 "$runs"); do echo "${first[$image,$r]}"; done | median)
  echo "$t ${warm[$image]}"
done | awk '{ d = $1 - $2; s += (d > 0 ? d : 0) } END { print s }')

# The fleet one after the other without a cache.
: >"$work/samples"
for _ in $(seq 1 "$runs"); do
  t0=$(now)
  for image in "$FLEET"/fleet-*.oci.tar; do "$bin" scan "$image" -q --no-cache -o "json=$work/out.json"; done
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >>"$work/samples"
done
fleet_none=$(median <"$work/samples")

# The fleet over 4 processes (median of N), each run after RESET (a command) empties the
# cache: at_once RESET SCAN_ARGS...
at_once() {
  local reset="$1" t0 t1
  shift
  : >"$work/samples"
  for _ in $(seq 1 "$runs"); do
    "$reset"
    t0=$(now)
    ls "$FLEET"/fleet-*.oci.tar | xargs -P 4 -I{} "$bin" scan {} -q -o json=/dev/null "$@"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >>"$work/samples"
  done
  median <"$work/samples"
}
empty_dir() { rm -rf "$cache"; }
empty_database() { "$bin" cache clear >/dev/null 2>&1 || true; }
fleet_dir4=$(at_once empty_dir --cache-dir "$cache")

# The fleet by one `layerbom batch` process, its images as many at a time as there are cores
# (median of N), each run after RESET (a command): batched RESET.
ls "$FLEET"/fleet-*.oci.tar >"$work/list"
batched() {
  local reset="$1" t0 t1
  : >"$work/samples"
  for _ in $(seq 1 "$runs"); do
    "$reset"
    rm -rf "$work/documents"
    t0=$(now)
    "$bin" batch "$work/list" --out-dir "$work/documents" -q -o json --cache-dir "$cache"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >>"$work/samples"
  done
  median <"$work/samples"
}
keep_cache() { :; }
fleet_batch=$(batched empty_dir)
fleet_batch_warm=$(batched keep_cache)
fleet_pg=$(LAYERBOM_CACHE="postgres://layerbom:bench@127.0.0.1:$pg_port/postgres" at_once empty_database)
fleet_redis=$(LAYERBOM_CACHE="redis://127.0.0.1:$redis_port/0" at_once empty_database)

{
  echo "Run on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at its end (a loaded machine slows every scan, and the distinct layers' cost, a sum of differences, most)."
  echo
  echo "Each fleet image: cold (--no-cache) and warm (every layer in the cache), seconds, medians of $runs; peak RSS in MB."
  echo
  echo "| image | base | own layers | cold s | warm s | warm/cold | cold MB | warm MB |"
  echo "|---|---|---|---|---|---|---|---|"
  while IFS=$'\t' read -r name base own; do
    i="$FLEET/$name.oci.tar"
    awk -v n="$name" -v b="$base" -v o="$own" -v c="${cold[$i]}" -v w="${warm[$i]}" -v rc="${rss_cold[$i]}" -v rw="${rss_warm[$i]}" \
      'BEGIN { printf "| %s | %s | %s | %.3f | %.3f | %.2f | %d | %d |\n", n, b, o, c, w, w / c, rc / 1024, rw / 1024 }'
  done <"$FLEET/bases.tsv"
  echo
  for i in "$FLEET"/fleet-*.oci.tar; do echo "${cold[$i]} ${warm[$i]}"; done |
    awk '{ c += $1; w += $2; r = $2 / $1; if (r > m) m = r } END { printf "Warm against cold over the fleet: %.3f of the time in all, %.3f for the worst image.\n", w / c, m }'
  echo
  echo "| the fleet ($(ls "$FLEET"/fleet-*.oci.tar | wc -l) images) | seconds |"
  echo "|---|---|"
  printf '| its distinct layers, cold (each scan of that run beyond its image'"'"'s warm scan) | %.2f |\n' "$distinct"
  printf '| one process, one cache directory, empty at the start | %.2f (%.2fx the distinct layers) |\n' "$fleet_dir" "$(awk -v a="$fleet_dir" -v b="$distinct" 'BEGIN { print a / b }')"
  printf '| one process, no cache | %.2f |\n' "$fleet_none"
  printf '| 4 processes, one cache directory, empty at the start | %.2f (%.2fx the distinct layers) |\n' "$fleet_dir4" "$(awk -v a="$fleet_dir4" -v b="$distinct" 'BEGIN { print a / b }')"
  printf '| one `layerbom batch` process (%s images at a time), one cache directory, empty at the start | %.2f (%.2fx the distinct layers) |\n' "$(nproc)" "$fleet_batch" "$(awk -v a="$fleet_batch" -v b="$distinct" 'BEGIN { print a / b }')"
  printf '| the same, every layer in the cache | %.2f |\n' "$fleet_batch_warm"
  printf '| 4 processes, one PostgreSQL cache, empty at the start | %.2f (%.2fx one process without it, %.2fx the distinct layers) |\n' "$fleet_pg" "$(awk -v a="$fleet_pg" -v b="$fleet_none" 'BEGIN { print a / b }')" "$(awk -v a="$fleet_pg" -v b="$distinct" 'BEGIN { print a / b }')"
  printf '| 4 processes, one Redis cache, empty at the start | %.2f (%.2fx one process without it, %.2fx the distinct layers) |\n' "$fleet_redis" "$(awk -v a="$fleet_redis" -v b="$fleet_none" 'BEGIN { print a / b }')" "$(awk -v a="$fleet_redis" -v b="$distinct" 'BEGIN { print a / b }')"
} | tee "$root/bench/results/cache.md"
