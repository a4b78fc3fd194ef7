#!/usr/bin/env bash
# A county's monthly cron job (Art. 14–17): confirm the county's own figures for the period being
# reported (无变化每月确认), print who below the county has not confirmed yet (the 催报 list, CSV with
# names and mobiles) and exit non-zero while anyone is behind; once everyone has confirmed, and if
# the reviewer's token is given, submit the county's month inside its window (1st–5th).
#
#   crontab:  0 8 1-5 * *  EIP_DB=/srv/eip/eip.db EIP_TOKEN="$(cat ~/.eip-admin-token)" \
#                          EIP_REVIEWER_TOKEN="$(cat ~/.eip-reviewer-token)" county-monthly-confirm.sh
#
# EIP_TOKEN: the county admin's API token, made once, signed in as the admin, with
#   eip account token create --name cron --days 365 > ~/.eip-admin-token
# (with stdout not a terminal it prints the bare token, so EIP_TOKEN="$(cat FILE)" reads it).
# EIP_REVIEWER_TOKEN (optional): the county reviewer's token, made the same way by the reviewer
# into ~/.eip-reviewer-token; only a reviewer submits (Art. 16).
# Exit: 0 everyone confirmed (and submitted, if asked) · 10 someone is behind (the list is on
# stdout) · else eip's own exit code.
set -uo pipefail
EIP=${EIP:-eip}
if [ -z "${EIP_TOKEN:-}" ]; then
    echo "county-monthly-confirm: set EIP_TOKEN to the county admin's API token" >&2
    exit 2
fi

# The county's own figures: carried forward unless they changed (the period used is printed).
$EIP report confirm >&2 || exit $?   # what it carried and zeroed: a log line, not the list below
county=$($EIP whoami --format csv | tail -n 1 | cut -d, -f4) || exit $?

# Who is behind: every unit and school below the county not yet confirmed, with the contact.
missing=$($EIP report missing --format csv) || exit $?
below=$(printf '%s\n' "$missing" | awk -F, -v c="$county" 'NR == 1 || $1 != c')
behind=$(( $(printf '%s\n' "$below" | wc -l) - 1 ))
if [ "$behind" -gt 0 ]; then
    printf '%s\n' "$below"
    echo "county-monthly-confirm: $behind not confirmed yet" >&2
    exit 10
fi
echo "county-monthly-confirm: everyone has confirmed" >&2

# Everyone has confirmed: the reviewer submits, inside the window (Art. 16–17).
if [ -n "${EIP_REVIEWER_TOKEN:-}" ]; then
    EIP_TOKEN=$EIP_REVIEWER_TOKEN $EIP submit || exit $?
fi
