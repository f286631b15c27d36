#!/usr/bin/env bash
# Local CA and Redis server certificate for the local stack's TLS mode (README, "Local Redis for developers").
#
#   scripts/local-tls.sh [DIR]      DIR: $LOCAL_REDIS_TLS_DIR, else .local-tls (git-ignored)
#
# Writes ca.key, ca.crt, redis.key, redis.crt (the names of 000_b8454d789b5b6ca6.txt "Enable TLS/SSL"; see
# constructs/local/defaults.ts TLS_FILES). Idempotent: existing files are kept while the server certificate verifies against the
# CA, covers localhost and 127.0.0.1 and is valid for another RENEW_BEFORE_DAYS days; otherwise the server
# certificate (and, when the CA itself is missing or expiring, the CA) is made again.
# The server certificate is also a client certificate (extendedKeyUsage serverAuth,clientAuth): the nodes of the local
# Redis Cluster present it to each other on the cluster bus, where Redis always asks for one (mutual TLS).
set -euo pipefail

dir="${1:-${LOCAL_REDIS_TLS_DIR:-.local-tls}}"
# validity: 000 "Enable TLS/SSL" (`openssl req -x509 ... -days 365`)
DAYS=365
RENEW_BEFORE_DAYS=30
renew_seconds=$((RENEW_BEFORE_DAYS * 24 * 3600))
SAN='DNS:localhost,IP:127.0.0.1'

umask 077
mkdir -p "$dir"
cd "$dir"

valid_for_a_while() { [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend "$renew_seconds" >/dev/null 2>&1; }

if [ ! -s ca.key ] || ! valid_for_a_while ca.crt; then
  openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days "$DAYS" \
    -keyout ca.key -out ca.crt -subj '/CN=isl-cache local development CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
  rm -f redis.crt
  echo "local-tls: new CA in $dir/ca.crt"
fi

if [ ! -s redis.key ] || ! valid_for_a_while redis.crt \
  || ! openssl verify -CAfile ca.crt redis.crt >/dev/null 2>&1 \
  || ! openssl x509 -in redis.crt -noout -ext subjectAltName 2>/dev/null | grep -q 'IP Address:127.0.0.1' \
  || ! openssl x509 -in redis.crt -noout -ext extendedKeyUsage 2>/dev/null | grep -q 'TLS Web Client Authentication'; then
  openssl req -new -nodes -newkey rsa:2048 -sha256 -keyout redis.key -out redis.csr -subj '/CN=localhost' 2>/dev/null
  openssl x509 -req -in redis.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$DAYS" -out redis.crt \
    -extfile <(printf '%s\n' "subjectAltName=$SAN" 'basicConstraints=CA:FALSE' \
      'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth,clientAuth') 2>/dev/null
  rm -f redis.csr
  echo "local-tls: new server certificate in $dir/redis.crt ($SAN)"
fi

# the certificates are public; the keys stay readable by their owner only
chmod 644 ca.crt redis.crt
chmod 600 ca.key redis.key
echo "local-tls: $dir ready (ca.crt, redis.crt, redis.key)"
