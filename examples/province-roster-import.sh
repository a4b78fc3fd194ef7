#!/usr/bin/env bash
# The provincial roster workflow end to end (SPEC §5.1, Art. 9–10), on a scratch database:
#   1. the Ministry sets up the units and issues the province's admin account;
#   2. the province's admin checks its personnel form (附件2) and imports it: a roster request;
#   3. the Ministry looks at the request, approves it and gets the activation codes (mode 0600);
#   4. one person activates their account and signs in.
# Run with EIP=/path/to/eip to use a particular binary.
set -euo pipefail
EIP=${EIP:-eip}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export EIP_DB="$work/eip.db" EIP_NOW=2026-11-20T10:00:00+08:00 LANG=C

echo "== 1. the Ministry"
export EIP_CONFIG_DIR="$work/ministry"
echo 'ministry secret 1' | $EIP init --test-clock --admin-name 王芳 --admin-mobile 13800000001 --password-stdin -q
echo 'ministry secret 1' | $EIP login 000000-A01 --password-stdin
$EIP unit import "$here/data/divisions.csv"
code=$($EIP account add --unit 130000 --role admin --name 李明 --mobile 13910000003 --format csv | tail -n 1 | cut -d, -f2)

echo "== 2. the province"
export EIP_CONFIG_DIR="$work/province"
echo 'province secret 1' | $EIP login 130000-A01 --activate "$code" --password-stdin
$EIP account import "$here/hebei-personnel-form-gbk.csv" --dry-run
request=$($EIP account import "$here/hebei-personnel-form-gbk.csv" --format csv | tail -n 1 | cut -d, -f1)
$EIP request list

echo "== 3. the Ministry decides request #$request"
export EIP_CONFIG_DIR="$work/ministry"
$EIP request show "$request"
$EIP request approve "$request" --codes-out "$work/codes.csv"
ls -l "$work/codes.csv" | cut -c1-10

echo "== 4. a county reviewer activates the account"
export EIP_CONFIG_DIR="$work/reviewer"
reviewer_code=$(grep '^130102-R01,' "$work/codes.csv" | cut -d, -f6)
echo 'reviewer secret 1' | $EIP login 130102-R01 --activate "$reviewer_code" --password-stdin
$EIP whoami

echo "== the province's staff now"
export EIP_CONFIG_DIR="$work/ministry"
$EIP account list --under 130000
$EIP audit verify
