#!/usr/bin/env bash
# pelt's main job on the small default input (README, command 1): set-up, build, and a
# parallel-tempering run of Al55 (8 temperatures, 300-900 K, 1 ns per replica) under
# mpirun on all local cores (one rank per core, replicas dealt round-robin to the ranks),
# ending with the summary table (per temperature: <phi>, <phi*>, <T_kin>, heat capacity,
# <E_IS>, swap acceptance; round trips), then `pelt analyze`: the observables per temperature
# with error bars, T_g / T_s / T_m, tables (CSV, JSON) and figures (PNG) in
# quickstart.out/analysis/. Results go to quickstart.out/ (or quickstart.out.2/, … when
# earlier results are there: nothing is overwritten).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release
pelt=target/release/pelt

# mpirun as root (containers, CI) and on machines with fewer cores than ranks; harmless
# otherwise (README, "Running mpirun as root").
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

echo; echo "== pelt --version"
"$pelt" --version

out=quickstart.out
k=2
while [ -e "$out" ]; do out=quickstart.out.$k; k=$((k + 1)); done
replicas=8
ranks=$(nproc)
[ "$ranks" -gt "$replicas" ] && ranks=$replicas
echo; echo "== mpirun -np $ranks pelt run inputs/quickstart.toml --output $out"
mpirun -np "$ranks" "$pelt" run inputs/quickstart.toml --output "$out" --progress-every 5

echo; echo "== pelt analyze $out/run.h5"
"$pelt" analyze "$out/run.h5"

echo
echo "The heat capacity is in $out/analysis/heat_capacity.png, the other figures beside it."
echo "The HDF5 run file is $out/run.h5 (layout: docs/FORMAT.md). Read it without pelt:"
echo "  python3 scripts/read_example.py $out/run.h5     # /usr/bin/python3 on Debian"
