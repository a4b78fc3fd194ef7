#!/usr/bin/env bash
# Run every benchmark and write their tables, with the machine and the commands, to
# docs/benchmarks-latest.md (docs/PERFORMANCE.md explains the figures).
#   examples/bench-all.sh            # EIP_BENCH_MONTHS=12 by default for the reporting benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/benchmarks-latest.md
months=${EIP_BENCH_MONTHS:-12}
{
    echo "# Benchmarks, latest run"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -srm)"
    echo "- rustc: $(rustc --version)"
    echo "- sqlite3 shell: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo none)"
    for b in units roster schools audit reporting; do
        echo
        echo "## cargo bench --bench $b"
        [ "$b" = reporting ] && echo "(EIP_BENCH_MONTHS=$months)"
        echo
        EIP_BENCH_MONTHS=$months cargo bench --quiet --bench "$b" 2>/dev/null | grep -E '^\||^[a-z]' || echo "(failed)"
    done
} > "$out"
echo "wrote $out" >&2
