#!/usr/bin/env bash
# Installs the Debian and npm packages the build and the tests need, only when missing.
# Idempotent: a second run changes nothing and takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(
  gcc clang-14 libclang-rt-14-dev cmake ninja-build pkg-config clang-format make
  libmicrohttpd-dev libwslay-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
  libinih-dev libssl-dev libcmocka-dev liboath-dev libqrencode-dev libcurl4-openssl-dev
  libldap2-dev
  libpng-dev libjpeg62-turbo-dev libzip-dev unzip
  postgresql postgresql-client sqlite3
  oathtool slapd ldap-utils python3-aiosmtpd openssl
  chromium fonts-dejavu-core
  nodejs npm
)

missing=()
for p in "${debs[@]}"; do
  # nodejs/npm may come from elsewhere (a newer node on PATH): accept the commands.
  if [[ $p == nodejs ]] && command -v node >/dev/null; then continue; fi
  if [[ $p == npm ]] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# npm packages, re-installed only when a lock file changed since the last install.
for dir in web tests/api tests/e2e; do
  stamp="$dir/node_modules/.lock-stamp"
  if [[ ! -f $stamp ]] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
done
