getent group regd >/dev/null || groupadd --system regd
getent passwd regd >/dev/null || useradd --system --gid regd --no-create-home \
    --home-dir /var/lib/regd --shell /sbin/nologin --comment "regd reverse proxy" regd
# As StateDirectory= and LogsDirectory= of regd.service make them, so that regd
# also runs without systemd.
[ -d /var/lib/regd ] || install -d -o regd -g regd -m 0750 /var/lib/regd
[ -d /var/log/regd ] || install -d -o regd -g regd -m 0750 /var/log/regd
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    # $1 is 1 on a first install, 2 on an upgrade.
    if [ "$1" -eq 1 ]; then
        systemctl enable --now regd.service >/dev/null 2>&1 || :
    else
        systemctl try-restart regd.service >/dev/null 2>&1 || :
    fi
fi
