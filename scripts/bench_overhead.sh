#!/usr/bin/env bash
# What tempering adds to bare MD, and what 8 replicas on 2 ranks deliver, for BENCHMARKS.md.
#
#   bash scripts/bench_overhead.sh [STEPS] [REPEATS]
#
# Defaults: 40000 steps per replica, 3 repeats (the fastest of the repeats is reported).
# The quickstart system (Al55, Al_EA, Bussi, 2 fs, 8 replicas 300–900 K) in four settings:
#   bare      one process on one core; no swaps, no samples, no positions, no quenches
#   default   the same with pelt's default [tempering]/[output] settings: a swap attempt every
#             100 steps, energies every 10 steps, positions every 1000, a checkpoint and
#             flush every 1000 exchanges
#   +quench   default plus an inherent-structure quench every 5000 steps (the quickstart's)
#   single    one replica alone on one core (the single-replica rate)
# and then default and +quench under `mpirun -np 2` (8 replicas on 2 ranks, 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-40000}
repeats=${2:-3}
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

input() { # name replicas swap energy positions quench
    cat > "$dir/$1.toml" <<IN
[system]
structure = "$PWD/inputs/structures/al55_ih.xyz"
[potential]
file = "$PWD/inputs/potentials/Al_EA.eam.alloy"
[landscape]
epsilon = 0.0
phi0 = "-2.58 eV"
m = 4
[dynamics]
timestep = "2 fs"
thermostat = "bussi"
tau = "100 fs"
[tempering]
t_min = "300 K"
t_max = "$([ "$2" = 1 ] && echo 300 || echo 900) K"
replicas = $2
swap_interval = $3
steps = $steps
equilibration = 0
seed = 2026
[quench]
interval = $6
fmax = "1e-4 eV/A"
[output]
directory = "$dir/$1.out"
energy_interval = $4
positions_interval = $5
$([ "$3" = "$steps" ] && echo "checkpoint_interval = 1000000" || echo "checkpoint_interval = 1000")
IN
}
input bare 8 "$steps" "$steps" 0 0
input default 8 100 10 1000 0
input quench 8 100 10 1000 5000
input single 1 100 10 1000 0

best() { # label command... : the fastest "µs per replica-step" of the repeats
    local label=$1; shift
    local b=""
    for _ in $(seq "$repeats"); do
        local us
        us=$("$@" 2>/dev/null | grep -o '[0-9.]* µs per replica-step' | cut -d' ' -f1)
        b=$(awk -v a="$us" -v b="$b" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    echo "$b"
}
bare=$(best bare taskset -c 0 ./target/release/pelt run "$dir/bare.toml" --force)
default=$(best default taskset -c 0 ./target/release/pelt run "$dir/default.toml" --force)
quench=$(best quench taskset -c 0 ./target/release/pelt run "$dir/quench.toml" --force)
single=$(best single taskset -c 0 ./target/release/pelt run "$dir/single.toml" --force)
mpi_default=$(best mpi mpirun -np 2 ./target/release/pelt run "$dir/default.toml" --force)
mpi_quench=$(best mpi mpirun -np 2 ./target/release/pelt run "$dir/quench.toml" --force)
awk -v b="$bare" -v d="$default" -v q="$quench" -v s="$single" -v md="$mpi_default" \
    -v mq="$mpi_quench" -v n="$steps" 'BEGIN {
    printf "8 Al55 replicas x %d steps; wall-clock us per replica-step (fastest of the repeats)\n", n
    printf "  one core:  bare MD %.3f   default %.3f (+%.2f %%)   +quench/5000 %.3f (+%.2f %% more)\n", b, d, 100 * (d / b - 1), q, 100 * (q / d - 1)
    printf "  one replica alone on one core: %.3f (%.0f steps/s)\n", s, 1e6 / s
    printf "  mpirun -np 2: default %.3f -> %.1f %% of 2x the single-replica rate\n", md, 100 * s / (2 * md)
    printf "  mpirun -np 2: +quench %.3f -> %.1f %% of 2x the single-replica rate\n", mq, 100 * s / (2 * mq)
}'
