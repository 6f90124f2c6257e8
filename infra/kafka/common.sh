# Shared settings of kafka-up.sh, kafka-down.sh and kafka-reset.sh (sourced, not run).
KAFKA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$KAFKA_DIR/../.." && pwd)"
# The version comes from the pom (one place to change it); KAFKA_VERSION overrides it for experiments.
KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_DIR/pom.xml")}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
CACHE_DIR="$KAFKA_DIR/.cache"
LIB_DIR="$CACHE_DIR/lib/$KAFKA_VERSION"
# KAFKA_RUN_DIR: data, logs and pid of this broker; another directory (with other ports) runs a second broker next to
# the default one, as test/kafka/broker-restart.int.spec.ts does to stop and restart a broker of its own.
RUN_DIR="${KAFKA_RUN_DIR:-$KAFKA_DIR/.run}"
DATA_DIR="$RUN_DIR/data"
LOG_DIR="$RUN_DIR/logs"
PID_FILE="$RUN_DIR/kafka.pid"

# The pid of our broker if it is running: the pid file names a live process whose command line is kafka.Kafka (a
# recycled pid of some other process does not count).
kafka_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}
