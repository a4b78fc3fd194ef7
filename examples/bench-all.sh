#!/usr/bin/env bash
# Run every benchmark and write their tables, with the date, the machine and the commands, into
# docs/PERFORMANCE.md, between its "latest full run" markers (the prose above them explains the
# figures; nothing outside the markers is touched).
#   examples/bench-all.sh            # EIP_BENCH_MONTHS=12 by default for the reporting benchmark;
#                                    # the scale benchmark's sizes: EIP_BENCH_SIZES, EIP_BENCH_SCALE_MONTHS
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/PERFORMANCE.md
begin='<!-- bench-all: begin -->'
end='<!-- bench-all: end -->'
grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" || { echo "error: $doc lacks the markers $begin / $end" >&2; exit 1; }
months=${EIP_BENCH_MONTHS:-12}
run=$(mktemp)
trap 'rm -f "$run"' EXIT
{
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -srm)"
    echo "- rustc: $(rustc --version)"
    echo "- sqlite3 shell: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo none)"
    for b in units roster schools audit reporting scale; do
        echo
        echo "### cargo bench --bench $b"
        [ "$b" = reporting ] && echo "(EIP_BENCH_MONTHS=$months)"
        [ "$b" = scale ] && echo "(EIP_BENCH_SIZES=${EIP_BENCH_SIZES:-20000,100000,520000}, EIP_BENCH_SCALE_MONTHS=${EIP_BENCH_SCALE_MONTHS:-2})"
        echo
        EIP_BENCH_MONTHS=$months cargo bench --quiet --bench "$b" 2>/dev/null | grep -E '^\||^[a-z]' || echo "(failed)"
    done
} > "$run"
# Everything up to the begin marker, the run, everything from the end marker on.
awk -v b="$begin" -v e="$end" -v f="$run" '
    $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$doc" > "$doc.new"
mv "$doc.new" "$doc"
echo "wrote the latest full run into $doc" >&2
