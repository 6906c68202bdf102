#!/usr/bin/env python3
"""Independent reference values for @cmcrd/core's correctness tests.

Written independently of the TypeScript implementation: every formula below is taken straight
from /work/shared/DESIGN.md §2 (MCC, information-entropy weights, CRD's NCE side loss with
CMCRD's IEW weights and US signs, the US masks) and, for the optimizers, from the update rules
documented for torch.optim.AdamW and torch.optim.SGD. numpy only, float64 throughout.

The NCE loss is written the textbook way: for each sample the K+1 bank rows of its index set
idx = [positive, K negatives] are gathered explicitly, scored, and summed term by term (the TS code
instead scores the whole bank with one matrix product and reads the drawn entries back).

Inputs are drawn from a fixed numpy seed and rounded to 4 decimals, so that they can be pasted and
read back as they are (float32's rounding of them is far below the tests' tolerances). Run:

    python3 packages/core/test/reference/compute_reference.py

It rewrites reference.json next to this file.
"""

import json
import os

import numpy as np

SEED = 20240601
rng = np.random.default_rng(SEED)


def r4(x):
    return np.round(np.asarray(x, dtype=np.float64), 4)


# ---------------------------------------------------------------------------------------------
# MCC and entropy weights (DESIGN.md §2, "Teacher" and item 4)
# ---------------------------------------------------------------------------------------------

def softmax(z, T):
    a = z / T
    a = a - a.max(axis=1, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=1, keepdims=True)


def entropy_weights(z, T):
    """w_i = n (1 + e^{-H_i}) / sum_k (1 + e^{-H_k}), H_i = -sum_j p_ij log(p_ij + 1e-5)."""
    p = softmax(z, T)
    H = -(p * np.log(p + 1e-5)).sum(axis=1)
    raw = 1.0 + np.exp(-H)
    return len(z) * raw / raw.sum()


def mcc(z, T=2.5, w=None):
    p = softmax(z, T)
    n, c = p.shape
    w = entropy_weights(z, T) if w is None else w
    C = p.T @ np.diag(w) @ p  # c x c
    rowsum = C.sum(axis=1)  # rowsum[j] = sum_k C[j, k]
    Cn = np.empty_like(C)
    for i in range(c):
        for j in range(c):
            Cn[i, j] = C[i, j] / rowsum[j]  # torch's C / C.sum(dim=1): column j by row-sum j
    return (Cn.sum() - np.trace(Cn)) / c


def mcc_grad_detached(z, T=2.5, h=1e-6):
    """dL_mcc/dz with the entropy weights held constant (the reference detaches them), by central
    finite differences in float64."""
    w = entropy_weights(z, T)
    g = np.zeros_like(z)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            zp = z.copy()
            zm = z.copy()
            zp[i, j] += h
            zm[i, j] -= h
            g[i, j] = (mcc(zp, T, w) - mcc(zm, T, w)) / (2 * h)
    return g


# ---------------------------------------------------------------------------------------------
# NCE side loss (DESIGN.md §2, items 2-4 and the NCE formula)
# ---------------------------------------------------------------------------------------------

EPS = 1e-7


def gathered_scores(bank, e, pos, neg, tau):
    """S[i, k] = <bank[idx_ik], e_i> / tau with idx_i = [pos_i, neg_i1..neg_iK]; returns S and idx."""
    n = e.shape[0]
    idx = np.concatenate([pos[:, None], neg], axis=1)  # n x (K+1)
    S = np.empty(idx.shape)
    for i in range(n):
        for k in range(idx.shape[1]):
            S[i, k] = np.dot(bank[idx[i, k]], e[i]) / tau
    return S, idx


def estimate_z(bank, e, pos, neg, tau):
    """Z = N * mean over all n(K+1) drawn entries of exp(<bank_j, e_i>/tau) (unweighted)."""
    S, _ = gathered_scores(bank, e, pos, neg, tau)
    return bank.shape[0] * np.exp(S).mean()


def nce_loss(bank, e, pos, neg, tau, Z, w=None, s=None):
    n = e.shape[0]
    N = bank.shape[0]
    K = neg.shape[1]
    w = np.ones(n) if w is None else w
    s = np.ones(n) if s is None else s
    S, _ = gathered_scores(bank, e, pos, neg, tau)
    P = w[:, None] * np.exp(S) / Z
    kpn = K / N
    total = 0.0
    for i in range(n):
        row = np.log(P[i, 0] / (P[i, 0] + kpn + EPS))
        for k in range(1, K + 1):
            row += np.log(kpn / (P[i, k] + kpn + EPS))
        total += s[i] * row
    return -total / n


def nce_grad_analytic(bank, e, pos, neg, tau, Z, w=None, s=None):
    """dL/de with Z held constant (it is a number fixed at the first batch)."""
    n, d = e.shape
    N = bank.shape[0]
    K = neg.shape[1]
    w = np.ones(n) if w is None else w
    s = np.ones(n) if s is None else s
    S, idx = gathered_scores(bank, e, pos, neg, tau)
    P = w[:, None] * np.exp(S) / Z
    c = K / N + EPS
    g = np.zeros((n, d))
    for i in range(n):
        # d/dS of log(P/(P+c)) is c/(P+c); of log(kpn/(P+c)) is -P/(P+c); dS/de_i = bank_j / tau
        g[i] += (c / (P[i, 0] + c)) * bank[idx[i, 0]] / tau
        for k in range(1, K + 1):
            g[i] -= (P[i, k] / (P[i, k] + c)) * bank[idx[i, k]] / tau
        g[i] *= -s[i] / n
    return g


def nce_grad_fd(bank, e, pos, neg, tau, Z, w=None, s=None, h=1e-6):
    g = np.zeros_like(e)
    for i in range(e.shape[0]):
        for j in range(e.shape[1]):
            ep = e.copy()
            em = e.copy()
            ep[i, j] += h
            em[i, j] -= h
            g[i, j] = (nce_loss(bank, ep, pos, neg, tau, Z, w, s) - nce_loss(bank, em, pos, neg, tau, Z, w, s)) / (2 * h)
    return g


# ---------------------------------------------------------------------------------------------
# Unimodal supervision masks (DESIGN.md §2 item 3)
# ---------------------------------------------------------------------------------------------

def us_masks(zs, zt, y):
    s_right = zs.argmax(axis=1) == y
    t_right = zt.argmax(axis=1) == y
    signs = np.where(t_right, 1.0, -1.0)
    keep_s = np.where(s_right & ~t_right, 0.0, 1.0)
    keep_t = np.where(t_right & ~s_right, 0.0, 1.0)
    if not (s_right | t_right).any():
        keep_s[:] = 0.0
        keep_t[:] = 0.0
    return signs, keep_s, keep_t


# ---------------------------------------------------------------------------------------------
# Optimizers (torch.optim.AdamW / torch.optim.SGD documented update rules) on a tiny quadratic
# f(w) = 0.5 * sum_i a_i (w_i - b_i)^2, grad = a * (w - b)
# ---------------------------------------------------------------------------------------------

def adamw_steps(w0, a, b, lrs, wd, beta1=0.9, beta2=0.999, eps=1e-8):
    w = w0.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t, lr in enumerate(lrs, start=1):
        g = a * (w - b)
        w = w * (1 - lr * wd)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mhat = m / (1 - beta1 ** t)
        vhat = v / (1 - beta2 ** t)
        w = w - lr * mhat / (np.sqrt(vhat) + eps)
        out.append(w.copy())
    return out


def sgd_steps(w0, a, b, lrs, momentum, wd):
    w = w0.copy()
    buf = None
    out = []
    for lr in lrs:
        d_p = a * (w - b) + wd * w
        buf = d_p.copy() if buf is None else momentum * buf + d_p
        w = w - lr * buf
        out.append(w.copy())
    return out


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


mcc_logits_a = r4(rng.normal(0, 2.0, size=(6, 4)))
mcc_logits_b = r4(rng.normal(0, 1.5, size=(5, 3)))

N, d, n, K, tau = 10, 4, 5, 3, 0.07
bank_labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
bank = r4(unit_rows(rng.normal(size=(N, d))))
emb = r4(unit_rows(rng.normal(size=(n, d))))
emb2 = r4(unit_rows(rng.normal(size=(n, d))))
positives = np.array([0, 3, 6, 1, 8])
# Without replacement within a sample: K distinct rows of other classes.
negatives = np.stack([rng.choice(np.flatnonzero(bank_labels != bank_labels[p]), K, replace=False) for p in positives])
# With replacement (K4 = 4): every sample draws freely; sample 0 and 2 are forced to repeat a row.
K4 = 4
negatives_dup = np.stack([rng.choice(np.flatnonzero(bank_labels != bank_labels[p]), K4, replace=True) for p in positives])
negatives_dup[0, 1] = negatives_dup[0, 0]
negatives_dup[2, 3] = negatives_dup[2, 2]
assert all(bank_labels[j] != bank_labels[positives[i]] for i in range(n) for j in negatives_dup[i])
assert all(bank_labels[j] != bank_labels[positives[i]] for i in range(n) for j in negatives[i])

teacher_logits = r4(rng.normal(0, 3.0, size=(n, 3)))
iew_weights = entropy_weights(teacher_logits, 1.0)
us_signs = np.array([1.0, -1.0, 1.0, 1.0, -1.0])


def nce_case(name, e, neg, w=None, s=None, w_from=None, tau=tau):
    Z = estimate_z(bank, e, positives, neg, tau)
    loss = nce_loss(bank, e, positives, neg, tau, Z, w, s)
    ga = nce_grad_analytic(bank, e, positives, neg, tau, Z, w, s)
    gf = nce_grad_fd(bank, e, positives, neg, tau, Z, w, s)
    fd_gap = float(np.abs(ga - gf).max())
    assert fd_gap < 1e-6 * max(1.0, float(np.abs(ga).max())), (name, fd_gap)
    return {
        "name": name,
        "embedding": e.tolist(),
        "positives": positives.tolist(),
        "negatives": neg.tolist(),
        "k": int(neg.shape[1]),
        "dataSize": N,
        "temperature": tau,
        "scoreWeights": None if w is None else w.tolist(),
        "scoreWeightsFrom": w_from,
        "termSigns": None if s is None else s.tolist(),
        "expected": {
            "z": Z,
            "loss": loss,
            "grad": ga.tolist(),
            "gradMaxAbsGapToFiniteDifferences": fd_gap,
        },
    }


nce_cases = [
    nce_case("plain", emb, negatives),
    nce_case("iew", emb, negatives, w=iew_weights, w_from="entropyWeights.teacherLogits at T=1"),
    nce_case("us", emb, negatives, s=us_signs),
    nce_case("iew+us", emb, negatives, w=iew_weights, s=us_signs, w_from="entropyWeights.teacherLogits at T=1"),
    nce_case("duplicates", emb, negatives_dup),
    nce_case("duplicates+iew+us", emb, negatives_dup, w=iew_weights, s=us_signs, w_from="entropyWeights.teacherLogits at T=1"),
    # A milder temperature, where both log terms of every sample matter (at 0.07 most are saturated).
    nce_case("plain tau=0.5", emb, negatives, tau=0.5),
    nce_case("iew tau=0.5", emb, negatives, w=iew_weights, w_from="entropyWeights.teacherLogits at T=1", tau=0.5),
    nce_case("iew+us tau=0.5", emb, negatives, w=iew_weights, s=us_signs, w_from="entropyWeights.teacherLogits at T=1", tau=0.5),
]

# Z fixed at the first call: a second call with other embeddings uses the first call's Z.
z1 = estimate_z(bank, emb, positives, negatives, tau)
z_fixed = {
    "first": emb.tolist(),
    "second": emb2.tolist(),
    "negatives": negatives.tolist(),
    "expected": {
        "z": z1,
        "firstLoss": nce_loss(bank, emb, positives, negatives, tau, z1),
        "secondLossWithFirstZ": nce_loss(bank, emb2, positives, negatives, tau, z1),
        "zTheSecondWouldGive": estimate_z(bank, emb2, positives, negatives, tau),
    },
}

# US: a crafted batch of 8 covering all four right/wrong combinations (S = student, T = teacher),
# no ties, and an all-wrong batch.
us_labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
#                      RR          RW          WR          WW          RR         WR          RW          WW
us_student = np.array([[3, 0, 1], [0, 2, 1], [2, 0, 1], [0, 2, 1], [1, 3, 0], [0, 2, 1], [5, 1, 0], [1, 0, 2]], float)
us_teacher = np.array([[2, 1, 0], [1, 0, 2], [0, 1, 4], [0, 0.5, 3], [0, 1, 0.5], [0, 1, 3], [0, 1, 0], [2, 1, 0]], float)
us_signs_expected, us_keep_s, us_keep_t = us_masks(us_student, us_teacher, us_labels)
allwrong_labels = np.array([0, 1, 2])
allwrong_student = np.array([[0, 1, 0], [2, 0, 1], [1, 2, 0]], float)
allwrong_teacher = np.array([[0, 0, 1], [0, 0.5, 2], [3, 0, 1]], float)
aw_signs, aw_keep_s, aw_keep_t = us_masks(allwrong_student, allwrong_teacher, allwrong_labels)

# Optimizers: two variables of sizes 2 and 1 (the optimizers flatten them into one array).
q_w0 = np.array([1.0, -2.0, 0.5])
q_a = np.array([1.0, 3.0, 0.5])
q_b = np.array([0.5, 1.0, -1.0])
q_lrs = [0.1, 0.05, 0.02]
adamw = adamw_steps(q_w0, q_a, q_b, q_lrs, wd=0.1)
sgd = sgd_steps(q_w0, q_a, q_b, q_lrs, momentum=0.9, wd=0.01)

reference = {
    "generatedBy": "packages/core/test/reference/compute_reference.py (numpy float64, seed %d)" % SEED,
    "mcc": [
        {"logits": mcc_logits_a.tolist(), "temperature": 2.5, "expected": mcc(mcc_logits_a, 2.5),
         "expectedGradWeightsDetached": mcc_grad_detached(mcc_logits_a, 2.5).tolist()},
        {"logits": mcc_logits_b.tolist(), "temperature": 2.5, "expected": mcc(mcc_logits_b, 2.5),
         "expectedGradWeightsDetached": mcc_grad_detached(mcc_logits_b, 2.5).tolist()},
    ],
    "entropyWeights": {
        "teacherLogits": teacher_logits.tolist(),
        "temperature": 1.0,
        "expected": iew_weights.tolist(),
    },
    "nce": {
        "bank": bank.tolist(),
        "bankLabels": bank_labels.tolist(),
        "cases": nce_cases,
        "zFixed": z_fixed,
        "gradientMethod": "analytic dL/de with Z constant; checked against central differences (h=1e-6)",
    },
    "us": {
        "mixed": {
            "labels": us_labels.tolist(),
            "studentLogits": us_student.tolist(),
            "teacherLogits": us_teacher.tolist(),
            "expected": {"signs": us_signs_expected.tolist(), "keepStudent": us_keep_s.tolist(), "keepTeacher": us_keep_t.tolist()},
        },
        "allWrong": {
            "labels": allwrong_labels.tolist(),
            "studentLogits": allwrong_student.tolist(),
            "teacherLogits": allwrong_teacher.tolist(),
            "expected": {"signs": aw_signs.tolist(), "keepStudent": aw_keep_s.tolist(), "keepTeacher": aw_keep_t.tolist()},
        },
    },
    "optimizers": {
        "quadratic": "f(w) = 0.5 * sum a_i (w_i - b_i)^2 over w = [v1 (2 values), v2 (1 value)]",
        "w0": q_w0.tolist(),
        "a": q_a.tolist(),
        "b": q_b.tolist(),
        "lrs": q_lrs,
        "adamw": {"weightDecay": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "expected": [w.tolist() for w in adamw]},
        "sgd": {"momentum": 0.9, "weightDecay": 0.01, "expected": [w.tolist() for w in sgd]},
    },
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
with open(out, "w") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")
print("wrote", out)
for c in nce_cases:
    print(f"  nce {c['name']:>18}: loss {c['expected']['loss']:.6f}  Z {c['expected']['z']:.4f}  fd gap {c['expected']['gradMaxAbsGapToFiniteDifferences']:.2e}")
print("  mcc", [m["expected"] for m in reference["mcc"]])
print("  iew", iew_weights)
print("  us mixed", us_signs_expected, us_keep_s, us_keep_t)
print("  us all-wrong", aw_signs, aw_keep_s, aw_keep_t)
print("  adamw", adamw)
print("  sgd", sgd)
