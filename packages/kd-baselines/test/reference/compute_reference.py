#!/usr/bin/env python3
"""Independent reference values for @cmcrd/kd-baselines' loss tests.

Written independently of the TypeScript plugins: every loss below is taken from
/work/shared/DESIGN.md §3 (the baselines table) and from the papers' definitions, written the
plain textbook way (explicit loops over samples, neurons, pairs and triplets where the TS code
uses matrix products):

- KD      Hinton, Vinyals & Dean 2015, "Distilling the knowledge in a neural network":
          T^2 * KL(softmax(z_t/T) || softmax(z_s/T)), summed over classes, averaged over samples.
- FitNet  Romero et al. 2015, "FitNets: hints for thin deep nets": mean squared error between the
          regressed student hint (a linear map W, b given here as fixed inputs) and the teacher hint.
- NST     Huang & Wang 2017, "Like what you like: knowledge distill via neuron selectivity
          transfer": squared MMD with the polynomial kernel k(a, b) = (a.b)^2 between the sets of
          l2-normalised neuron vectors; for 2-D [n, d] features a neuron's vector is its column
          (activations over the batch), as DESIGN.md §3 reads it. Summed over tap pairs aligned
          from the deepest tap.
- SP      Tung & Mori 2019, "Similarity-preserving knowledge distillation": G = F F^T with rows
          l2-normalised, ||G_t - G_s||_F^2 / n^2, on the second-to-last tap.
- RKD     Park et al. 2019, "Relational knowledge distillation": distance potential (pairwise
          Euclidean distances divided by their mean over the off-diagonal pairs) and angle
          potential (for every triplet with anchor j: cos between x_i - x_j and x_k - x_j), each
          compared with the Huber / smooth-L1 loss (beta 1, mean reduction over all matrix
          entries, as torch's F.smooth_l1_loss); weights 25 and 50; on the last tap.
- PKT     Passalis & Tefas 2018, "Learning deep representations with probabilistic knowledge
          transfer": cosine similarities of the l2-normalised features (x / (||x|| + eps)),
          mapped to (S + 1)/2, rows normalised to sum 1, then mean over all entries of
          P_t * log((P_t + eps)/(P_s + eps)); on the last tap.

CRD is not here: its memory banks are drawn inside @cmcrd/core from the run's seeded generator and
its normalisation constant is fixed from the first batch against them, so its test recomputes the
value in float64 from the plugin's own initial banks instead.

Inputs (n = 5 samples, c = 3 classes; student taps of 4 and 6 values, teacher taps of 3, 5 and 4
values so that the tap alignment is exercised) are drawn from a fixed numpy seed and rounded to 4
decimals; column 2 of the student's first tap is set to zero (a neuron dead over the whole batch,
as after a ReLU). All arithmetic is float64. Run:

    python3 packages/kd-baselines/test/reference/compute_reference.py

It rewrites reference.json next to this file.
"""

import json
import os

import numpy as np

SEED = 20240917
rng = np.random.default_rng(SEED)

N = 5
C = 3
STUDENT_DIMS = [4, 6]
TEACHER_DIMS = [3, 5, 4]


def r4(x):
    return np.round(np.asarray(x, dtype=np.float64), 4)


student_logits = r4(rng.normal(size=(N, C)) * 2.0)
teacher_logits = r4(rng.normal(size=(N, C)) * 2.5)
student_features = [r4(rng.normal(size=(N, d))) for d in STUDENT_DIMS]
teacher_features = [r4(rng.normal(size=(N, d))) for d in TEACHER_DIMS]
student_features[0][:, 2] = 0.0
# FitNet's regressor: student's last tap (6) -> teacher's last tap (4), y = x W + b.
fitnet_w = r4(rng.normal(size=(STUDENT_DIMS[-1], TEACHER_DIMS[-1])) * 0.5)
fitnet_b = r4(rng.normal(size=(TEACHER_DIMS[-1],)) * 0.1)


# ---------------------------------------------------------------------------------------------
# KD
# ---------------------------------------------------------------------------------------------

def softmax_row(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def kd(zs, zt, T):
    total = 0.0
    for i in range(zs.shape[0]):
        p = softmax_row(zt[i] / T)
        q = softmax_row(zs[i] / T)
        total += sum(p[j] * np.log(p[j] / q[j]) for j in range(len(p)))
    return T * T * total / zs.shape[0]


# ---------------------------------------------------------------------------------------------
# FitNet
# ---------------------------------------------------------------------------------------------

def fitnet(fs, ft, w, b):
    mapped = fs @ w + b
    return float(np.mean((mapped - ft) ** 2))


# ---------------------------------------------------------------------------------------------
# NST
# ---------------------------------------------------------------------------------------------

def neuron_vectors(f):
    """Each column (a neuron's activations over the batch), l2-normalised; a zero column stays 0."""
    out = []
    for j in range(f.shape[1]):
        v = f[:, j]
        norm = np.sqrt(np.sum(v * v))
        out.append(v / max(norm, 1e-12))
    return out


def mean_poly_kernel(a_set, b_set):
    total = 0.0
    for a in a_set:
        for b in b_set:
            total += float(np.dot(a, b)) ** 2
    return total / (len(a_set) * len(b_set))


def nst_single(fs, ft):
    s = neuron_vectors(fs)
    t = neuron_vectors(ft)
    return mean_poly_kernel(t, t) + mean_poly_kernel(s, s) - 2.0 * mean_poly_kernel(s, t)


def nst(fs_list, ft_list):
    m = min(len(fs_list), len(ft_list))
    pairs = list(zip(fs_list[len(fs_list) - m:], ft_list[len(ft_list) - m:]))
    terms = [nst_single(a, b) for a, b in pairs]
    return sum(terms), terms


# ---------------------------------------------------------------------------------------------
# SP
# ---------------------------------------------------------------------------------------------

def sp(fs, ft):
    n = fs.shape[0]

    def gram(f):
        g = np.array([[float(np.dot(f[i], f[j])) for j in range(n)] for i in range(n)])
        return np.array([row / np.sqrt(np.sum(row * row)) for row in g])

    d = gram(ft) - gram(fs)
    return float(np.sum(d * d)) / (n * n)


# ---------------------------------------------------------------------------------------------
# RKD
# ---------------------------------------------------------------------------------------------

def smooth_l1_mean(a, b):
    x = np.abs(np.asarray(a) - np.asarray(b)).ravel()
    return float(np.mean(np.where(x < 1.0, 0.5 * x * x, x - 0.5)))


def rkd_distance_potential(f):
    n = f.shape[0]
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                d[i, j] = np.sqrt(np.sum((f[i] - f[j]) ** 2))
    mean_off_diagonal = d.sum() / (n * (n - 1))
    return d / mean_off_diagonal


def unit(v):
    norm = np.sqrt(np.sum(v * v))
    return v / max(norm, 1e-12)


def rkd_angle_potential(f):
    n = f.shape[0]
    a = np.zeros((n, n, n))
    for j in range(n):  # anchor
        for i in range(n):
            for k in range(n):
                # degenerate triplets (i == j or k == j) have a zero vector: cos 0 on both sides
                a[j, i, k] = float(np.dot(unit(f[i] - f[j]), unit(f[k] - f[j])))
    return a


def rkd(fs, ft):
    dist = smooth_l1_mean(rkd_distance_potential(fs), rkd_distance_potential(ft))
    angle = smooth_l1_mean(rkd_angle_potential(fs), rkd_angle_potential(ft))
    return dist, angle


# ---------------------------------------------------------------------------------------------
# PKT
# ---------------------------------------------------------------------------------------------

def pkt(fs, ft, eps):
    def probabilities(f):
        n = f.shape[0]
        u = [row / (np.sqrt(np.sum(row * row)) + eps) for row in f]
        s = np.array([[float(np.dot(u[i], u[j])) for j in range(n)] for i in range(n)])
        s = (s + 1.0) / 2.0
        return s / s.sum(axis=1, keepdims=True)

    ps = probabilities(fs)
    pt = probabilities(ft)
    return float(np.mean(pt * np.log((pt + eps) / (ps + eps))))


# ---------------------------------------------------------------------------------------------

PKT_EPS = 1e-7
nst_total, nst_terms = nst(student_features, teacher_features)
rkd_distance, rkd_angle = rkd(student_features[-1], teacher_features[-1])

reference = {
    "about": "written by compute_reference.py (numpy, float64); unweighted losses, see its docstring",
    "inputs": {
        "n": N,
        "numClasses": C,
        "studentDims": STUDENT_DIMS,
        "teacherDims": TEACHER_DIMS,
        "student": {"logits": student_logits.tolist(), "features": [f.tolist() for f in student_features]},
        "teacher": {"logits": teacher_logits.tolist(), "features": [f.tolist() for f in teacher_features]},
        "fitnet": {"w": fitnet_w.tolist(), "b": fitnet_b.tolist()},
    },
    "expected": {
        "kd": {"T4": kd(student_logits, teacher_logits, 4.0), "T1": kd(student_logits, teacher_logits, 1.0)},
        "fitnet": fitnet(student_features[-1], teacher_features[-1], fitnet_w, fitnet_b),
        "nst": {"total": nst_total, "perPair": nst_terms},
        "sp": sp(student_features[-2], teacher_features[-2]),
        "rkd": {"distance": rkd_distance, "angle": rkd_angle},
        "pkt": {"eps": PKT_EPS, "value": pkt(student_features[-1], teacher_features[-1], PKT_EPS)},
    },
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
with open(out, "w") as fh:
    json.dump(reference, fh, indent=1)
    fh.write("\n")
print(f"wrote {out}")
for k, v in reference["expected"].items():
    print(f"  {k}: {v}")
