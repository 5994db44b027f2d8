#!/usr/bin/env python3
"""Reference values pinned in the drift engine's C# tests (tests/Serverless.Tests/Monitoring/Drift).

How the pinned numbers were produced:
    apt-get install -y python3-scipy python3-numpy     # Debian 12: SciPy 1.10.1, NumPy 1.24.2
    /usr/bin/python3 tests/Serverless.Tests/Monitoring/Drift/reference_values.py

It prints every case as `name = value` with 17 significant digits; the C# tests hold those numbers as literals,
so nothing at test time needs Python. The datasets are either written out below or come from the tiny
deterministic generators `lcg` / `normals` that DriftTestData.cs implements identically in C#.

Evidently is not installed here; its formulas (evidently/calculations/stattests/*.py, utils.get_binned_data) are
reproduced in the functions `evidently_*` below, calling the same SciPy / NumPy functions Evidently calls.
"""
import math

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance
from scipy.special import smirnov


# ---------------------------------------------------------------- deterministic data (mirrored in C#)
def lcg(seed, n):
    """Numerical Recipes' 32-bit LCG; uniforms in (0, 1)."""
    state = seed
    out = []
    for _ in range(n):
        state = (1664525 * state + 1013904223) % 2**32
        out.append((state + 0.5) / 2**32)
    return out


def normals(seed, n, mean=0.0, sd=1.0):
    """Box-Muller on pairs of lcg uniforms (cosine branch only)."""
    u = lcg(seed, 2 * n)
    return [mean + sd * math.sqrt(-2.0 * math.log(u[2 * i])) * math.cos(2.0 * math.pi * u[2 * i + 1]) for i in range(n)]


def integers(seed, n, low, high):
    """floor(u * (high - low + 1)) + low."""
    return [float(math.floor(u * (high - low + 1)) + low) for u in lcg(seed, n)]


# ---------------------------------------------------------------- Evidently's tests, restated
def evidently_chisquare(ref_counts, cur_counts):
    keys = sorted(set(k for k, v in ref_counts.items() if v > 0) | set(k for k, v in cur_counts.items() if v > 0))
    n_ref = sum(ref_counts.values())
    n_cur = sum(cur_counts.values())
    k_norm = n_cur / n_ref
    f_exp = [ref_counts.get(k, 0) * k_norm for k in keys]
    f_obs = [cur_counts.get(k, 0) for k in keys]
    return stats.chisquare(f_obs, f_exp)


def evidently_z(ref_counts, cur_counts):
    keys = sorted(set(ref_counts) | set(cur_counts))
    first = keys[0]
    n1 = sum(ref_counts.values())
    n2 = sum(cur_counts.values())
    p1 = float(n1 - ref_counts.get(first, 0)) / n1
    p2 = float(n2 - cur_counts.get(first, 0)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return z, 2 * (1 - stats.norm.cdf(np.abs(z)))


def evidently_wasserstein(ref, cur):
    return stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)


def counts_of(values):
    out = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def binned(ref, cur, numeric, feel_zeroes):
    """evidently.calculations.stattests.utils.get_binned_data (ref/cur: value lists, or count dicts when categorical)."""
    if numeric and len(set(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
    else:
        rc = counts_of(ref) if numeric else ref
        cc = counts_of(cur) if numeric else cur
        keys = sorted(set(k for k, v in rc.items() if v > 0) | set(k for k, v in cc.items() if v > 0))
        nr, nc = sum(rc.values()), sum(cc.values())
        rp = np.array([rc.get(k, 0) / nr for k in keys])
        cp = np.array([cc.get(k, 0) / nc for k in keys])
    if feel_zeroes:
        for arr in (rp, cp):
            m = min(arr[arr != 0])
            np.place(arr, arr == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return rp, cp


def evidently_psi(ref, cur, numeric):
    rp, cp = binned(ref, cur, numeric, True)
    return float(np.sum((rp - cp) * np.log(rp / cp)))


def jensenshannon(ref, cur, numeric, base=None):
    rp, cp = binned(ref, cur, numeric, False)
    return float(distance.jensenshannon(rp, cp, base))


def cramers_v(ref_counts, cur_counts):
    keys = sorted(set(ref_counts) | set(cur_counts))
    table = np.array([[ref_counts.get(k, 0) for k in keys], [cur_counts.get(k, 0) for k in keys]])
    chi2 = stats.chi2_contingency(table, correction=False)[0]
    return math.sqrt(chi2 / table.sum())


def show(name, value):
    print(f"{name} = {float(value)!r}")


# ---------------------------------------------------------------- datasets (C# DriftTestData mirrors these)
KS5 = [0.61, 0.29, 0.06, 0.59, -1.73]
KS7 = [-0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06]
TIES20 = integers(11, 20, 0, 6)
TIES25 = integers(12, 25, 2, 8)

print(f"# SciPy {scipy.__version__}, NumPy {np.__version__}")

# KS exact, small samples
for name, a, b in [
    ("ks_5_7", KS5, KS7),
    ("ks_ties_20_25", TIES20, TIES25),
    ("ks_equal_30_30", normals(21, 30), normals(22, 30, 0.5)),
    ("ks_100_80", normals(31, 100), normals(32, 80, 0.3)),
    ("ks_1000_800", normals(41, 1000), normals(42, 800, 0.1)),
    ("ks_exact_10000_9000", normals(45, 10000), normals(46, 9000, 0.03)),
]:
    r = stats.ks_2samp(a, b)
    show(name + ".statistic", r.statistic)
    show(name + ".pvalue", r.pvalue)

# KS asymptotic (max(n1, n2) > 10000)
for name, a, b in [
    ("ks_asymp_12000_11000", normals(51, 12000), normals(52, 11000, 0.02)),
    ("ks_asymp_1000_15000", normals(53, 1000), normals(54, 15000, 0.05)),
    ("ks_asymp_100_20000", normals(55, 100), normals(56, 20000, 0.2)),
]:
    r = stats.ks_2samp(a, b)
    show(name + ".statistic", r.statistic)
    show(name + ".pvalue", r.pvalue)

# kstwo.sf on a grid, every branch of _kolmogn (and smirnov through it)
for n in [5, 50, 100, 140, 141, 500, 1000, 5000, 200000]:
    for x in [0.8 / n, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6]:
        show(f"kstwo_sf[{n},{x!r}]", stats.kstwo.sf(x, n))
for n, x in [(1000, 0.01), (1000, 0.03), (5000, 0.004), (300, 0.03), (20, 0.12), (20, 0.3)]:
    show(f"kstwo_sf[{n},{x!r}]", stats.kstwo.sf(x, n))
for n, x in [(10, 0.3), (200, 0.1), (1000, 0.05), (1000, 0.2), (5000, 0.02)]:
    show(f"smirnov[{n},{x!r}]", smirnov(n, x))

# Chi-square (Evidently)
CHI_REF = {"a": 50, "b": 30, "c": 20}
CHI_CUR = {"a": 40, "b": 45, "c": 15}
r = evidently_chisquare(CHI_REF, CHI_CUR)
show("chi.statistic", r.statistic)
show("chi.pvalue", r.pvalue)
show("chi.cramers_v", cramers_v(CHI_REF, CHI_CUR))
NUM_FEW_REF = integers(61, 300, 1, 4)
NUM_FEW_CUR = integers(62, 200, 1, 4)
r = evidently_chisquare(counts_of(NUM_FEW_REF), counts_of(NUM_FEW_CUR))
show("chi_numeric.statistic", r.statistic)
show("chi_numeric.pvalue", r.pvalue)
r = evidently_chisquare({"a": 50, "b": 50}, {"a": 40, "b": 50, "new": 10})
show("chi_new_category.statistic", r.statistic)  # f_exp = 0 for "new": +inf, p = 0
show("chi_new_category.pvalue", r.pvalue)

# Z-test (Evidently)
Z_REF = {"no": 40, "yes": 60}
Z_CUR = {"no": 55, "yes": 45}
z, p = evidently_z(Z_REF, Z_CUR)
show("z.statistic", z)
show("z.pvalue", p)
p1, p2 = 60 / 100, 45 / 100
show("z.cohens_h", abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))))

# Wasserstein normalised (Evidently)
W_REF = normals(71, 2000, 10.0, 2.0)
W_CUR = normals(72, 1500, 10.4, 2.0)
show("wasserstein.distance", stats.wasserstein_distance(W_REF, W_CUR))
show("wasserstein.normed", evidently_wasserstein(W_REF, W_CUR))
show("wasserstein.ref_std", np.std(W_REF))

# Jensen-Shannon (SciPy's jensenshannon over Evidently's get_binned_data without zero filling)
JS_REF = {"red": 500, "green": 300, "blue": 200, "grey": 10}
JS_CUR = {"red": 300, "green": 300, "blue": 350, "pink": 50}
show("js.categorical.base_e", jensenshannon(JS_REF, JS_CUR, False))
show("js.categorical.base_2", jensenshannon(JS_REF, JS_CUR, False, 2))
show("js.numeric_sturges", jensenshannon(W_REF, W_CUR, True))
show("js.numeric_few_values", jensenshannon(NUM_FEW_REF, NUM_FEW_CUR, True))
edges = np.histogram_bin_edges(np.concatenate([W_REF, W_CUR]), bins="sturges")
show("sturges.bins", len(edges) - 1)
show("sturges.edge1", edges[1])

# PSI (Evidently)
show("psi.numeric", evidently_psi(W_REF, W_CUR, True))
show("psi.categorical", evidently_psi(JS_REF, JS_CUR, False))

# Benjamini-Hochberg
from itertools import accumulate  # noqa: E402
P = [0.01, 0.04, 0.03, 0.2, 0.049]
order = np.argsort(P)
m = len(P)
adj = np.empty(m)
running = 1.0
for rank in range(m, 0, -1):
    i = order[rank - 1]
    running = min(running, min(1.0, P[i] * m / rank))
    adj[i] = running
for i, a in enumerate(adj):
    show(f"bh[{i}]", a)

# The CLI test's CSV files (DriftCliTests): 40 reference and 35 current rows, numeric "x" and categorical "colour"
CLI_X_REF = normals(81, 40)
CLI_X_CUR = normals(82, 35, 0.8)
CLI_COLOUR_REF = {"red": 20, "green": 12, "blue": 8}
CLI_COLOUR_CUR = {"red": 10, "green": 10, "blue": 15}
r = stats.ks_2samp(CLI_X_REF, CLI_X_CUR)
show("cli.x.statistic", r.statistic)
show("cli.x.pvalue", r.pvalue)
c = evidently_chisquare(CLI_COLOUR_REF, CLI_COLOUR_CUR)
show("cli.colour.statistic", c.statistic)
show("cli.colour.pvalue", c.pvalue)
ps = [r.pvalue, c.pvalue]
adj = [min(1.0, p * 2 / rank) for p, rank in zip(sorted(ps), (1, 2))]
adj[0] = min(adj)
show("cli.bh_smaller", adj[0])
show("cli.bh_larger", adj[1])
