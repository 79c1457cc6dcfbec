# rpm has no purge: /var/lib/regd, /var/log/regd and the regd user stay, as
# Fedora's packaging guidelines ask of system users.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
