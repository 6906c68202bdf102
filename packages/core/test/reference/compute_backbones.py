#!/usr/bin/env python3
"""Independent forward passes of DGCNN and BiHDM for @cmcrd/core's backbone tests.

Written from /work/shared/DESIGN.md §4 alone, the textbook way: per-sample loops, explicit
gathers of the electrode index lists, one RNN step at a time with np.tanh. The TypeScript code
instead batches the four streams into block-diagonal products, carries the RNN state in sigmoid
form and gathers the electrodes on the host; none of that is mirrored here. numpy, float64.

Parameters are drawn from a fixed seed, rounded to 4 decimals, and written in the order of each
backbone's snapshot() so that the test can restore() them. Run:

    python3 packages/core/test/reference/compute_backbones.py

It rewrites backbones.json next to this file.
"""

import json
import os

import numpy as np

rng = np.random.default_rng(20261128)
BN_EPS = 1e-5
BN_MOMENTUM = 0.1
DEGREE_EPS = 1e-10

LH = [0, 3, 5, 6, 7, 8, 14, 15, 16, 17, 23, 24, 25, 26, 32, 33, 34, 35, 41, 42, 43, 44, 50, 52, 58]
RH = [2, 4, 13, 12, 11, 10, 22, 21, 20, 19, 31, 30, 29, 28, 40, 39, 38, 37, 49, 48, 47, 46, 56, 54, 60]
LV = [0, 5, 14, 23, 32, 41, 50, 3, 6, 15, 24, 33, 42, 58, 7, 16, 25, 34, 43, 52, 8, 17, 26, 35, 44]
RV = [2, 13, 22, 31, 40, 49, 56, 4, 12, 21, 30, 39, 48, 60, 11, 20, 29, 38, 47, 54, 10, 19, 28, 37, 46]


def r4(x):
    return np.round(x, 4)


def draw(*shape, scale=0.5):
    return r4(rng.normal(0.0, scale, size=shape))


def dgcnn_case(nodes, feats, classes, batch):
    out_f = 16
    x = draw(batch, nodes * feats, scale=1.0)
    gamma = r4(1.0 + draw(feats, scale=0.2))
    beta = draw(feats, scale=0.2)
    adjacency = draw(nodes, nodes)
    w_identity = draw(feats, out_f)
    w_graph = draw(feats, out_f)
    head_w = draw(nodes * out_f, classes, scale=0.1)
    head_b = draw(classes, scale=0.1)

    X = x.reshape(batch, nodes, feats)
    # BatchNorm over the band axis: statistics over (window, electrode) for each band.
    flat = X.reshape(-1, feats)
    mean = flat.mean(axis=0)
    var = flat.var(axis=0)
    Xn = (X - mean) / np.sqrt(var + BN_EPS) * gamma + beta

    A = np.maximum(adjacency, 0.0)
    d = A.sum(axis=1)
    dis = 1.0 / np.sqrt(d + DEGREE_EPS)
    L = dis[:, None] * A * dis[None, :]

    filtered = np.zeros((batch, nodes, feats))
    conv = np.zeros((batch, nodes, out_f))
    for b in range(batch):
        filtered[b] = L @ Xn[b]
        conv[b] = np.maximum(Xn[b] @ w_identity + filtered[b] @ w_graph, 0.0)
    deep = conv.reshape(batch, nodes * out_f)
    logits = deep @ head_w + head_b

    # After one committed training batch, evaluation uses the running statistics.
    n = flat.shape[0]
    run_mean = (1 - BN_MOMENTUM) * 0.0 + BN_MOMENTUM * mean
    run_var = (1 - BN_MOMENTUM) * 1.0 + BN_MOMENTUM * var * n / (n - 1)
    Xe = (X - run_mean) / np.sqrt(run_var + BN_EPS) * gamma + beta
    eval_logits = np.zeros((batch, classes))
    for b in range(batch):
        c = np.maximum(Xe[b] @ w_identity + (L @ Xe[b]) @ w_graph, 0.0)
        eval_logits[b] = c.reshape(-1) @ head_w + head_b

    graph_weights = np.concatenate([w_identity, w_graph], axis=0)  # [2·f, 16], support I first
    return {
        "nodes": nodes,
        "featuresPerNode": feats,
        "classes": classes,
        "x": x.tolist(),
        # Snapshot order: bn gamma, beta, running mean, running var, adjacency, graph weights, head.
        "state": [
            gamma.tolist(),
            beta.tolist(),
            np.zeros(feats).tolist(),
            np.ones(feats).tolist(),
            adjacency.reshape(-1).tolist(),
            graph_weights.reshape(-1).tolist(),
            head_w.reshape(-1).tolist(),
            head_b.tolist(),
        ],
        "expected": {
            "logits": logits.tolist(),
            "features": [filtered.reshape(batch, -1).tolist(), deep.tolist()],
            "runningMean": run_mean.tolist(),
            "runningVar": run_var.tolist(),
            "evalLogits": eval_logits.tolist(),
        },
    }


def bihdm_case(modality, input_dim, classes, batch):
    if modality == "eeg":
        steps, feats, hid, ghid, d_out = 25, 5, 32, 32, 16
        streams = [LH, LV, RH, RV]
    else:
        steps, feats, hid, ghid, d_out = 1, input_dim, 16, 16, 8
        streams = [[0], [0], [0], [0]]
    k = 6
    x = draw(batch, input_dim, scale=1.0)
    local_w = draw(4, feats, hid, scale=0.3)
    local_u = draw(4, hid, hid, scale=0.2)
    local_b = draw(4, hid, scale=0.1)
    global_w = draw(2, hid, ghid, scale=0.2)
    global_u = draw(2, ghid, ghid, scale=0.2)
    global_b = draw(2, ghid, scale=0.1)
    positions = draw(2, k, steps, scale=0.3)
    out_map = draw(2, ghid, d_out, scale=0.3)
    head_w = draw(d_out * k, classes, scale=0.3)
    head_b = draw(classes, scale=0.1)

    nodes = x.reshape(batch, -1, feats)
    local_states = []
    for s in range(4):
        seq = nodes[:, streams[s], :]  # [batch, steps, feats]
        h = np.zeros((batch, hid))
        states = np.zeros((batch, steps, hid))
        for t in range(steps):
            h = np.tanh(seq[:, t, :] @ local_w[s] + local_b[s] + h @ local_u[s])
            states[:, t, :] = h
        local_states.append(states)
    # Streams are [left-horizontal, left-vertical, right-horizontal, right-vertical].
    discrepancy = [local_states[0] - local_states[2], local_states[1] - local_states[3]]

    deep = np.zeros((batch, d_out, k))
    for d in range(2):
        g = np.zeros((batch, ghid))
        states = np.zeros((batch, steps, ghid))
        for t in range(steps):
            g = np.tanh(discrepancy[d][:, t, :] @ global_w[d] + global_b[d] + g @ global_u[d])
            states[:, t, :] = g
        for b in range(batch):
            projected = states[b].T @ positions[d].T  # [ghid, k]: positions → k
            projected = np.where(projected > 0, projected, 0.01 * projected)
            deep[b] += out_map[d].T @ projected  # [d_out, k]
    deep_flat = deep.reshape(batch, d_out * k)
    logits = deep_flat @ head_w + head_b
    taps0 = np.stack(discrepancy, axis=1).reshape(batch, -1)  # (direction, step, hidden)

    return {
        "modality": modality,
        "inputDim": input_dim,
        "classes": classes,
        "x": x.tolist(),
        # Snapshot order: local w, u, b; global w, u, b; positions; out map; head w, b.
        "state": [
            a.reshape(-1).tolist()
            for a in [local_w, local_u, local_b, global_w, global_u, global_b, positions, out_map, head_w, head_b]
        ],
        "expected": {"logits": logits.tolist(), "features": [taps0.tolist(), deep_flat.tolist()]},
    }


def rnn_case():
    """Two streams of width 3 over 4 steps, batch 2: the stacked op against plain loops."""
    s, h, steps, batch = 2, 3, 4, 2
    a = draw(steps * batch, s * h, scale=0.8)  # rows (step, window), columns (stream, hidden)
    u = draw(s, h, h, scale=0.6)
    upstream = draw(steps * batch, s * h, scale=1.0)  # dLoss/dStates, so that loss = Σ upstream·states
    states = np.zeros((steps * batch, s * h))
    for k in range(s):
        hk = np.zeros((batch, h))
        for t in range(steps):
            hk = np.tanh(a[t * batch:(t + 1) * batch, k * h:(k + 1) * h] + hk @ u[k])
            states[t * batch:(t + 1) * batch, k * h:(k + 1) * h] = hk
    # Backpropagation through time, written out.
    d_a = np.zeros_like(a)
    d_u = np.zeros_like(u)
    for k in range(s):
        carry = np.zeros((batch, h))
        for t in reversed(range(steps)):
            rows = slice(t * batch, (t + 1) * batch)
            cols = slice(k * h, (k + 1) * h)
            h_t = states[rows, cols]
            d_pre = (upstream[rows, cols] + carry) * (1 - h_t**2)
            d_a[rows, cols] = d_pre
            if t > 0:
                h_prev = states[(t - 1) * batch:t * batch, cols]
                d_u[k] += h_prev.T @ d_pre
            carry = d_pre @ u[k].T
    return {
        "steps": steps,
        "inputTerm": a.tolist(),
        "recurrent": u.tolist(),
        "upstream": upstream.tolist(),
        "expected": {"states": states.tolist(), "dInput": d_a.tolist(), "dRecurrent": d_u.tolist()},
    }


out = {
    "dgcnn": {
        "eeg": dgcnn_case(62, 5, 3, 5),
        "em": dgcnn_case(33, 1, 3, 5),
    },
    "bihdm": {
        "eeg": bihdm_case("eeg", 310, 4, 3),
        "em": bihdm_case("em", 31, 4, 3),
    },
    "rnn": rnn_case(),
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "backbones.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}")
