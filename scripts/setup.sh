#!/usr/bin/env bash
# pelt set-up: installs the system packages pelt builds and runs against.
#
# Idempotent; run as root on Debian bookworm (or later). It installs only what is missing:
#   libopenmpi-dev openmpi-bin     Open MPI (mpirun, libmpi, headers for the `mpi` crate)
#   libhdf5-openmpi-dev hdf5-tools parallel HDF5 (MPI-IO driver) and h5dump / h5ls
#   libclang-dev pkg-config        what the bindgen-based -sys crates need to find them
#   python3-h5py python3-numpy     Debian's Python reads the run file (scripts/read_example.py)
#   fonts-dejavu-core              the font of the figures `pelt analyze` draws
#   python3-venv                   for the readers' virtual environment below
#
# It then makes .venv/ in the repository (Debian's python3, pip, PyPI) with the trajectory
# readers the tests check pelt's files against, pinned: MDAnalysis, ASE, h5py, ZnH5MD (the versions
# in READERS below). `.venv/bin/python` is what tests/readers.rs runs.
#
# It also writes /etc/profile.d/pelt-mpirun.sh (and prints the same lines) with the
# settings `mpirun` needs on a small machine run as root:
#   OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1   run as root (containers, CI)
#   OMPI_MCA_rmaps_base_oversubscribe=1                        more ranks than cores
# Non-login shells (CI, cron, SLURM prologues) do not read /etc/profile.d: export the three
# variables there yourself (README, "Running mpirun as root").
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools libclang-dev pkg-config
          python3-h5py python3-numpy fonts-dejavu-core python3-venv)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing packages: ${missing[*]}" >&2
        echo "setup.sh: run as root (or: sudo bash scripts/setup.sh) to install them" >&2
        exit 1
    fi
    echo "setup.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "setup.sh: system packages present (${packages[*]})"
fi

profile=/etc/profile.d/pelt-mpirun.sh
if [ "$(id -u)" -eq 0 ] && [ -d /etc/profile.d ] && [ ! -f "$profile" ]; then
    cat > "$profile" <<'PROF'
# Written by pelt's scripts/setup.sh: let Open MPI's mpirun run as root and oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
PROF
    echo "setup.sh: wrote $profile"
fi

# The real readers, in the project's own virtual environment (idempotent: reinstalled only
# when a pinned version is missing).
READERS=("MDAnalysis==2.11.0" "ase==3.29.0" "h5py==3.16.0" "znh5md==0.4.8")
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv"
want="MDAnalysis 2.11.0, ase 3.29.0, h5py 3.16.0, znh5md 0.4.8"
have=$("$venv/bin/python" -c 'import MDAnalysis, ase, h5py, znh5md; print(f"MDAnalysis {MDAnalysis.__version__}, ase {ase.__version__}, h5py {h5py.__version__}, znh5md {znh5md.__version__}")' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
    echo "setup.sh: installing the readers into $venv: ${READERS[*]}"
    [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${READERS[@]}"
else
    echo "setup.sh: readers present in $venv ($have)"
fi

# Confirm the parallel HDF5 and MPI are visible to pkg-config (what hdf5-metno-sys and
# mpi-sys look for at build time).
if ! pkg-config --exists hdf5-openmpi 2>/dev/null && [ ! -d /usr/lib/x86_64-linux-gnu/hdf5/openmpi ]; then
    echo "setup.sh: warning: parallel HDF5 (hdf5-openmpi) not found by pkg-config" >&2
fi
echo "setup.sh: done ($(mpirun --version 2>/dev/null | head -n1))"
