#!/bin/sh
# Fails when a flag that `regd --help` lists is not described in regd(8):
# regd.8 is written by hand, so this is what keeps it complete.
#   regd_flags_documented.sh REGD_BINARY MAN_PAGE
set -eu
regd=$1
page=$2
flags=$("$regd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
if [ -z "$flags" ]; then
  echo "no flags found in the output of $regd --help" >&2
  exit 1
fi
missing=0
for flag in $flags; do
  in_roff=$(printf '%s' "$flag" | sed 's/-/\\-/g')  # the page writes each - as \-
  if ! grep -qF "\\fB$in_roff\\fR" "$page"; then
    echo "$page does not document $flag" >&2
    missing=1
  fi
done
exit $missing
