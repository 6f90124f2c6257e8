#!/usr/bin/env bash
# Stops the broker started by kafka-up.sh: SIGTERM (controlled shutdown), then SIGKILL after KAFKA_DOWN_TIMEOUT_S (30).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! pid="$(kafka_pid)"; then
  rm -f "$PID_FILE"
  echo "kafka not running"
  exit 0
fi

kill -TERM "$pid"
deadline=$((SECONDS + ${KAFKA_DOWN_TIMEOUT_S:-30}))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  echo "kafka (pid $pid) did not stop within ${KAFKA_DOWN_TIMEOUT_S:-30} s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$PID_FILE"
echo "kafka stopped (pid $pid)"
