#!/usr/bin/env bash
# The same NVT run in LAMMPS and in pelt (mixed and double precision) on one core,
# interleaved, and the ratios.
#
#   bash scripts/bench_vs_lammps.sh [STRUCTURE.xyz] [STEPS] [POTENTIAL] [ROUNDS]
#
# Defaults: inputs/structures/al55_ih.xyz, 200000 steps, inputs/potentials/Al_EA.eam.alloy,
# 3 rounds. Every run: the structure as an isolated cluster, the same potential file, 2 fs,
# a Nosé–Hoover thermostat at 300 K with a 0.1 ps time constant (LAMMPS `fix nvt`, pelt
# `thermostat = "nose-hoover"`), one process pinned to core 0, output only every 10000
# steps (pelt: no positions, no quenches, one replica).
#
# First LAMMPS's neighbour settings are scanned (skin 0.3–2 Å, nsq and bin builds, checks
# every 1, 5 or 10 steps; STEPS/4 steps each) and the fastest is kept. Then ROUNDS rounds
# of LAMMPS, pelt mixed and pelt double, one after the other, so that a slow spell of the
# machine hits all three; each code's best round is reported. LAMMPS comes from Debian
# (`apt-get install lammps`) and is a cross-check tool, never a pelt dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
xyz=$(realpath "${1:-inputs/structures/al55_ih.xyz}")
steps=${2:-200000}
pot=$(realpath "${3:-inputs/potentials/Al_EA.eam.alloy}")
rounds=${4:-3}
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

lammps_us() { # STEPS → LAMMPS loop µs/step with the current LAMMPS_NEIGHBOR/LAMMPS_EVERY
    bash scripts/bench_lammps.sh "$xyz" "$pot" "$1" | tail -n1 | sed -E 's/.*: ([0-9.]+) us\/step.*/\1/'
}

best_setting="" best=1e9
for skin in 0.3 0.6 1.0 2.0; do
    for build in nsq bin; do
        for every in 1 5 10; do
            us=$(LAMMPS_NEIGHBOR="$skin $build" LAMMPS_EVERY=$every lammps_us $((steps / 4)))
            echo "  LAMMPS neighbor $skin $build, every $every: $us us/step" >&2
            if awk -v a="$us" -v b="$best" 'BEGIN{exit !(a < b)}'; then
                best=$us best_setting="$skin $build|$every"
            fi
        done
    done
done
export LAMMPS_NEIGHBOR=${best_setting%|*} LAMMPS_EVERY=${best_setting#*|}

pelt_us() { # PRECISION → pelt loop µs/step (and the kernel, after a space)
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
precision = "$1"
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
    rm -rf "$dir/out"
    local line kernel
    line=$(taskset -c 0 ./target/release/pelt run "$dir/pelt.toml" 2>/dev/null | grep "per replica-step")
    kernel=$(h5dump -a /parameters/kernel "$dir/out/run.h5" 2>/dev/null | grep -o '"[a-z0-9]*"' | tail -n1 | tr -d '"')
    echo "$(echo "$line" | sed -E 's/.*\(([0-9.]+) µs per replica-step\).*/\1/') $kernel"
}

l_best=1e9 m_best=1e9 d_best=1e9 kernel_m="" kernel_d=""
for r in $(seq "$rounds"); do
    l=$(lammps_us "$steps")
    read -r m kernel_m < <(pelt_us mixed)
    read -r d kernel_d < <(pelt_us double)
    echo "  round $r: LAMMPS $l, pelt mixed $m, pelt double $d us/step" >&2
    l_best=$(awk -v a="$l" -v b="$l_best" 'BEGIN{print (a < b) ? a : b}')
    m_best=$(awk -v a="$m" -v b="$m_best" 'BEGIN{print (a < b) ? a : b}')
    d_best=$(awk -v a="$d" -v b="$d_best" 'BEGIN{print (a < b) ? a : b}')
done
awk -v l="$l_best" -v m="$m_best" -v d="$d_best" -v n="$steps" -v x="$(basename "$xyz")" \
    -v km="$kernel_m" -v kd="$kernel_d" -v ls="$LAMMPS_NEIGHBOR, every $LAMMPS_EVERY" -v r="$rounds" 'BEGIN {
    printf "%s, %d steps of 2 fs, Nose-Hoover NVT at 300 K, one core, best of %d interleaved rounds\n", x, n, r
    printf "  LAMMPS loop:        %8.2f us/step   (neighbor %s)\n", l, ls
    printf "  pelt mixed loop:    %8.2f us/step   (%s kernel)   %.1fx LAMMPS\n", m, km, l / m
    printf "  pelt double loop:   %8.2f us/step   (%s kernel)   %.1fx LAMMPS\n", d, kd, l / d
}'
