#!/usr/bin/env bash
# Build a reproducible national dataset (see examples/gen_national.rs):
#   examples/gen-national.sh [DB] [SCHOOLS] [MONTHS]      e.g. examples/gen-national.sh national.db 520000 12
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --example gen_national -- --db "${1:-national.db}" --schools "${2:-20000}" --months "${3:-12}"
