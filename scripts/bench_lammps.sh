#!/usr/bin/env bash
# LAMMPS's MD-step time for a pelt input structure, for BENCHMARKS.md.
#
#   bash scripts/bench_lammps.sh [STRUCTURE.xyz] [POTENTIAL] [STEPS]
#
# Defaults: inputs/structures/al55_ih.xyz, inputs/potentials/Al_EA.eam.alloy, 50000 steps.
# Runs Debian's LAMMPS (`apt-get install lammps`; a cross-check tool, never a pelt
# dependency) on 1 rank: units metal, 2 fs, `fix nvt` at 300 K, isolated cluster in a
# non-periodic box, and prints LAMMPS's loop time per step. The neighbour list is
# `neighbor $LAMMPS_NEIGHBOR` (default "1.0 nsq": skin 1 Å, N² build) checked every
# $LAMMPS_EVERY steps (default 10); bench_vs_lammps.sh scans both for LAMMPS's best.
set -euo pipefail
xyz=${1:-inputs/structures/al55_ih.xyz}
pot=$(realpath "${2:-inputs/potentials/Al_EA.eam.alloy}")
steps=${3:-50000}
command -v lmp >/dev/null || { echo "bench_lammps.sh: lmp not found (apt-get install lammps)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=$(head -n1 "$xyz" | tr -d ' ')
{
    printf 'cluster\n\n%d atoms\n1 atom types\n-60 60 xlo xhi\n-60 60 ylo yhi\n-60 60 zlo zhi\n\nMasses\n\n1 26.982\n\nAtoms # atomic\n\n' "$n"
    tail -n +3 "$xyz" | head -n "$n" | awk '{printf "%d 1 %s %s %s\n", NR, $2, $3, $4}'
} > "$dir/data"
case "$pot" in
    *.alloy) style="eam/alloy"; coeff="* * $pot Al" ;;
    *.fs)    style="eam/fs";    coeff="* * $pot Al" ;;
    *)       style="eam";       coeff="* * $pot" ;;
esac
cat > "$dir/in" <<IN
units metal
boundary f f f
atom_style atomic
read_data $dir/data
pair_style $style
pair_coeff $coeff
neighbor ${LAMMPS_NEIGHBOR:-1.0 nsq}
neigh_modify every ${LAMMPS_EVERY:-10} delay 0 check yes
timestep 0.002
velocity all create 600.0 4928459 mom yes rot yes dist gaussian
fix 1 all nvt temp 300.0 300.0 0.1
thermo 10000
run $steps
IN
(cd "$dir" && OMP_NUM_THREADS=1 taskset -c 0 lmp -in in -log log -screen none)
loop=$(grep -m1 "^Loop time" "$dir/log")
secs=$(echo "$loop" | awk '{print $4}')
echo "$loop"
awk -v s="$secs" -v n="$steps" -v a="$n" 'BEGIN { printf "LAMMPS (%s atoms, eam, fix nvt, 2 fs, 1 rank): %.2f us/step\n", a, 1e6*s/n }'
