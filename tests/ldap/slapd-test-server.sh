#!/usr/bin/env bash
# slapd-test-server.sh — a throw-away OpenLDAP server for the LDAP tests.
#
#   slapd-test-server.sh start DIR [--tls] [--owner PID]
#       Creates DIR (or reuses an empty one), writes slapd.conf (mdb backend, suffix
#       dc=example,dc=com), seeds it with slapadd and starts /usr/sbin/slapd on a free loopback
#       port. Prints the ldap:// port on stdout. With --tls the server also gets a self-signed
#       certificate (CN and SAN 127.0.0.1, made with the openssl CLI), answers STARTTLS on the
#       ldap:// port and listens on a second ldaps:// port; it then prints "LDAP_PORT LDAPS_PORT".
#       With --owner PID a detached watchdog stops the server and removes DIR once PID exits, so
#       a crashed test leaves nothing running. Starting an already running DIR prints its
#       port(s) again and changes nothing.
#   slapd-test-server.sh stop DIR
#       Stops the server (pid file in DIR) and removes DIR. Does nothing when DIR is gone.
#
# Never touches /etc/ldap (only reads its schema files) nor a system slapd. Works as root or as
# an ordinary user. DIR is only ever removed when it carries this script's marker file.
#
# Seeded entries (all passwords are test-only):
#   cn=admin,dc=example,dc=com             rootdn, password "Admin!Pass1"
#   cn=reader,dc=example,dc=com            service account, password "Reader!Pass1"
#   uid=ana.rossi,ou=people,...            password "Ldap!Pass1", mail ana.rossi@example.com
#   uid=bob,ou=people,...                  password "Bob!Pass1", mail bob@example.com
#   uid=star*user,ou=people,...            password "Star!Pass1", mail star@example.com
#   uid=comma\,user,ou=people,...          password "Comma!Pass1", mail comma@example.com
#   uid=twin,ou=people and uid=twin,ou=staff (same uid twice: an ambiguous search)
set -euo pipefail

SLAPD=/usr/sbin/slapd
SLAPADD=/usr/sbin/slapadd
MODULE_DIR=/usr/lib/ldap
SCHEMA_DIR=/etc/ldap/schema
MARKER=.sb-slapd-test
SUFFIX="dc=example,dc=com"

die()
{
    echo "slapd-test-server: $*" >&2
    exit 1
}

usage()
{
    die "usage: $0 start DIR [--tls] [--owner PID] | stop DIR"
}

# Absolute path without requiring it to exist.
abspath()
{
    case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
    esac
}

# True when `pid` exists and is not a zombie (an exited daemon waits for init to reap it,
# which some container inits do late).
alive()
{
    local pid=$1 stat
    kill -0 "$pid" 2>/dev/null || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ "${stat:0:1}" != Z ]]
}

# True when the pid file names a live slapd.
is_running()
{
    local dir=$1 pid
    [[ -s "$dir/slapd.pid" ]] || return 1
    pid=$(cat "$dir/slapd.pid")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    alive "$pid"
}

print_ports()
{
    local dir=$1
    if [[ -s "$dir/ldaps_port" ]]; then
        printf '%s %s\n' "$(cat "$dir/port")" "$(cat "$dir/ldaps_port")"
    else
        cat "$dir/port"
    fi
}

random_port()
{
    echo $((20000 + (RANDOM * 32768 + RANDOM) % 40000))
}

write_conf()
{
    local dir=$1 tls=$2
    {
        cat <<EOF
include $SCHEMA_DIR/core.schema
include $SCHEMA_DIR/cosine.schema
include $SCHEMA_DIR/inetorgperson.schema
include $SCHEMA_DIR/nis.schema

modulepath $MODULE_DIR
moduleload back_mdb

pidfile $dir/slapd.pid
argsfile $dir/slapd.args
loglevel none
EOF
        if [[ "$tls" == 1 ]]; then
            cat <<EOF
TLSCertificateFile $dir/server.crt
TLSCertificateKeyFile $dir/server.key
EOF
        fi
        cat <<EOF

database mdb
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw Admin!Pass1
directory $dir/db
maxsize 16777216

# Passwords are never readable; anyone may use them to bind.
access to attrs=userPassword
    by self =w
    by anonymous auth
    by * none
access to *
    by * read
EOF
    } >"$dir/slapd.conf"
}

write_seed()
{
    local dir=$1
    local ana bob star comma reader twin
    ana=$(/usr/sbin/slappasswd -h '{SSHA}' -s 'Ldap!Pass1')
    bob=$(/usr/sbin/slappasswd -h '{SSHA}' -s 'Bob!Pass1')
    star=$(/usr/sbin/slappasswd -h '{SSHA}' -s 'Star!Pass1')
    comma=$(/usr/sbin/slappasswd -h '{SSHA}' -s 'Comma!Pass1')
    reader=$(/usr/sbin/slappasswd -h '{SSHA}' -s 'Reader!Pass1')
    twin=$(/usr/sbin/slappasswd -h '{SSHA}' -s 'Twin!Pass1')
    cat >"$dir/seed.ldif" <<EOF
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=staff,$SUFFIX
objectClass: organizationalUnit
ou: staff

dn: cn=reader,$SUFFIX
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: $reader

dn: uid=ana.rossi,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: ana.rossi
cn: Ana Rossi
sn: Rossi
mail: ana.rossi@example.com
userPassword: $ana

dn: uid=bob,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: Bob
mail: bob@example.com
userPassword: $bob

dn: uid=star*user,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: star*user
cn: Star User
sn: User
mail: star@example.com
userPassword: $star

dn: uid=comma\,user,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: comma,user
cn: Comma User
sn: User
mail: comma@example.com
userPassword: $comma

dn: uid=twin,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: twin
cn: Twin One
sn: Twin
mail: twin1@example.com
userPassword: $twin

dn: uid=twin,ou=staff,$SUFFIX
objectClass: inetOrgPerson
uid: twin
cn: Twin Two
sn: Twin
mail: twin2@example.com
userPassword: $twin
EOF
}

make_cert()
{
    local dir=$1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1 ||
        die "openssl could not make a certificate"
    chmod 600 "$dir/server.key"
}

# Waits until the server answers a root DSE search; fails after about 10 s.
wait_ready()
{
    local port=$1 i
    for ((i = 0; i < 100; i++)); do
        if ldapsearch -x -LLL -o nettimeout=1 -H "ldap://127.0.0.1:$port/" -b "" -s base \
            namingContexts >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

cmd_start()
{
    local dir="" tls=0 owner="" try port sport urls
    [[ $# -ge 1 ]] || usage
    dir=$(abspath "$1")
    shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
        --tls) tls=1 ;;
        --owner)
            [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage
            owner=$2
            shift
            ;;
        *) usage ;;
        esac
        shift
    done
    [[ -x "$SLAPD" && -x "$SLAPADD" ]] || die "slapd is not installed (apt-get install slapd)"
    command -v ldapsearch >/dev/null || die "ldapsearch is missing (apt-get install ldap-utils)"

    if [[ -e "$dir" ]]; then
        [[ -d "$dir" ]] || die "$dir is not a directory"
        if [[ -e "$dir/$MARKER" ]]; then
            if is_running "$dir"; then
                print_ports "$dir"
                return 0
            fi
            # A dead earlier run: start over in the same place.
            find "$dir" -mindepth 1 -delete
        elif [[ -n "$(ls -A "$dir")" ]]; then
            die "$dir exists, is not empty and is not ours"
        fi
    fi
    mkdir -p "$dir/db"
    : >"$dir/$MARKER"

    write_conf "$dir" "$tls"
    write_seed "$dir"
    [[ "$tls" == 1 ]] && make_cert "$dir"
    "$SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/seed.ldif" >"$dir/slapadd.log" 2>&1 ||
        die "slapadd failed: $(cat "$dir/slapadd.log")"

    # Race-free port choice: slapd binds its listeners before it detaches and exits non-zero
    # when a port is taken, so a clash just means another try.
    for ((try = 0; try < 20; try++)); do
        port=$(random_port)
        urls="ldap://127.0.0.1:$port/"
        sport=""
        if [[ "$tls" == 1 ]]; then
            sport=$(random_port)
            [[ "$sport" != "$port" ]] || continue
            urls="$urls ldaps://127.0.0.1:$sport/"
        fi
        if "$SLAPD" -h "$urls" -f "$dir/slapd.conf" </dev/null >"$dir/slapd.log" 2>&1; then
            break
        fi
        port=""
    done
    [[ -n "$port" ]] || die "slapd did not start: $(cat "$dir/slapd.log")"
    echo "$port" >"$dir/port"
    [[ -n "$sport" ]] && echo "$sport" >"$dir/ldaps_port"

    if ! wait_ready "$port"; then
        cmd_stop "$dir" || true
        die "slapd on port $port does not answer"
    fi

    if [[ -n "$owner" ]]; then
        # Detached from our stdout so whoever reads the port sees EOF now.
        # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
        nohup bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' \
            watchdog "$owner" "$(abspath "$0")" "$dir" </dev/null >/dev/null 2>&1 &
        echo $! >"$dir/watchdog.pid"
    fi
    print_ports "$dir"
}

cmd_stop()
{
    local dir pid i
    [[ $# -eq 1 ]] || usage
    dir=$(abspath "$1")
    [[ -e "$dir" ]] || return 0
    [[ -e "$dir/$MARKER" ]] || die "$dir is not a directory made by this script"
    if is_running "$dir"; then
        pid=$(cat "$dir/slapd.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || break
            sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    # The watchdog (if any) is not us: stop it so it does not outlive the server.
    if [[ -s "$dir/watchdog.pid" ]]; then
        pid=$(cat "$dir/watchdog.pid")
        if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" && "$pid" != "$PPID" ]]; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf -- "$dir"
}

[[ $# -ge 1 ]] || usage
case "$1" in
start)
    shift
    cmd_start "$@"
    ;;
stop)
    shift
    cmd_stop "$@"
    ;;
*) usage ;;
esac
