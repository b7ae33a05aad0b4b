#!/bin/sh
# Starts the service named by QUANT_SERVICE. exec makes node PID 1 so it receives SIGTERM directly
# and runs the runtime's graceful shutdown.
set -eu
case "${QUANT_SERVICE:-}" in
  ingestion|features|training|inference|feedback|monitoring) ;;
  *)
    echo "{\"level\":\"fatal\",\"msg\":\"QUANT_SERVICE=\\\"${QUANT_SERVICE:-}\\\": expected one of ingestion, features, training, inference, feedback, monitoring\"}" >&2
    exit 64
    ;;
esac
exec node --import tsx "services/${QUANT_SERVICE}/src/main.ts" "$@"
