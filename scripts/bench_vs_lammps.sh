#!/usr/bin/env bash
# The same NVT run in LAMMPS and in pelt, one after the other on one core, and the ratio.
#
#   bash scripts/bench_vs_lammps.sh [STRUCTURE.xyz] [STEPS] [POTENTIAL]
#
# Defaults: inputs/structures/al55_ih.xyz, 200000 steps, inputs/potentials/Al_EA.eam.alloy.
# Both runs: the structure as an isolated cluster, the same potential file, 2 fs, a
# Nosé–Hoover thermostat at 300 K with a 0.1 ps time constant (LAMMPS `fix nvt`, pelt
# `thermostat = "nose-hoover"`), one process, and output only every 10000 steps (pelt: no
# positions, no quenches, one replica). LAMMPS comes from Debian (`apt-get install lammps`)
# and is a cross-check tool, never a pelt dependency. The script prints each code's own
# loop time per step, the whole process's wall time, and pelt's speed-up for both.
set -euo pipefail
cd "$(dirname "$0")/.."
xyz=$(realpath "${1:-inputs/structures/al55_ih.xyz}")
steps=${2:-200000}
pot=$(realpath "${3:-inputs/potentials/Al_EA.eam.alloy}")
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

t0=$(date +%s.%N)
lammps=$(bash scripts/bench_lammps.sh "$xyz" "$pot" "$steps" | tail -n1)
t1=$(date +%s.%N)
cat > "$dir/pelt.toml" <<IN
[system]
structure = "$xyz"
[potential]
file = "$pot"
[landscape]
epsilon = 0.0
phi0 = "-2.58 eV"
m = 4
[dynamics]
timestep = "2 fs"
thermostat = "nose-hoover"
tau = "100 fs"
[tempering]
t_min = "300 K"
t_max = "300 K"
replicas = 1
swap_interval = 10000
steps = $steps
equilibration = 0
seed = 1
[quench]
interval = 0
[output]
directory = "$dir/out"
energy_interval = 10000
positions_interval = 0
checkpoint_interval = 1000000
IN
t2=$(date +%s.%N)
pelt=$(taskset -c 0 ./target/release/pelt run "$dir/pelt.toml" 2>/dev/null | grep "per replica-step")
t3=$(date +%s.%N)
lammps_us=$(echo "$lammps" | sed -E 's/.*: ([0-9.]+) us\/step.*/\1/')
pelt_us=$(echo "$pelt" | sed -E 's/.*\(([0-9.]+) µs per replica-step\).*/\1/')
kernel=$(h5dump -a /parameters/kernel "$dir/out/run.h5" 2>/dev/null | grep -o '"[a-z0-9]*"' | tail -n1 | tr -d '"')
awk -v l="$lammps_us" -v p="$pelt_us" -v lw="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" \
    -v pw="$(awk -v a="$t2" -v b="$t3" 'BEGIN{print b-a}')" \
    -v n="$steps" -v x="$(basename "$xyz")" -v k="$kernel" 'BEGIN {
    printf "%s, %d steps of 2 fs, Nose-Hoover NVT at 300 K, one core\n", x, n
    printf "  LAMMPS loop:  %8.2f us/step   whole process %6.2f s\n", l, lw
    printf "  pelt loop:    %8.2f us/step   whole process %6.2f s   (%s kernel)\n", p, pw, k
    printf "  pelt is %.1fx faster per step, %.1fx over the whole process\n", l / p, lw / pw
}'
