#!/usr/bin/env python3
"""Checks that the PyTorch peer of the demo computes what Streamlab computes.

    check_demo.py STREAMLAB_RUN [FRAMES]     (needs python3-h5py besides python3-torch)

Streams examples/demo.st_graph with learning for FRAMES (default 20) and FRAMES + 1 frames
(same seed, so the runs agree up to frame FRAMES) and saves both models. Then, from the saved
states and parameters of frame FRAMES, the peer computes (1) one streaming frame of edges, parts,
code and prediction (image and label come from the interface) and (2) the gradient of the loss
plasticity's depth-4 rollout, and compares them with Streamlab's states of frame FRAMES + 1 and
the gradient its plasticity stored in that frame. Prints the largest differences; exits 1 when
one is above the tolerance.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_peer  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    runner, frames = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
    demo = os.path.join(root, "examples", "demo.st_graph")
    with tempfile.TemporaryDirectory() as tmp:
        saved = []
        for n in (frames, frames + 1):
            path = os.path.join(tmp, f"demo{n}.h5")
            subprocess.run([runner, demo, "--frames", str(n), "--threads", "1", "--quiet",
                            "--save", path], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            saved.append(h5py.File(path, "r"))
        before, after = saved

        net = torch_peer.Demo(learning=True, gen=torch.Generator().manual_seed(1))

        def np_(f, pool, what="state"):
            return torch.from_numpy(f[f"neuron_pools/{pool}/{what}"][()])

        def sp_w(f, sp):
            return torch.from_numpy(f[f"synapse_pools/{sp}/W_0_0"][()])

        with torch.no_grad():
            for name, sp in (("w_edges", "image_edges"), ("w_parts", "edges_parts"),
                             ("w_code", "parts_code"), ("w_pred", "code_prediction")):
                getattr(net, name).copy_(sp_w(before, sp))
            for name, pool in (("b_edges", "edges"), ("b_parts", "parts"), ("b_code", "code"),
                               ("b_pred", "prediction")):
                getattr(net, name).copy_(np_(before, pool, "b"))
        # The peer keeps the pools without space ([C, 1, 1]) as [agents, C].
        s = {}
        for pool in ("image", "label", "edges", "parts", "code", "prediction"):
            x = np_(before, pool)
            s[pool] = x.flatten(1) if pool in ("label", "code", "prediction") else x
        n = dict(s)
        with torch.no_grad():
            net.stream(s, n)
        worst = 0.0
        for pool in ("edges", "parts", "code", "prediction"):
            ref = np_(after, pool).reshape(n[pool].shape)
            d = (n[pool] - ref).abs().max().item()
            worst = max(worst, d / max(ref.abs().max().item(), 1e-6))
            print(f"frame {frames + 1} {pool:10s} {tuple(ref.shape)}  max |peer - streamlab| {d:.2e}"
                  f"  (max |state| {ref.abs().max().item():.3g})")

        loss = net.rollout_loss(s)
        loss.backward()
        grads = {"image_edges.W_0_0": net.w_edges, "edges_parts.W_0_0": net.w_parts,
                 "parts_code.W_0_0": net.w_code, "code_prediction.W_0_0": net.w_pred,
                 "edges.b": net.b_edges, "parts.b": net.b_parts, "code.b": net.b_code,
                 "prediction.b": net.b_pred}
        for name, p in grads.items():
            ref = torch.from_numpy(after[f"plasticities/classify/parameters/{name}/grad"][()])
            g = p.grad.flatten()
            d = (g - ref).abs().max().item()
            worst = max(worst, d / max(ref.abs().max().item(), 1e-9))
            print(f"rollout gradient {name:22s} max |peer - streamlab| {d:.2e}"
                  f"  (max |grad| {ref.abs().max().item():.3g})")
        print(f"loss of the rollout (peer): {loss.item():.6f}")
        print(f"largest difference relative to the largest value: {worst:.2e}")
        return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
