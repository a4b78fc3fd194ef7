#!/usr/bin/env bash
# A county administrator's monthly cron job (Art. 14–15, 无变化每月确认): confirm the county's own
# figures for the period being reported, then print who in the county has not confirmed yet (the
# 催报 list, CSV with names and mobiles) and exit non-zero while anyone is behind.
#
#   crontab:  0 8 1-5 * *  EIP_DB=/srv/eip/eip.db EIP_TOKEN="$(cat ~/.eip-token)" county-monthly-confirm.sh
#
# EIP_TOKEN is the county admin's API token: eip account token create --name cron --days 365
# Exit: 0 everyone confirmed · 10 someone is behind (the list is on stdout) · else eip's own code.
set -uo pipefail
EIP=${EIP:-eip}
if [ -z "${EIP_TOKEN:-}" ]; then
    echo "county-monthly-confirm: set EIP_TOKEN to the county admin's API token" >&2
    exit 2
fi

# The county's own figures: carried forward unless they changed (the period used is printed).
$EIP report confirm || exit $?

# Who is behind: every unit and school below the county not yet confirmed, with the contact.
missing=$($EIP report missing --format csv) || exit $?
behind=$(( $(printf '%s\n' "$missing" | wc -l) - 1 ))
if [ "$behind" -gt 0 ]; then
    printf '%s\n' "$missing"
    echo "county-monthly-confirm: $behind not confirmed yet" >&2
    exit 10
fi
echo "county-monthly-confirm: everyone has confirmed" >&2
