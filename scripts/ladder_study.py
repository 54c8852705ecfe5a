#!/usr/bin/env python3
"""The adaptive ladder against the fixed one (docs/ANALYSIS.md, "The adaptive ladder").

For each input and seed, runs `pelt run` twice, with `ladder = "fixed"` and
`ladder = "adaptive"` (mpirun on all local cores), analyses both (`pelt analyze --no-plots`)
and prints, from the production part (after the last adaptation round), the pair
acceptances (smallest against the mean), the round trips per replica per exchange and the
DEO bound for the measured acceptances. The measured smallest/mean of a short run is
noisy (binomial noise alone, for 200 attempts per pair at 0.23, gives 0.83 on average and
below 0.75 one time in nine for a perfect ladder), so it also prints the evenness MBAR
predicts for each final ladder from the samples of every fixed-ladder run
(`pelt ladder RUN --temperatures ...`), averaged over those runs.

    python3 scripts/ladder_study.py inputs/quickstart.toml --seeds 3
    python3 scripts/ladder_study.py inputs/paper/al43_eps0.toml --seeds 3 --steps 1000000

Runs already there are kept (<out>/<input>/<ladder>_seed<N>/). Needs the Debian python3,
mpirun and a release build of pelt.
"""
import argparse
import json
import os
import re
import subprocess

import h5py
import numpy as np

from pelt_runs import ROOT, run_and_analyze


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=None, help="steps per replica (equilibration: half)")
    ap.add_argument("--out", default=os.path.join(ROOT, "ladder-study.out"))
    ap.add_argument("--ranks", type=int, default=os.cpu_count())
    a = ap.parse_args()
    src = os.path.abspath(a.input)
    text = open(src).read()
    here = os.path.dirname(src)
    text = re.sub(r'^(structure|file)\s*=\s*"(?!/)', lambda m: f'{m.group(1)} = "{here}/', text, flags=re.M)
    if a.steps:
        text = re.sub(r"^steps\s*=.*$", f"steps = {a.steps}", text, flags=re.M)
        text = re.sub(r"^equilibration\s*=.*$", f"equilibration = {a.steps // 2}", text, flags=re.M)
    name = os.path.splitext(os.path.basename(src))[0]
    rows = []
    for seed in range(1, a.seeds + 1):
        for ladder in ("fixed", "adaptive"):
            d = os.path.join(a.out, name, f"{ladder}_seed{seed}")
            js = os.path.join(d, "analysis", "analysis.json")
            t = re.sub(r"^seed\s*=.*$", f"seed = {seed}", text, flags=re.M)
            if re.search(r"^ladder\s*=", t, flags=re.M):
                t = re.sub(r"^ladder\s*=.*$", f'ladder = "{ladder}"', t, flags=re.M)
            else:
                t = re.sub(r"^(t_max\s*=.*)$", rf'\1\nladder = "{ladder}"', t, count=1,
                           flags=re.M)
            run_and_analyze(d, t, a.ranks, f"{name} {ladder} seed {seed}")
            m = json.load(open(js))["mixing"]
            acc = np.array([x if x is not None else np.nan for x in m["acceptance"]])
            with h5py.File(os.path.join(d, "run", "run.h5"), "r") as f:
                final = list(f["tempering/temperature"][:])
            rows.append((ladder, seed, acc, m["round_trip_rate"], m["deo_bound"], m["exchanges"], final))
    print(f"{name}: production part (after the adaptation rounds), per seed")
    print("ladder   seed  min acc  mean acc  min/mean  round trips/exchange  DEO bound  ratio")
    for ladder, seed, acc, rate, bound, ex, _ in rows:
        print(f"{ladder:8s} {seed:4d}  {np.nanmin(acc):7.3f}  {np.nanmean(acc):8.3f}  "
              f"{np.nanmin(acc) / np.nanmean(acc):8.2f}  {rate:20.5f}  {bound:9.5f}  {rate / bound:5.2f}")
    for ladder in ("fixed", "adaptive"):
        sel = [r for r in rows if r[0] == ladder]
        mm = np.mean([np.nanmin(r[2]) / np.nanmean(r[2]) for r in sel])
        rate = np.mean([r[3] for r in sel])
        bound = np.mean([r[4] for r in sel])
        print(f"{ladder}: mean min/mean acceptance {mm:.2f}; round trips per replica per "
              f"exchange {rate:.5f} (DEO bound {bound:.5f})")
    refs = [os.path.join(a.out, name, f"fixed_seed{s}", "run", "run.h5") for s in range(1, a.seeds + 1)]
    print("predicted by MBAR from the fixed-ladder runs (smallest / mean acceptance of each final ladder):")
    pelt = os.path.join(ROOT, "target", "release", "pelt")
    for ladder, seed, _, _, _, _, final in rows:
        ev = []
        for ref in refs:
            out = subprocess.run([pelt, "ladder", ref, "--json", "--temperatures",
                                  ",".join(repr(float(t)) for t in final)],
                                 capture_output=True, text=True, check=True).stdout
            ev.append(json.loads(out)["evenness"])
        print(f"{ladder:8s} {seed:4d}  predicted min/mean {np.mean(ev):.2f} "
              f"(over {len(ev)} reference runs: {', '.join(f'{e:.2f}' for e in ev)})")


if __name__ == "__main__":
    main()
