#!/bin/sh
# One-shot import of Switchboard's Nacos configs (docker-compose service `nacos-init`), through the
# Nacos 3.x HTTP API:
#   1. wait for Nacos, log in (POST /nacos/v3/auth/user/login); on a fresh server (no admin yet)
#      first initialise the admin user `nacos` with NACOS_PASSWORD (POST /nacos/v3/auth/user/admin);
#   2. for every *.yaml in CONFIG_DIR: data id = file name, group = NACOS_GROUP; if the config does not
#      exist yet (GET /nacos/v3/admin/cs/config -> 404) publish it (POST /nacos/v3/admin/cs/config,
#      type yaml). An existing config is left alone, so edits made in the Nacos console survive a
#      restart; NACOS_INIT_OVERWRITE=true publishes the files over them.
# Environment: NACOS_ADDR (host:port, default nacos:8848), NACOS_USERNAME (nacos), NACOS_PASSWORD,
# NACOS_NAMESPACE (empty = public), NACOS_GROUP (SWITCHBOARD), CONFIG_DIR (/config),
# NACOS_INIT_OVERWRITE (false), NACOS_INIT_TIMEOUT seconds (300).
set -eu

NACOS_ADDR="${NACOS_ADDR:-nacos:8848}"
NACOS_USERNAME="${NACOS_USERNAME:-nacos}"
NACOS_PASSWORD="${NACOS_PASSWORD:?NACOS_PASSWORD must be set}"
NACOS_NAMESPACE="${NACOS_NAMESPACE:-}"
NACOS_GROUP="${NACOS_GROUP:-SWITCHBOARD}"
CONFIG_DIR="${CONFIG_DIR:-/config}"
NACOS_INIT_OVERWRITE="${NACOS_INIT_OVERWRITE:-false}"
NACOS_INIT_TIMEOUT="${NACOS_INIT_TIMEOUT:-300}"
BASE="http://${NACOS_ADDR}/nacos"
BODY=/tmp/nacos-init-body

log() { echo "[nacos-init] $*"; }

# login: prints the access token, or nothing
login() {
  code=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST "$BASE/v3/auth/user/login" \
    --data-urlencode "username=${NACOS_USERNAME}" --data-urlencode "password=${NACOS_PASSWORD}" 2>/dev/null) || code=000
  if [ "$code" = "200" ]; then
    sed -n 's/.*"accessToken"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$BODY"
  fi
}

log "waiting for Nacos at ${BASE} (up to ${NACOS_INIT_TIMEOUT}s)"
start=$(date +%s)
TOKEN=""
while [ -z "$TOKEN" ]; do
  TOKEN=$(login || true)
  [ -n "$TOKEN" ] && break
  # a fresh Nacos 3 has no admin user: create it (409 once one exists; the password is never overwritten)
  code=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST "$BASE/v3/auth/user/admin" \
    --data-urlencode "password=${NACOS_PASSWORD}" 2>/dev/null) || code=000
  # an existing admin is reported as code 409 in the body (HTTP 200) or as HTTP 409
  if [ "$code" = "409" ] || grep -q "have admin user" "$BODY" 2>/dev/null; then
    TOKEN=$(login || true)
    if [ -z "$TOKEN" ]; then
      log "ERROR: Nacos already has an admin user and NACOS_PASSWORD does not log in as '${NACOS_USERNAME}'"
      exit 1
    fi
    break
  fi
  if [ "$code" = "200" ] && grep -Eq '"code"[[:space:]]*:[[:space:]]*0[,}]' "$BODY" 2>/dev/null; then
    log "initialised the Nacos admin user '${NACOS_USERNAME}'"
    continue
  fi
  if [ $(( $(date +%s) - start )) -ge "$NACOS_INIT_TIMEOUT" ]; then
    log "ERROR: Nacos did not answer at ${BASE} within ${NACOS_INIT_TIMEOUT}s"
    exit 1
  fi
  sleep 3
done
log "logged in as '${NACOS_USERNAME}'"

imported=0
for file in "$CONFIG_DIR"/*.yaml; do
  [ -f "$file" ] || continue
  data_id=$(basename "$file")
  code=$(curl -sS -o "$BODY" -w '%{http_code}' -G "$BASE/v3/admin/cs/config" \
    -H "Authorization: Bearer ${TOKEN}" \
    --data-urlencode "dataId=${data_id}" --data-urlencode "groupName=${NACOS_GROUP}" \
    --data-urlencode "namespaceId=${NACOS_NAMESPACE}")
  if [ "$code" = "200" ] && [ "$NACOS_INIT_OVERWRITE" != "true" ]; then
    log "${NACOS_GROUP}/${data_id} exists; left as it is (NACOS_INIT_OVERWRITE=true replaces it)"
    continue
  fi
  if [ "$code" != "200" ] && [ "$code" != "404" ]; then
    log "ERROR: reading ${NACOS_GROUP}/${data_id} answered HTTP ${code}: $(cat "$BODY")"
    exit 1
  fi
  code=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST "$BASE/v3/admin/cs/config" \
    -H "Authorization: Bearer ${TOKEN}" \
    --data-urlencode "dataId=${data_id}" --data-urlencode "groupName=${NACOS_GROUP}" \
    --data-urlencode "namespaceId=${NACOS_NAMESPACE}" --data-urlencode "type=yaml" \
    --data-urlencode "desc=Switchboard default (imported by nacos-init from ${data_id})" \
    --data-urlencode "content@${file}")
  if [ "$code" != "200" ] || ! grep -Eq '"data"[[:space:]]*:[[:space:]]*true' "$BODY"; then
    log "ERROR: publishing ${NACOS_GROUP}/${data_id} answered HTTP ${code}: $(cat "$BODY")"
    exit 1
  fi
  log "published ${NACOS_GROUP}/${data_id}"
  imported=$((imported + 1))
done
log "done (${imported} published)"
