# $1 is 0 when the package is erased, not upgraded.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl disable --now regd.service >/dev/null 2>&1 || :
fi
