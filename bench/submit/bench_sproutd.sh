# Sourced by the benchmark scripts: starts sproutd for a benchmark run.
#
#   start_bench_sproutd BUILD WORK [FLAGS...]   -> sets bench_port and bench_pid
#
# Plaintext on loopback (--insecure_dev, unless FLAGS give TLS files: later
# flags win), its own database, keys and cache in
# WORK, the demo directory and starter SNOMED release. Every call comes from
# one practice, so the per-agency and per-PCN limits are off (README
# "Backpressure").
start_bench_sproutd() {
  local build=$1 work=$2
  shift 2
  (umask 077 && head -c 32 /dev/urandom >"$work/pseudonym.key")
  rm -f "$work/data.keys" && "$build/server/store/sprout-keys" new "$work/data.keys" >/dev/null
  rm -f "$work/port"
  "$build/server/sproutd" --insecure_dev --listen 127.0.0.1:0 --port_file "$work/port" --metrics_listen 127.0.0.1:0 \
    --db "$work/sprout.db" --pseudonym_key_file "$work/pseudonym.key" \
    --data_key_file "$work/data.keys" \
    --audit_anchor_file "$work/audit.anchor" \
    --snomed_cache "$work/snomed.cache" --log_level warn \
    --agency_rate_per_second 0 --pcn_queue_limit 0 "$@" >"$work/sproutd.log" 2>&1 &
  bench_pid=$!
  for _ in $(seq 600); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { echo "sproutd did not start:"; cat "$work/sproutd.log"; return 1; }
  bench_port=$(cat "$work/port")
}
