#!/usr/bin/env bash
# The dev/CI servers together: Kafka (KRaft, Maven Central jars) and ClickHouse (Debian package).
#
#   scripts/infra/infra.sh up|down|status [--json]
#
# Settings (environment): QUANT_INFRA_DIR (state: data, logs, pid files; default <repo>/.infra),
# QUANT_KAFKA_PORT (9092), QUANT_KAFKA_CONTROLLER_PORT (9093), QUANT_CLICKHOUSE_HTTP_PORT (8123),
# QUANT_CLICKHOUSE_TCP_PORT (9000), QUANT_KAFKA_HEAP_OPTS (-Xms256m -Xmx1g),
# QUANT_INFRA_START_TIMEOUT (120 s), QUANT_INFRA_STOP_TIMEOUT (30 s). Downloads: <repo>/.cache/infra.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=kafka.sh
source "$here/kafka.sh"
# shellcheck source=clickhouse.sh
source "$here/clickhouse.sh"

infra_up() {
  local t0
  t0="$(now_s)"
  # Every port is checked before anything starts; then both servers boot side by side.
  kafka_preflight
  clickhouse_preflight
  kafka_start
  clickhouse_start
  clickhouse_wait
  kafka_wait
  printf 'infra up in %ss (state %s)\n' "$(elapsed_s "$t0")" "$INFRA_DIR"
}

infra_down() {
  kafka_down
  clickhouse_down
}

infra_status() {
  if [[ "${1:-}" == "--json" ]]; then
    printf '{"stateDir":%s,"kafka":%s,"clickhouse":%s}\n' "$(json_str "$INFRA_DIR")" "$(kafka_status --json)" "$(clickhouse_status --json)"
  else
    kafka_status
    clickhouse_status
  fi
}

case "${1:-}" in
  up) infra_up ;;
  down) infra_down ;;
  status) infra_status "${2:-}" ;;
  *) die "usage: $0 up|down|status [--json]" ;;
esac
