#!/usr/bin/env bash
# Build a reproducible national dataset (see examples/gen_national.rs):
#   examples/gen-national.sh [DB] [SCHOOLS] [MONTHS] [--password-stdin]
#   e.g. examples/gen-national.sh national.db 520000 12
#        echo 'a long secret' | examples/gen-national.sh small.db 20000 6 --password-stdin   (then: eip --db small.db login 000000-A01)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --example gen_national -- --db "${1:-national.db}" --schools "${2:-20000}" --months "${3:-12}" ${4:+"$4"}
