# bench/lib.sh - what the bench scripts share: sourced by them, not run.

# A free TCP port on loopback.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# layerbom_binary ROOT: the binary to measure: $LAYERBOM when set, else the release build of
# the tree at ROOT, built here (into CARGO_TARGET_DIR when that is set).
layerbom_binary() {
  if [[ -n "${LAYERBOM:-}" ]]; then
    echo "$LAYERBOM"
    return
  fi
  (cd "$1" && cargo build --release --locked --quiet --bin layerbom) >&2
  echo "${CARGO_TARGET_DIR:-$1/target}/release/layerbom"
}

# start_postgres WORK: a PostgreSQL server of its own, its data under WORK/pg, on a free
# loopback port, for the role layerbom with the password bench (SCRAM); as root it runs as
# the postgres user, so WORK is made reachable to it. Sets pgbin, pg_port and pg_pid, and
# returns once the server answers.
start_postgres() {
  local work="$1" pgdir="$1/pg" as_pg=()
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$pgdir"
  chmod 711 "$work"
  echo bench >"$pgdir/pw"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U layerbom --auth=scram-sha-256 --pwfile="$pgdir/pw" --no-sync >/dev/null
  pg_port=$(free_port)
  "${as_pg[@]}" "$pgbin/postgres" -D "$pgdir/data" -p "$pg_port" -k "$pgdir" -c listen_addresses=127.0.0.1 >"$work/pg.log" 2>&1 &
  pg_pid=$!
  until "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; do sleep 0.1; done
}
