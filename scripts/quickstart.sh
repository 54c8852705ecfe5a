#!/usr/bin/env bash
# pelt's main job on the small default input (README, command 1): set-up, build, and a
# parallel-tempering run of Al55 (8 temperatures, 300-900 K, 0.5 ns per replica) on all
# local cores, ending with the summary table (per temperature: <phi>, <phi*>, <T_kin>,
# heat capacity, <E_IS>, swap acceptance; round trips). Results go to quickstart.out/
# (or quickstart.out.2/, … when earlier results are there: nothing is overwritten).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release
pelt=target/release/pelt

echo; echo "== pelt --version"
"$pelt" --version

out=quickstart.out
k=2
while [ -e "$out" ]; do out=quickstart.out.$k; k=$((k + 1)); done
echo; echo "== pelt run inputs/quickstart.toml --output $out"
"$pelt" run inputs/quickstart.toml --output "$out"
