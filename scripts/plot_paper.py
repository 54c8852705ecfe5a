#!/usr/bin/env python3
"""Figures of the study from pelt's run files: every case of inputs/paper/, Al43 (left,
epsilon <= 0) against Al55 (right, epsilon >= 0), one curve per epsilon.

    python3 scripts/plot_paper.py RESULTS_DIR [-o FIGURES_DIR]

RESULTS_DIR holds one folder per case (al43_eps0/, al55_eps2e-4/, ... as written by
scripts/paper_short.sh or scripts/slurm/paper-array.sbatch), each with run.h5 and, where
`pelt analyze` has run, analysis/analysis.json. Needs h5py, numpy and matplotlib (Debian:
python3-h5py python3-numpy python3-matplotlib); reads the HDF5 files directly
(docs/FORMAT.md) and takes from analysis.json only what needs more than numpy: convex-hull
volumes, the MBAR heat capacity and diffusion coefficients.

Figures (numbered in the order the study lists its observables):
  fig1_energy.png        <phi>/N against T
  fig2_volume.png        convex-hull volume (and the gyration-ellipsoid volume) against T
  fig3_heat_capacity.png C/(N k_B): MBAR curve and fluctuations of H*
  fig4_radii.png         Delta R = R_max - R_min against T
  fig5_diffusion.png     D against 1000/T (where constant-temperature segments allow)
  fig6_inherent.png      <E_IS>/N against T
  fig7_force_scale.png   fraction of time with s <= 0 (forces reversed) against T
"""
import argparse
import glob
import json
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load(case_dir):
    """Per-temperature averages of one run (after equilibration)."""
    f = h5py.File(os.path.join(case_dir, "run.h5"), "r")
    p = f["parameters"]
    n = int(p["atoms"][()])
    eq = int(p["equilibration"][()])
    done = int(p["steps_done"][()])  # rows beyond it are not (yet) data
    kb = float(p["boltzmann_constant"][()])
    out = {"atoms": n, "epsilon": float(p["epsilon"][()]), "T": [], "phi": [], "cv_fl": [],
           "dR": [], "V_ell": [], "s_neg": [], "E_IS": []}
    for k, T in enumerate(f["tempering/temperature"][:]):
        obs = f["pelt/observables"] if "pelt" in f else f["observables"]  # 0.6 / 0.5 files
        g = obs[sorted(obs.keys())[k]]
        st = g["potential_energy/step"][:]
        keep = (st > eq) & (st <= done)
        phi = g["potential_energy/value"][:][keep]
        H = g["total_energy/value"][:][keep]
        R = g["radii_of_gyration/value"][:][keep]
        s = g["force_scale/value"][:][keep]
        out["T"].append(T)
        out["phi"].append(phi.mean() / n)
        out["cv_fl"].append(H.var() / (kb * T) ** 2 / n)
        out["dR"].append((R[:, 2] - R[:, 0]).mean())
        out["V_ell"].append((4 / 3 * np.pi * 5 ** 1.5 * R.prod(axis=1)).mean())
        out["s_neg"].append((s <= 0).mean())
        if "inherent_structures" in f:
            q = f["inherent_structures"][sorted(f["inherent_structures"].keys())[k]]
            qs = q["step"][:]
            e = q["energy"][:][(qs > eq) & (qs <= done)]
            out["E_IS"].append(e.mean() / n if len(e) else np.nan)
        else:
            out["E_IS"].append(np.nan)
    js = os.path.join(case_dir, "analysis", "analysis.json")
    if os.path.exists(js):
        a = json.load(open(js))
        nan = float("nan")
        out["V_hull"] = [r["hull_volume"]["value"] or nan for r in a["rows"]]
        out["mbar_T"] = [e["value"]["temperature"] for e in a["mbar_curve"]]
        out["mbar_cv"] = [e["value"]["heat_capacity"] / n for e in a["mbar_curve"]]
        out["D"] = [(r["diffusion"] or {}).get("coefficient") for r in a["rows"]]
        out["D_err"] = [(r["diffusion"] or {}).get("error") for r in a["rows"]]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--output", default="paper-figures")
    args = ap.parse_args()
    cases = {}
    for d in sorted(glob.glob(os.path.join(args.results, "al*_eps*"))):
        if os.path.exists(os.path.join(d, "run.h5")):
            cases[os.path.basename(d)] = load(d)
    if not cases:
        raise SystemExit(f"{args.results}: no <case>/run.h5 folders")
    os.makedirs(args.output, exist_ok=True)
    groups = {43: sorted([c for c in cases.values() if c["atoms"] == 43], key=lambda c: -c["epsilon"]),
              55: sorted([c for c in cases.values() if c["atoms"] == 55], key=lambda c: c["epsilon"])}

    def figure(name, ylabel, draw, xlabel="T (K)"):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
        for ax, n in zip(axes, (43, 55)):
            cs = groups[n]
            for i, c in enumerate(cs):
                color = plt.cm.viridis(i / max(1, len(cs) - 1))
                draw(ax, c, color, f"ε = {c['epsilon']:g}")
            ax.set_title(f"Al{n}")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            if cs:
                ax.legend(fontsize=8)
            ax.grid(alpha=0.3)
        fig.tight_layout()
        path = os.path.join(args.output, name)
        fig.savefig(path, dpi=110)
        plt.close(fig)
        print(path)

    figure("fig1_energy.png", "⟨φ⟩ per atom (eV)",
           lambda ax, c, col, lab: ax.plot(c["T"], c["phi"], "o-", ms=3, color=col, label=lab))

    def volume(ax, c, col, lab):
        if "V_hull" in c:
            ax.plot(c["T"], c["V_hull"], "o-", ms=3, color=col, label=lab + " (hull)")
        ax.plot(c["T"], c["V_ell"], "--", color=col, alpha=0.6, label=lab + " (ellipsoid)")
    figure("fig2_volume.png", "volume (Å³)", volume)

    def cv(ax, c, col, lab):
        if "mbar_T" in c:
            ax.plot(c["mbar_T"], c["mbar_cv"], "-", color=col, label=lab + " (MBAR)")
        ax.plot(c["T"], c["cv_fl"], "o", ms=3, color=col)
    figure("fig3_heat_capacity.png", "C / (N k_B)", cv)
    figure("fig4_radii.png", "ΔR = R_max − R_min (Å)",
           lambda ax, c, col, lab: ax.plot(c["T"], c["dR"], "o-", ms=3, color=col, label=lab))

    def diffusion(ax, c, col, lab):
        if "D" not in c:
            return
        pts = [(1000 / t, d * 1e-4) for t, d, e in zip(c["T"], c["D"], c["D_err"])
               if d is not None and e is not None and d > 2 * e]
        if pts:
            x, y = zip(*pts)
            ax.semilogy(x, y, "o-", ms=3, color=col, label=lab)
    figure("fig5_diffusion.png", "D (cm²/s)", diffusion, xlabel="1000 / T (1/K)")
    figure("fig6_inherent.png", "⟨E_IS⟩ per atom (eV)",
           lambda ax, c, col, lab: ax.plot(c["T"], c["E_IS"], "o-", ms=3, color=col, label=lab))
    figure("fig7_force_scale.png", "fraction of time with s ≤ 0",
           lambda ax, c, col, lab: ax.plot(c["T"], c["s_neg"], "o-", ms=3, color=col, label=lab))


if __name__ == "__main__":
    main()
