#!/usr/bin/env bash
# CI docker stage: build the ConvScope image with no registry, run it, smoke-test it.
#   1. docker.io from Debian; start dockerd when none answers (stopped by its PID at exit)
#   2. a local Debian bookworm base image (scripts/build-base-image.sh, rootfs cached)
#   3. an offline wheelhouse downloaded on the host (host pip settings and certificates stay on
#      the host) baked into a CI-only build base; the committed Dockerfile is built unchanged
#   4. run it and check: /api/health 200, a real convolve 200 with the right shape, an oversize
#      upload 413, Docker reports the container healthy, the server process is not root.
# Skipped when CONVSCOPE_SKIP_DOCKER=1 and CI is not set; never skipped in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${CONVSCOPE_SKIP_DOCKER:-0} == 1 && -z ${CI:-} ]]; then
  echo "ci-docker: skipped (CONVSCOPE_SKIP_DOCKER=1)"; exit 0
fi
t0=$SECONDS
image=${CONVSCOPE_IMAGE:-convscope:ci}
base=convscope-base:bookworm
py=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
dockerd_pid=""
container=""

cleanup() {
  [[ -n $container ]] && docker rm -f "$container" >/dev/null 2>&1 || true
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    echo "ci-docker: dockerd ($dockerd_pid) stopped"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- 1. the engine ------------------------------------------------------------------------
if ! command -v dockerd >/dev/null; then
  echo "ci-docker: installing docker.io with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq docker.io mmdebstrap >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  # This sandbox: overlay2 works; no iptables and no default bridge, so builds and the
  # container use the host network (--network host).
  dockerd --storage-driver overlay2 --iptables=false --bridge=none \
    >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { cat "$work/dockerd.log"; echo "ci-docker: dockerd did not start"; exit 1; }
  echo "ci-docker: dockerd started (pid $dockerd_pid)"
fi

# ---- 2. base image ------------------------------------------------------------------------
scripts/build-base-image.sh "$base"

# ---- 3. CI-only build base with an offline wheelhouse ---------------------------------------
mkdir -p "$work/ctx/wheels"
"$py" - >"$work/requirements.txt" <<'PY'
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))
print("\n".join(p["project"]["dependencies"] + p["project"]["optional-dependencies"]["server"]
                + p["build-system"]["requires"] + ["wheel"]
                # redis needs it on Python < 3.11.3 (the base image's Python may be older
                # than the host's, which then would not download it)
                + ["async-timeout>=4.0.3"]))
PY
"$py" -m pip download -q --only-binary=:all: -d "$work/ctx/wheels" -r "$work/requirements.txt" \
  >"$work/pip.log" 2>&1 || { tail -20 "$work/pip.log"; exit 1; }
cat >"$work/ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY wheels /wheels
ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels
DOCKERFILE
docker build -q --network host -t convscope-build-base:ci "$work/ctx" >/dev/null 2>&1

# ---- build ------------------------------------------------------------------------------
tb=$SECONDS
docker build --network host --build-arg BASE="$base" --build-arg BUILD_BASE=convscope-build-base:ci \
  -t "$image" . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
echo "ci-docker: built $image in $((SECONDS - tb)) s ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"

# ---- 4. run and smoke-test ----------------------------------------------------------------
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
container=convscope-ci-$$
docker run -d --name "$container" --network host -e PORT="$port" -e HOST=127.0.0.1 \
  -e CONVSCOPE_WORKERS=2 --cpus 2 --memory 1g --read-only --tmpfs /tmp \
  --health-interval 2s --health-start-period 30s "$image" >/dev/null
"$py" scripts/docker_smoke.py "http://127.0.0.1:$port" || { docker logs "$container" | tail -40; exit 1; }
for _ in $(seq 1 60); do
  status=$(docker inspect -f '{{.State.Health.Status}}' "$container")
  [[ $status == healthy ]] && break; sleep 1
done
echo "ci-docker: docker health status: $status"
[[ $status == healthy ]] || { docker logs "$container" | tail -20; exit 1; }
uids=$(docker top "$container" -o pid,uid,comm | awk 'NR > 1 {print $2}' | sort -u | tr '\n' ' ')
echo "ci-docker: process uids in the container: $uids"
[[ " $uids " != *" 0 "* && " $uids " != *" root "* ]] || { echo "ci-docker: a process runs as root"; exit 1; }
ts=$SECONDS
docker stop -t 30 "$container" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
echo "ci-docker: docker stop took $((SECONDS - ts)) s, exit code $code"
[[ $code == 0 ]] || { docker logs "$container" | tail -20; exit 1; }
echo "ci-docker: OK in $((SECONDS - t0)) s"
