"""Reference values for packages/reports/src/stats.ts.

Writes stats.json beside this file: paired t-test vectors computed with
scipy.stats.ttest_rel (two-sided, and one-sided with alternative='greater' and
'less'), the effect size of each pair (mean difference, its two-sided 95%
confidence interval as TtestResult.confidence_interval(0.95) computes it, with
an exact t quantile (see t_quantile), and scipy's own interval beside it, Cohen's d_z as
mean(d) / std(d, ddof=1)), Wilcoxon signed-rank vectors computed with
scipy.stats.wilcoxon (its defaults, each alternative) and Benjamini-Hochberg
vectors computed with statsmodels.stats.multitest.multipletests(method='fdr_bh').

Run with Debian's interpreter, which has scipy 1.10 and statsmodels 0.13 (the
`python3` on PATH may be another interpreter without them):

    /usr/bin/python3 packages/reports/test/reference/compute_stats.py

This script is independent of the TypeScript code: it never imports or runs
it, so stats.test.ts compares our implementation with the Python libraries,
not with itself. The output is deterministic (fixed seed) and committed.

Inputs are rounded to a few decimals before the libraries see them, so the
decimal JSON parses in JavaScript to exactly the doubles scipy used. Outputs are
written with Python's shortest round-trip repr. Non-finite numbers are written
as the strings "NaN", "Infinity" and "-Infinity".
"""

import json
import math
import pathlib
import warnings

import mpmath
import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import fdrcorrection, multipletests

OUT = pathlib.Path(__file__).with_name("stats.json")
rng = np.random.default_rng(20240607)


def enc(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def accuracies(n, mean=0.8, sd=0.05, decimals=4):
    """Accuracy-like scores of n folds, rounded so JSON carries them exactly."""
    return np.round(np.clip(rng.normal(mean, sd, n), 0, 1), decimals)


def pair(n, shift, noise, decimals=4, mean=0.8, sd=0.05):
    a = accuracies(n, mean, sd, decimals)
    b = np.round(a - shift + rng.normal(0, noise, n), decimals)
    return a, b


ttest_cases = []


def ttest_case(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with warnings.catch_warnings():
        # scipy warns on zero variance / empty input; the numbers are the point.
        warnings.simplefilter("ignore")
        res = stats.ttest_rel(a, b)
        mean_diff = np.mean(a - b) if len(a) else np.nan
    ttest_cases.append(
        {
            "name": name,
            "a": [enc(v) for v in a],
            "b": [enc(v) for v in b],
            "statistic": enc(res.statistic),
            "pValue": enc(res.pvalue),
            "df": enc(res.df),
            "meanDifference": enc(mean_diff),
        }
    )


# Random vectors at the fold counts we meet (2, 3, 5, 15, 16) and a larger n.
for n in (2, 3, 5, 15, 16, 50):
    ttest_case(f"random n={n}", *pair(n, 0.01, 0.02))
ttest_case("random n=2, second", *pair(2, -0.02, 0.03))
ttest_case("random n=3, large values", *pair(3, 5.0, 20.0, 2, mean=1200, sd=100))
ttest_case("random n=16, negative shift", *pair(16, -0.015, 0.01))
ttest_case("random n=15, no shift", *pair(15, 0.0, 0.02, 3))
ttest_case("random n=5, tiny magnitudes", *pair(5, 2e-6, 3e-6, 8, mean=1e-5, sd=2e-6))

# Ties: few distinct values, several equal differences, some zero differences.
a = np.round(rng.choice([0.78, 0.8, 0.82], 16), 2)
ttest_case("ties n=16", a, np.round(a - rng.choice([0.0, 0.01, 0.02], 16), 2))
a = np.round(rng.choice([0.7, 0.75], 15), 2)
ttest_case("ties with zero differences n=15", a, np.round(a - rng.choice([0.0, 0.0, 0.05], 15), 2))

# Zero variance. Differences are dyadic so every sum is exact and scipy's
# variance is exactly 0 (with 0.1 it is rounding noise and t is ~1e16).
a = accuracies(5)
ttest_case("all differences zero n=5", a, a)
a = accuracies(16)
ttest_case("all differences zero n=16", a, a)
ttest_case("constant positive difference n=5", [2.5, 3.0, 1.0, 4.0, 2.0], [2.0, 2.5, 0.5, 3.5, 1.5])
ttest_case("constant negative difference n=3", [1.0, 2.0, 3.0], [3.0, 4.0, 5.0])
ttest_case("constant positive difference n=16", [i * 0.25 + 1 for i in range(16)], [i * 0.25 for i in range(16)])

# Symmetric differences: mean exactly 0, t = 0, p = 1.
ttest_case("mean difference exactly zero n=5", [1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 3.0, 3.0, 6.0])

# Very small p-values.
ttest_case("very small p n=50", *pair(50, 0.05, 0.005, 3))
ttest_case("very small p n=16", *pair(16, 0.1, 0.002))

# NaN / infinity propagate; degenerate sizes.
a, b = pair(5, 0.01, 0.02)
a[2] = np.nan
ttest_case("NaN in a at index 2 n=5", a, b)
a, b = pair(16, 0.01, 0.02)
b[15] = np.nan
ttest_case("NaN in b at index 15 n=16", a, b)
a, b = pair(3, 0.01, 0.02)
a[1] = np.inf
ttest_case("Infinity in a at index 1 n=3", a, b)
ttest_case("n=1", [0.8], [0.7])
ttest_case("n=0", [], [])

bh_cases = []


def bh_case(name, p):
    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        # multipletests raises ZeroDivisionError on an empty family (it
        # computes a Sidak alpha); its fdr_bh adjustment, fdrcorrection, gives [].
        adjusted = fdrcorrection(p)[1]
    else:
        adjusted = multipletests(p, method="fdr_bh")[1]
    bh_cases.append({"name": name, "p": [enc(v) for v in p], "adjusted": [enc(v) for v in adjusted]})


def pvals(n, decimals=6):
    return np.round(rng.uniform(0, 1, n), decimals)


bh_case("empty family", [])
bh_case("family of one", [0.03])
bh_case("family of one, p=1", [1.0])
bh_case("family of one, p=0", [0.0])
bh_case("family of two", [0.04, 0.01])
bh_case("sorted n=5", np.sort(pvals(5)))
bh_case("reverse sorted n=5", np.sort(pvals(5))[::-1])
bh_case("unsorted n=10", pvals(10))
bh_case("unsorted n=16", pvals(16))
bh_case("unsorted n=30", pvals(30, 4))
bh_case("duplicates", [0.01, 0.02, 0.01, 0.5, 0.02, 0.04])
bh_case("all equal", [0.05, 0.05, 0.05, 0.05])
bh_case("all ones", [1.0, 1.0, 1.0])
bh_case("ones and small", [1.0, 0.001, 1.0, 0.2, 1.0])
bh_case("very small p", [1e-300, 3e-50, 2e-12, 0.04, 1e-307])
bh_case("contains zero", [0.0, 0.3, 0.01, 0.0])
bh_case("capped at one", [0.9, 0.95, 0.99, 0.97])
bh_case("small p skewed n=20", np.round(rng.beta(0.3, 4, 20), 8))
bh_case("cumulative minimum matters", [0.01, 0.04, 0.035, 0.036, 0.5, 0.038])
bh_case("three decimals with ties", np.round(rng.choice([0.001, 0.01, 0.049, 0.05, 0.2], 12), 3))
bh_case("NaN in family", [0.01, float("nan"), 0.04])
finite_t_p = [c["pValue"] for c in ttest_cases if isinstance(c["pValue"], float)]
bh_case("p-values of the t-test vectors", finite_t_p)

mpmath.mp.dps = 40


def t_quantile(p, df):
    """Student's t quantile to 40 digits (mpmath: the root of the regularised incomplete beta).
    scipy 1.10's t.ppf is off by up to 4e-11 relative (df = 2: 4.302652729911275 against the closed
    form 0.95 / sqrt(0.04875) = 4.30265272974946...), which a confidence interval near zero would
    magnify past 1e-10; the reference interval takes this quantile and scipy's formula."""
    f = lambda x: mpmath.betainc(df / 2.0, 0.5, 0, df / (df + x * x), regularized=True) / 2 - (1 - p)
    return float(mpmath.findroot(f, stats.t.ppf(p, df)))


# One-sided t-tests and the effect sizes, on every t-test vector.
alternative_cases = []
effect_cases = []
for c in ttest_cases:
    a = np.array([np.nan if v == "NaN" else np.inf if v == "Infinity" else v for v in c["a"]], dtype=float)
    b = np.array([np.nan if v == "NaN" else np.inf if v == "Infinity" else v for v in c["b"]], dtype=float)
    out = {"name": c["name"], "a": c["a"], "b": c["b"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alt in ("greater", "less"):
            res = stats.ttest_rel(a, b, alternative=alt)
            out[alt] = enc(res.pvalue)
        alternative_cases.append(out)
        if len(a) >= 2 and np.all(np.isfinite(a - b)):
            d = a - b
            ci = stats.ttest_rel(a, b).confidence_interval(0.95)
            se = np.std(d, ddof=1) / np.sqrt(len(d))
            half = t_quantile(0.975, len(d) - 1) * se
            effect_cases.append(
                {
                    "name": c["name"],
                    "a": c["a"],
                    "b": c["b"],
                    "meanDifference": enc(np.mean(d)),
                    "ciLow": enc(np.mean(d) - half if se > 0 else ci.low),
                    "ciHigh": enc(np.mean(d) + half if se > 0 else ci.high),
                    "scipyCiLow": enc(ci.low),
                    "scipyCiHigh": enc(ci.high),
                    "dz": enc(np.mean(d) / np.std(d, ddof=1)),
                }
            )

wilcoxon_cases = []


def wilcoxon_case(name, a, b):
    """scipy.stats.wilcoxon with its defaults, except method='approx' when non-zero |a - b| are
    tied: scipy 1.10's exact branch would truncate the tied (mid-)rank sum to an integer (scipy
    1.13 and later switch to the approximation there, as stats.ts does)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    nonzero = np.abs(a - b)[a - b != 0]
    method = "approx" if len(set(nonzero)) != len(nonzero) else "auto"
    out = {"name": name, "a": [enc(v) for v in a], "b": [enc(v) for v in b], "method": method}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alt in ("two-sided", "greater", "less"):
            res = stats.wilcoxon(a, b, alternative=alt, method=method)
            out[alt] = {"statistic": enc(res.statistic), "pValue": enc(res.pvalue)}
    wilcoxon_cases.append(out)


for n in (2, 3, 4, 5, 8, 15, 16, 25, 50):
    wilcoxon_case(f"random n={n}", *pair(n, 0.01, 0.02))
wilcoxon_case("random n=51 (normal approximation)", *pair(51, 0.005, 0.02))
wilcoxon_case("random n=80 (normal approximation)", *pair(80, 0.0, 0.02))
wilcoxon_case("all positive n=6", *pair(6, 0.2, 0.001))
wilcoxon_case("all negative n=15", *pair(15, -0.2, 0.001))
wilcoxon_case("centre of the distribution n=5", [1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 0.0, 3.5, 7.0, 0.0])
a = np.round(rng.choice([0.7, 0.75, 0.8], 15), 2)
wilcoxon_case("zero differences n=15", a, np.round(a - rng.choice([0.0, 0.0, 0.05, -0.02], 15), 2))
wilcoxon_case("one zero n=5", [0.5, 0.6, 0.7, 0.8, 0.9], [0.5, 0.55, 0.75, 0.6, 0.8])
wilcoxon_case("ties without zeros n=8", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [0.5, 1.5, 3.5, 3.0, 4.0, 6.5, 5.0, 7.5])

OUT.write_text(
    json.dumps(
        {
            "generator": "compute_stats.py",
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "numpy": np.__version__,
            "ttest": ttest_cases,
            "bh": bh_cases,
            "ttestAlternative": alternative_cases,
            "effect": effect_cases,
            "wilcoxon": wilcoxon_cases,
        },
        separators=(",", ":"),
    )
    + "\n"
)
print(
    f"wrote {OUT}: {len(ttest_cases)} t-test vectors (with one-sided p-values), {len(effect_cases)} effect-size"
    f" vectors, {len(wilcoxon_cases)} Wilcoxon vectors, {len(bh_cases)} BH vectors"
)
