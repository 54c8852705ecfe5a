#!/usr/bin/env python3
"""Are pelt analyze's error bars calibrated? (docs/ANALYSIS.md, "Calibration on the quickstart")

Runs the quickstart input with SEEDS different seeds (runs already there are kept; delete
a seed's analysis/ folder to analyse it again) (mpirun on all local cores), analyses
each with `pelt analyze` (default options), and compares, at every temperature of the
ladder, the spread of the estimates over the seeds (their standard deviation) with the
error each run reports (the root mean square over the seeds), for <phi> (blocking), C by
MBAR (asymptotic covariance) and C from fluctuations (block bootstrap). A ratio of 1 is
calibrated; with S seeds the spread itself is uncertain by about 1/sqrt(2(S - 1)).

    python3 scripts/calibrate_errors.py [--seeds 8] [--out calibrate.out] [--steps N]

Needs the Debian python3 (numpy), mpirun and a release build of pelt.
"""
import argparse
import csv
import os
import re
import sys

import numpy as np

from pelt_runs import ROOT, run_and_analyze
QUANTITIES = [
    ("<phi> (eV)", "phi_eV", "phi_err_eV"),
    ("C MBAR (kB)", "heat_capacity_mbar_per_cluster_kB", "heat_capacity_mbar_per_cluster_err_kB"),
    ("C fluct. (kB)", "heat_capacity_fluctuation_per_cluster_kB",
     "heat_capacity_fluctuation_per_cluster_err_kB"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--out", default=os.path.join(ROOT, "calibrate.out"))
    ap.add_argument("--steps", type=int, default=None, help="steps per replica (default: the input's)")
    ap.add_argument("--ranks", type=int, default=os.cpu_count())
    a = ap.parse_args()
    text = open(os.path.join(ROOT, "inputs", "quickstart.toml")).read()
    text = re.sub(r'^(structure|file)\s*=\s*"', lambda m: f'{m.group(1)} = "{ROOT}/inputs/', text, flags=re.M)
    tables = []
    for s in range(a.seeds):
        d = os.path.join(a.out, f"seed{s + 1}")
        table = os.path.join(d, "analysis", "temperatures.csv")
        t = re.sub(r"^seed\s*=.*$", f"seed = {1000 + s}", text, flags=re.M)
        if a.steps:
            t = re.sub(r"^steps\s*=.*$", f"steps = {a.steps}", t, flags=re.M)
        run_and_analyze(d, t, a.ranks, f"seed {1000 + s}")
        with open(table) as f:
            tables.append(list(csv.DictReader(f)))
    temps = [float(r["temperature_K"]) for r in tables[0]]
    num = lambda v: float(v) if v else float("nan")
    print(f"{a.seeds} seeds; ratio = spread over seeds / RMS of the reported errors "
          f"(1 ± {1 / np.sqrt(2 * (a.seeds - 1)):.2f} expected)")
    header = "T (K)  " + "".join(f"| {q[0]:>14} spread  error  ratio " for q in QUANTITIES)
    print(header)
    ratios = {q[0]: [] for q in QUANTITIES}
    for k, t in enumerate(temps):
        line = f"{t:6.0f} "
        for name, col, err in QUANTITIES:
            v = np.array([num(tb[k][col]) for tb in tables])
            e = np.array([num(tb[k][err]) for tb in tables])
            spread = v.std(ddof=1)
            rms = np.sqrt(np.nanmean(e ** 2)) if np.isfinite(e).any() else float("nan")
            ratio = spread / rms
            ratios[name].append(ratio)
            line += f"| {v.mean():14.4f} {spread:7.4f} {rms:6.4f} {ratio:5.2f} "
        print(line)
    for name, r in ratios.items():
        r = np.array(r)
        pooled = np.sqrt(np.nanmean(r ** 2))
        print(f"{name}: ratio {np.nanmin(r):.2f}-{np.nanmax(r):.2f}, pooled (RMS) {pooled:.2f}, "
              f"within a factor 1.5 at {int(np.sum((r >= 1 / 1.5) & (r <= 1.5)))} of {len(r)} temperatures")


if __name__ == "__main__":
    sys.exit(main())
