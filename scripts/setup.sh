#!/usr/bin/env bash
# Installs the system packages Kiln needs, and only those that are missing (idempotent).
# Debian/Ubuntu: apt-get. Needs root (or sudo) the first time; later runs change nothing.
set -euo pipefail

packages=(libopenblas-dev libpng-dev zlib1g-dev pkg-config dataset-fashion-mnist
          # MPI and a local one-node Slurm cluster (scripts/slurm-local.sh) for the scheduler tests.
          libopenmpi-dev openmpi-bin slurmctld slurmd slurm-client munge
          # The tests' Python peers (scripts/test-interop.sh makes its own venv) and ps.
          python3 python3-venv procps)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
