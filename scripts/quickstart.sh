#!/usr/bin/env bash
# pelt's main job on the small default input (README, command 1): set-up, build, run.
#
# For now "run" is the energy of the relaxed Al55 Mackay icosahedron with the
# Ercolessi–Adams glue potential and a report of the paper's φ* landscape for Al55
# (m = 4, φ0 = −2.58 eV/atom, ε = 2e-4). Later versions replace it with a tempering run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release
pelt=target/release/pelt
pot=inputs/potentials/Al_EA.eam.alloy
al55=inputs/structures/al55_ih.xyz

echo; echo "== pelt --version"
"$pelt" --version
echo; echo "== energy of $al55"
"$pelt" energy --potential "$pot" "$al55"
for eps in 1e-4 2e-4; do
    echo; echo "== landscape of Al55 at eps = $eps (m = 4, phi0 = -2.58 eV/atom)"
    "$pelt" landscape --structure "$al55" --potential "$pot" --phi0-per-atom -2.58 --m 4 --eps "$eps"
done
