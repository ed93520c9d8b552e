#!/usr/bin/env bash
# Runs the CoPE Platform locally on its embedded defaults: PostgreSQL and Kafka (data kept in .local/),
# then the services. Ctrl-C stops everything. Options: ./run-local.sh --help
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${COPE_SKIP_BUILD:-false}" != "true" ]]; then
  mkdir -p .local
  echo "[cope-local] building (log: .local/build.log; COPE_SKIP_BUILD=true skips this)..."
  if ! ./mvnw -B -ntp -DskipTests install >.local/build.log 2>&1; then
    tail -n 60 .local/build.log
    exit 1
  fi
fi
exec java -jar testkit/launcher/target/testkit-launcher.jar "$@"
