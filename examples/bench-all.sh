#!/usr/bin/env bash
# Run every benchmark and write their tables, with the machine and the commands, to
# docs/benchmarks-latest.md (docs/PERFORMANCE.md explains the figures).
#   examples/bench-all.sh            # EIP_BENCH_MONTHS=12 by default for the reporting benchmark;
#                                    # the scale benchmark's sizes: EIP_BENCH_SIZES, EIP_BENCH_SCALE_MONTHS
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
    for b in units roster schools audit reporting scale; do
        echo
        echo "## cargo bench --bench $b"
        [ "$b" = reporting ] && echo "(EIP_BENCH_MONTHS=$months)"
        [ "$b" = scale ] && echo "(EIP_BENCH_SIZES=${EIP_BENCH_SIZES:-20000,100000,520000}, EIP_BENCH_SCALE_MONTHS=${EIP_BENCH_SCALE_MONTHS:-2})"
        echo
        EIP_BENCH_MONTHS=$months cargo bench --quiet --bench "$b" 2>/dev/null | grep -E '^\||^[a-z]' || echo "(failed)"
    done
} > "$out"
echo "wrote $out" >&2
