#!/usr/bin/env bash
# The shortened study (docs/REPRODUCTION.md): every input of inputs/paper/ for STEPS steps
# per replica (default 1 500 000: 3 ns at 2 fs, 1.5 ns at 1 fs) under mpirun on all local
# cores, then `pelt analyze` of each and scripts/plot_paper.py over all of them.
# About 2 minutes per case on 2 cores. Results: paper-short.out/<case>/ (never
# overwritten: a case with its analysis is skipped, so an interrupted study continues; an
# interrupted case must have its folder removed first).
#
#   bash scripts/paper_short.sh [STEPS] [CASE …]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1500000}
shift || true
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=($(cd inputs/paper && ls *.toml | sed 's/\.toml$//'))

cargo build --release
pelt=target/release/pelt
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
ranks=$(nproc)
out=paper-short.out
mkdir -p "$out"
for c in "${cases[@]}"; do
    if [ -e "$out/$c.analysis.txt" ]; then
        echo "== $c: done ($out/$c.analysis.txt), skipped"
        continue
    fi
    echo "== $c: $steps steps"
    mpirun -np "$ranks" "$pelt" run "inputs/paper/$c.toml" --steps "$steps" --output "$out/$c" \
        --progress-every 60 > "$out/$c.log" 2>&1
    "$pelt" analyze "$out/$c/run.h5" --force > "$out/$c.analysis.txt"
    sed -n '1,40p' "$out/$c.analysis.txt" | grep -E "^T_|^energy jump|^Arrhenius" || true
done
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
    /usr/bin/python3 scripts/plot_paper.py "$out" -o "$out/figures"
elif [ -x .venv/bin/python ] && .venv/bin/python -c "import matplotlib" 2>/dev/null; then
    .venv/bin/python scripts/plot_paper.py "$out" -o "$out/figures"
else
    echo "matplotlib missing (apt-get install python3-matplotlib): skipped scripts/plot_paper.py"
fi
