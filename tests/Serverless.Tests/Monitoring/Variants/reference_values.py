#!/usr/bin/env python3
"""Reference values pinned in the variant statistics' C# tests (tests/Serverless.Tests/Monitoring/Variants).

How the pinned numbers were produced:
    apt-get install -y python3-scipy python3-numpy     # Debian 12: SciPy 1.10.1, NumPy 1.24.2
    /usr/bin/python3 tests/Serverless.Tests/Monitoring/Variants/reference_values.py

Wilson and Newcombe's hybrid score interval are written out from their papers' formulas (SciPy has neither); the
textbook checks are Newcombe (1998), Statistics in Medicine 17: 81/263 -> Wilson 0.2553-0.3662 (single proportion
paper) and 56/70 vs 48/80 -> method 10 0.0524-0.3339 (difference paper). Welch uses the data of Wikipedia's
"Welch's t-test" example 2.
"""
import math

import numpy as np
from scipy import special, stats

Z = stats.norm.ppf(0.975)


def wilson(x, n):
    p = x / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def two_proportions(x1, n1, x2, n2):
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    return d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2), z, 2 * stats.norm.sf(abs(z))


def welch(a, b):
    r = stats.ttest_ind(a, b, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    d = np.mean(a) - np.mean(b)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    return d, d - half, d + half, r.statistic, df, r.pvalue


A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]

for x, n in [(81, 263), (15, 148), (0, 20), (20, 20)]:
    print(f"wilson {x}/{n} =", *map(repr, wilson(x, n)))
for case in [(56, 70, 48, 80), (870, 1000, 820, 1000), (450, 500, 440, 500)]:
    print("two_proportions", case, "=", *map(repr, two_proportions(*case)))
print("welch A1 A2 =", *map(repr, welch(A1, A2)))
print("mean interval A1 =", repr(np.mean(A1)), repr(np.mean(A1) - stats.t.ppf(0.975, 14) * np.std(A1, ddof=1) / math.sqrt(15)),
      repr(np.mean(A1) + stats.t.ppf(0.975, 14) * np.std(A1, ddof=1) / math.sqrt(15)))
for df in [1, 2, 5, 10, 30, 24.9885, 1000]:
    print(f"t.ppf(0.975, {df}) =", repr(stats.t.ppf(0.975, df)))
for t, df in [(2.0, 5), (1.0, 1), (3.5, 12.5), (0.5, 100), (8.0, 3)]:
    print(f"2*t.sf({t}, {df}) =", repr(2 * stats.t.sf(t, df)))
print("betainc(2.5, 3.5, 0.4) =", repr(special.betainc(2.5, 3.5, 0.4)))
print("pearsonr([1,2,3,4,5],[2,4,5,4,5]) =", repr(stats.pearsonr([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]).statistic))
