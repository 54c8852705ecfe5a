#!/usr/bin/env bash
# The landscape runs of docs/ANALYSIS.md, "Minima": three tempering runs under mpirun on
# all local cores, each followed by `pelt minima`. About 3 minutes on 2 cores. Results in
# minima-study.out/<case>/ (run.h5 and minima/); a case whose minima/ exists is skipped.
#
#   bash scripts/minima_study.sh
#
# - quickstart: inputs/quickstart.toml as it is (Al55, 300–900 K, 1 ns per replica);
# - al55_cold: Al55 at 100–450 K, 4 ns per replica (the anharmonic correction of C);
# - al43: inputs/paper/al43_eps0.toml at 420 000 steps, a quench every 100 steps
#   (100 800 quenches: the filing benchmark of BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
root=$(pwd)
pelt=$root/target/release/pelt
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
ranks=$(nproc)
out=$root/minima-study.out
mkdir -p "$out"

# Write the input of a case: the paper's or quickstart's input with its paths made absolute
# and some keys replaced (sed expressions).
derive() {
    local from=$1 to=$2
    shift 2
    sed -e "s#\"\\.\\./structures/#\"$root/inputs/structures/#" \
        -e "s#\"\\.\\./potentials/#\"$root/inputs/potentials/#" \
        -e "s#^structure = \"structures/#structure = \"$root/inputs/structures/#" \
        -e "s#^file = \"potentials/#file = \"$root/inputs/potentials/#" \
        "$@" "$from" > "$to"
}

case_run() {
    local name=$1 input=$2
    if [ -d "$out/$name/minima" ]; then
        echo "== $name: done ($out/$name/minima), skipped"
        return
    fi
    echo "== $name"
    mpirun -np "$ranks" "$pelt" run "$input" --output "$out/$name" > "$out/$name.log" 2>&1
    "$pelt" minima "$out/$name/run.h5" | tee "$out/$name.minima.txt"
}

derive inputs/quickstart.toml "$out/quickstart.toml"
case_run quickstart "$out/quickstart.toml"

derive inputs/quickstart.toml "$out/al55_cold.toml" \
    -e 's/^t_min = .*/temperatures = [100, 150, 200, 250, 300, 350, 400, 450]/' \
    -e '/^t_max = /d' -e '/^replicas = /d' \
    -e 's/^steps = .*/steps = 2000000/' -e 's/^equilibration = .*/equilibration = 50000/' \
    -e 's/^seed = .*/seed = 17/' -e 's/^interval = .*/interval = 20000/' \
    -e 's/^energy_interval = .*/energy_interval = 20/' -e 's/^positions_interval = .*/positions_interval = 0/'
case_run al55_cold "$out/al55_cold.toml"

derive inputs/paper/al43_eps0.toml "$out/al43.toml" \
    -e 's/^steps = .*/steps = 420000/' -e 's/^equilibration = .*/equilibration = 20000/' \
    -e 's/^interval = .*/interval = 100/' -e 's/^positions_interval = .*/positions_interval = 0/' \
    -e 's/^checkpoint_interval = .*/checkpoint_interval = 500/'
case_run al43 "$out/al43.toml"

# The anharmonic correction: C_tempering − C_harmonic against T, through the origin.
/usr/bin/env python3 - "$out/al55_cold/minima/superposition.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = [float(r["temperature_K"]) for r in rows]
y = [float(r["C_tempering_kB"]) - float(r["C_harmonic_kB"]) for r in rows]
w = [1 / float(r["C_tempering_error_kB"]) ** 2 for r in rows]
b = sum(wi * ti * yi for wi, ti, yi in zip(w, t, y)) / sum(wi * ti * ti for wi, ti in zip(w, t))
eb = 1 / math.sqrt(sum(wi * ti * ti for wi, ti in zip(w, t)))
chi2 = sum(wi * (yi - b * ti) ** 2 for wi, ti, yi in zip(w, t, y))
print(f"anharmonic C - C_harmonic = ({b:.4f} +- {eb:.4f}) kB/K x T: {300 * b:.2f} +- {300 * eb:.2f} kB "
      f"at 300 K; chi2 {chi2:.1f} for {len(t) - 1} degrees of freedom")
PY
