#!/usr/bin/env bash
# Starts one KRaft Kafka node (broker + controller) on 127.0.0.1 from Maven Central jars, in the background, and
# returns once it serves metadata requests. Idempotent: an already running broker is left alone.
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_VERSION (from pom.xml), KAFKA_HEAP_OPTS,
#      KAFKA_UP_TIMEOUT_MS (90000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

fail() { echo "kafka-up: $*" >&2; exit 1; }

if pid="$(kafka_pid)"; then
  echo "kafka already running (pid $pid) at 127.0.0.1:$KAFKA_PORT"
  exit 0
fi

command -v java >/dev/null 2>&1 || fail "Java 17+ is required but 'java' is not on PATH (Debian: apt-get install openjdk-17-jre-headless)"
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
[[ -n "$java_major" && "$java_major" -ge 17 ]] || fail "Java 17+ is required, found: $(java -version 2>&1 | head -1)"

# Resolve the jars once; Maven is only needed for that (a restored CI cache runs without it).
if [[ ! -f "$LIB_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
  command -v mvn >/dev/null 2>&1 || fail "Maven is required to download Kafka $KAFKA_VERSION jars but 'mvn' is not on PATH (Debian: apt-get install maven)"
  echo "resolving Kafka $KAFKA_VERSION jars from Maven Central into $LIB_DIR ..."
  mkdir -p "$CACHE_DIR"
  # Maven's own output goes to a file: it is only worth reading when the download failed.
  mvn -q -B -Dstyle.color=never -f "$KAFKA_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    >"$CACHE_DIR/mvn.log" 2>&1 \
    || fail "mvn dependency:copy-dependencies failed (is Maven Central reachable?), see $CACHE_DIR/mvn.log"
fi

for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port on 127.0.0.1 is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  fi
done

mkdir -p "$DATA_DIR" "$LOG_DIR"
sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DATA_DIR#g" \
  "$KAFKA_DIR/server.properties.template" >"$RUN_DIR/server.properties"

classpath="$LIB_DIR/*"
java_opts=(-Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.dir="$LOG_DIR"
  -Djava.awt.headless=true -XX:+UseG1GC -XX:MaxGCPauseMillis=20)
# shellcheck disable=SC2206 # word splitting of the heap options is intended
heap=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g})

# Format once: the data dir keeps its cluster id; --ignore-formatted makes a second format a no-op.
if [[ ! -f "$DATA_DIR/meta.properties" ]]; then
  cluster_id="$(java -cp "$classpath" "${java_opts[@]}" kafka.tools.StorageTool random-uuid)"
  java -cp "$classpath" "${java_opts[@]}" kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id "$cluster_id" --config "$RUN_DIR/server.properties" >>"$LOG_DIR/format.log" 2>&1 \
    || fail "formatting storage failed, see $LOG_DIR/format.log"
fi

# setsid: the broker outlives the npm/shell that started it and does not get its Ctrl-C.
setsid java "${heap[@]}" "${java_opts[@]}" -cp "$classpath" kafka.Kafka "$RUN_DIR/server.properties" \
  >"$LOG_DIR/stdout.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PID_FILE"

timeout_ms="${KAFKA_UP_TIMEOUT_MS:-90000}"
cd "$REPO_DIR"
node --import tsx "$KAFKA_DIR/wait-ready.ts" "127.0.0.1:$KAFKA_PORT" "$timeout_ms" &
waiter=$!
# Wait for readiness, but stop early if the JVM dies (bad config, port taken) instead of waiting out the deadline.
while kill -0 "$waiter" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    kill "$waiter" 2>/dev/null || true
    rm -f "$PID_FILE"
    tail -n 20 "$LOG_DIR/stdout.log" "$LOG_DIR/server.log" >&2 2>/dev/null || true
    fail "broker exited during start-up, see $LOG_DIR/server.log"
  fi
  sleep 0.2
done
if ! wait "$waiter"; then
  tail -n 20 "$LOG_DIR/server.log" >&2 2>/dev/null || true
  fail "broker (pid $pid) not ready within ${timeout_ms} ms, see $LOG_DIR/server.log (still running: npm run kafka:down)"
fi
echo "kafka $KAFKA_VERSION ready at 127.0.0.1:$KAFKA_PORT (pid $pid); tests: KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
