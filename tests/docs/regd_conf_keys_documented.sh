#!/bin/sh
# Fails when a setting of regd is not described in regd.conf(5): the page is
# written by hand. Every flag of `regd --help` but --config, --check-config,
# --help and --version is a setting whose key is the flag with _ for -.
#   regd_conf_keys_documented.sh REGD_BINARY MAN_PAGE
set -eu
regd=$1
page=$2
keys=$("$regd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u |
  grep -vx -e '--config' -e '--check-config' -e '--help' -e '--version' | sed 's/^--//; s/-/_/g')
if [ -z "$keys" ]; then
  echo "no settings found in the output of $regd --help" >&2
  exit 1
fi
missing=0
for key in $keys; do
  # Each key opens a .TP entry: \fBsession_grace\fR = ...
  if ! grep -qF "\\fB$key\\fR = " "$page"; then
    echo "$page does not document the key $key" >&2
    missing=1
  fi
done
exit $missing
