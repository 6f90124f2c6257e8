#!/usr/bin/env bash
# Stops the broker and deletes its data and logs (.run/), keeping the downloaded jars (.cache/). Next up formats anew.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$KAFKA_DIR/kafka-down.sh"
rm -rf "$RUN_DIR"
echo "kafka data removed ($RUN_DIR)"
