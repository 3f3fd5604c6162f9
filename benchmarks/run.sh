#!/usr/bin/env bash
# Builds what the benchmarks need and runs the whole comparison (about 7 minutes on 2 cores).
# Options are passed to the runner, e.g. --quick, --phases=paced, --appenders=ours-log4j2,tjahzi,
# --out=report.md; see --help.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl benchmarks -am package -Dmaven.test.skip=true ${BENCH_MVN_OPTS:-}
exec java -jar benchmarks/target/benchmarks.jar "$@"
