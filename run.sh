#!/usr/bin/env bash
# Starts the Switchboard suite locally: four simulated engines (2 prefill, 2 decode) in one
# engine-sim process, one engine-adapter fronting them, the scheduler and the gateway.
#
#   ./run.sh                 build if needed, start everything, wait until healthy; Ctrl-C stops all
#   NACOS_SERVER_ADDR=host:8848 ./run.sh   register and discover through Nacos instead of static config
#   SWITCHBOARD_REBUILD=1 ./run.sh         force a rebuild
#
# Logs go to ./logs/<service>.log. Ports: gateway 8080, scheduler 8090, adapter 8070 (admin) and
# 8071-8074 (one per engine), engines 8001-8004, engine-sim admin 8000.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
LOGS="$ROOT/logs"
STARTUP_TIMEOUT_SECONDS="${SWITCHBOARD_STARTUP_TIMEOUT:-120}"
# Netty's buffer-leak detector samples allocations and records stack traces: 2-6 % of a service's CPU on the
# request path (docs/benchmarks.md, session 8). The tests run with it on.
# One Reactor Netty event loop per service: the four services share this machine's cores, and Reactor's
# default (one loop per core, at least four) gives each of them four loops that hand work to one another; one
# loop costs about 15 % less CPU per request here (docs/benchmarks.md, session 9); a service on its own host keeps the default.
# A 256 MB starting heap with a 128 MB young generation: at 500 req/s a service allocates 15-50 MB/s, and the
# default young generation of a 64 MB heap (~20 MB) paused each service for ~3 ms several times a second, while
# its small old generation filled with start-up garbage and took 100-250 ms full collections in the first
# minutes of load; this way minor pauses are a quarter as frequent and full ones rare (one in 30 minutes of load)
# (docs/benchmarks.md, sessions 12-13). About 70 MB more resident memory per service (250-300 -> 320-370 MB after load).
JAVA_OPTS_DEFAULT="-Xms256m -Xmx768m -Xmn128m -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled -Dreactor.netty.ioWorkerCount=1"
JAVA_OPTS="${SWITCHBOARD_JAVA_OPTS:-$JAVA_OPTS_DEFAULT}"

SERVICES=(engine-sim engine-adapter scheduler-service gateway-service)
declare -A HEALTH_URL=(
  [engine-sim]="http://127.0.0.1:8000/actuator/health"
  [engine-adapter]="http://127.0.0.1:8070/actuator/health"
  [scheduler-service]="http://127.0.0.1:8090/actuator/health"
  [gateway-service]="http://127.0.0.1:8080/actuator/health"
)
PORTS=(8000 8001 8002 8003 8004 8070 8071 8072 8073 8074 8080 8090 5557 5558 5559 5560)
PIDS=()

log() { printf '[run.sh] %s\n' "$*"; }

jar_of() { echo "$ROOT/$1/target/$1-exec.jar"; }

needs_build() {
  [[ "${SWITCHBOARD_REBUILD:-0}" == "1" ]] && return 0
  local svc jar
  for svc in "${SERVICES[@]}"; do
    jar="$(jar_of "$svc")"
    [[ -f "$jar" ]] || return 0
    # any source or pom newer than the jar means the jar is stale
    if [[ -n "$(find "$ROOT/$svc/src" "$ROOT/$svc/pom.xml" "$ROOT/registry-config/src" "$ROOT/registry-config/pom.xml" \
                 "$ROOT/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
      return 0
    fi
  done
  return 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_all() {
  trap - INT TERM EXIT
  if ((${#PIDS[@]})); then
    log "stopping ${#PIDS[@]} processes..."
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    for pid in "${PIDS[@]}"; do
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    done
    log "stopped."
  fi
}

command -v java >/dev/null || { echo "java (17 or newer) is required on PATH" >&2; exit 1; }

for port in "${PORTS[@]}"; do
  if port_in_use "$port"; then
    echo "port $port on 127.0.0.1 is already in use; is the suite already running? (stop it, or free the port)" >&2
    exit 1
  fi
done

if needs_build; then
  log "building (the first build downloads dependencies and takes a few minutes)..."
  ./mvnw -B -q -DskipTests package -pl engine-sim,engine-adapter,scheduler-service,gateway-service -am
fi

PROFILE_ARGS=()
if [[ -n "${NACOS_SERVER_ADDR:-}" ]]; then
  log "using Nacos at $NACOS_SERVER_ADDR for registration and discovery"
  PROFILE_ARGS=(--spring.profiles.active=nacos)
  # the nacos profile closes the admin APIs without a token: make one for this run unless given
  if [[ -z "${SWITCHBOARD_ADMIN_TOKEN:-}" ]]; then
    SWITCHBOARD_ADMIN_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    export SWITCHBOARD_ADMIN_TOKEN
    log "admin token for this run: $SWITCHBOARD_ADMIN_TOKEN"
  fi
fi

mkdir -p "$LOGS"
trap stop_all EXIT
trap 'exit 130' INT TERM

start() {
  local svc="$1"; shift
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$(jar_of "$svc")" "$@" >"$LOGS/$svc.log" 2>&1 &
  PIDS+=($!)
  log "started $svc (pid $!, log logs/$svc.log)"
}

start engine-sim
start engine-adapter "${PROFILE_ARGS[@]}"
start scheduler-service "${PROFILE_ARGS[@]}"
start gateway-service "${PROFILE_ARGS[@]}"

log "waiting for all services to be healthy (up to ${STARTUP_TIMEOUT_SECONDS}s)..."
started_at=$SECONDS
for svc in "${SERVICES[@]}"; do
  until curl -fsS "${HEALTH_URL[$svc]}" >/dev/null 2>&1; do
    for i in "${!PIDS[@]}"; do
      if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
        echo "${SERVICES[$i]} exited during startup; last lines of logs/${SERVICES[$i]}.log:" >&2
        tail -n 30 "$LOGS/${SERVICES[$i]}.log" >&2
        exit 1
      fi
    done
    if ((SECONDS - started_at > STARTUP_TIMEOUT_SECONDS)); then
      echo "$svc did not become healthy within ${STARTUP_TIMEOUT_SECONDS}s; see logs/$svc.log" >&2
      exit 1
    fi
    sleep 0.5
  done
done
# the gateway is healthy once it runs; the fleet is ready once the scheduler lists a model
until curl -fsS http://127.0.0.1:8080/v1/models 2>/dev/null | grep -q '"id"'; do
  if ((SECONDS - started_at > STARTUP_TIMEOUT_SECONDS)); then
    echo "the scheduler found no engines within ${STARTUP_TIMEOUT_SECONDS}s; see logs/scheduler-service.log" >&2
    exit 1
  fi
  sleep 0.5
done

cat <<EOF

Switchboard is up after $((SECONDS - started_at))s.  Gateway (OpenAI API): http://127.0.0.1:8080/v1

Try a streamed chat completion:

  curl -N http://127.0.0.1:8080/v1/chat/completions \\
    -H 'Content-Type: application/json' \\
    -d '{"model": "llama-3-8b", "stream": true, "messages": [{"role": "user", "content": "Hello!"}]}'

Or point any OpenAI client at base URL http://127.0.0.1:8080/v1 (any API key).
Scheduler view: curl http://127.0.0.1:8090/admin/endpoints     Logs: ./logs/     Stop: Ctrl-C
EOF

# keep running until Ctrl-C or until a service dies
while true; do
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      echo "${SERVICES[$i]} exited unexpectedly; see logs/${SERVICES[$i]}.log" >&2
      exit 1
    fi
  done
  sleep 1
done
