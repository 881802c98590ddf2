#!/usr/bin/env python3
"""PyTorch peers of the streamlab-bench cases: the same synchronous frame update, written in
PyTorch eager (agents are the batch, float32), for bench/run.sh to time against Streamlab.

    torch_peer.py CASE THREADS FRAMES [WARMUP] [streaming|learning] [--variant V]
    torch_peer.py --variants CASE      the variants this case has, one a line

Prints one tab-separated line, as streamlab-bench does:
    case  mode  threads  agents  pools  frames  seconds  fps  peak_rss_mib

Every frame each neuron pool computes its next state from the previous frame's states only
(statestream's synchronous update): state_{k+1}[n] = act(bias + sum over its synapse pools of
conv(state_k[source], W)). The states live in two sets that swap every frame. Convolutions are
cross-correlations with TensorFlow's SAME padding (the smaller half before), stride = source size
/ target size; a dense synapse pool is a matrix product over the whole source map.

Cases (see bench/README.md):
  demo          examples/demo.st_graph: image [1,32,32] (+ normal noise, std 0.1), label [10],
                edges [16,16,16] relu (5x5 stride 2 from image), parts [32,4,4] relu (5x5 stride 4
                from edges), code [64] relu (dense from parts), prediction [10] softmax (dense from
                code); 64 agents. `learning` adds the loss plasticity: a depth-4 rollout from the
                current states (image -> edges -> parts -> code -> prediction), negative
                log-likelihood against the label, backward, an Adam step on the 4 weights and 4
                biases (lr 0.001, betas 0.9 / 0.999, eps 1e-6 as statestream).
  many_pools    256 pools [8,16,16], tanh, each with 3x3 synapse pools from itself, its
                predecessor and the pool 16 further on (a ring with skips); 16 agents
  pools1024     1024 pools [4,8,8], tanh, 3x3 from itself and its predecessor; 8 agents
  pools4096     4096 pools [4,4,4], tanh, 3x3 from itself and its predecessor; 4 agents
  big_conv      4 pools [64,32,32] in a chain, relu, each with a 3x3 synapse pool from itself and
                (but the first) one from its predecessor; 64 agents

Variants of the pool networks (--variant):
  perpool       what a port to PyTorch eager looks like: per pool, one conv2d per synapse pool,
                summed, bias, activation
  cat           per pool, the sources concatenated along the features and one conv2d
  grouped       (ring cases) all pools in one tensor [agents, pools * features, X, Y]; the sources
                gathered with roll and concatenated, one grouped conv2d (groups = pools) a frame
  channels_last (big_conv) perpool with states and weights in channels-last memory format, the
                layout oneDNN's convolutions use, so that no reorder runs around each of them
The demo has `eager` (as described above) and `channels_last` (the same for the convolutions).
"""
import argparse
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F


def same_pads(size_in, size_out, stride, kernel):
    """TensorFlow SAME padding along one axis: (before, after), the smaller half before."""
    total = max((size_out - 1) * stride + kernel - size_in, 0)
    return total // 2, total - total // 2


def conv_same(x, w, stride, pads, bias=None):
    before, after = pads
    if before == after:
        return F.conv2d(x, w, bias, stride=stride, padding=before)
    return F.conv2d(F.pad(x, (before, after, before, after)), w, bias, stride=stride)


def xavier(shape, gen):
    """statestream's default weight init: U(-a, a), a = sqrt(6 / (fan_in + fan_out))."""
    c_out, c_in, rx, ry = shape
    a = math.sqrt(6.0 / (c_in * rx * ry + c_out * rx * ry))
    return torch.empty(shape).uniform_(-a, a, generator=gen)


# ---- the demo -------------------------------------------------------------------------------


class Demo:
    agents = 64
    pools = 6

    def __init__(self, learning, gen, channels_last=False):
        a = self.agents
        self.gen = gen
        self.learning = learning
        # Parameters: W as [C_out, C_in, rx, ry] (dense ones as the full source extent), b per feature.
        self.w_edges = xavier((16, 1, 5, 5), gen)
        self.w_parts = xavier((32, 16, 5, 5), gen)
        self.w_code = xavier((64, 32, 4, 4), gen)
        self.w_pred = xavier((10, 64, 1, 1), gen)
        self.b_image = torch.zeros(1)
        self.b_label = torch.zeros(10)
        self.b_edges = torch.zeros(16)
        self.b_parts = torch.zeros(32)
        self.b_code = torch.zeros(64)
        self.b_pred = torch.zeros(10)
        self.pad_edges = same_pads(32, 16, 2, 5)  # (1, 2)
        self.pad_parts = same_pads(16, 4, 4, 5)  # (0, 1)
        self.params = [self.w_edges, self.w_parts, self.w_code, self.w_pred,
                       self.b_edges, self.b_parts, self.b_code, self.b_pred]
        if learning:
            for p in self.params:
                p.requires_grad_(True)
            self.opt = torch.optim.Adam(self.params, lr=0.001, betas=(0.9, 0.999), eps=1e-6)
        # The stimulus: 10 fixed random images with their one-hot labels; agent j shows class
        # (frame // 6 + j) % 10 (the interface in Streamlab draws roman numerals instead).
        self.bank = (torch.rand((10, 1, 32, 32), generator=gen) > 0.8).float()
        self.bank_labels = torch.eye(10)
        shapes = {"image": (1, 32, 32), "label": (10,), "edges": (16, 16, 16),
                  "parts": (32, 4, 4), "code": (64,), "prediction": (10,)}
        self.front = {n: torch.zeros((a,) + s) for n, s in shapes.items()}
        self.back = {n: torch.zeros((a,) + s) for n, s in shapes.items()}
        if channels_last:  # oneDNN's convolutions then need no reorder of their inputs and outputs
            with torch.no_grad():
                for w in (self.w_edges, self.w_parts):
                    w.data = w.data.contiguous(memory_format=torch.channels_last)
            self.bank = self.bank.contiguous(memory_format=torch.channels_last)
            for states in (self.front, self.back):
                for n in ("image", "edges", "parts"):
                    states[n] = states[n].contiguous(memory_format=torch.channels_last)
        self.frame_no = 0

    def stream(self, s, n):
        """One synchronous frame: every pool of `n` from the states `s` of the previous frame."""
        classes = (torch.arange(self.agents) + self.frame_no // 6) % 10
        noise = torch.randn(s["image"].shape, generator=self.gen).mul_(0.1)
        n["image"] = noise.add_(self.b_image.view(1, -1, 1, 1)).add_(self.bank[classes])
        n["label"] = self.bank_labels[classes] + self.b_label
        n["edges"] = torch.relu_(conv_same(s["image"], self.w_edges, 2, self.pad_edges, self.b_edges))
        n["parts"] = torch.relu_(conv_same(s["edges"], self.w_parts, 4, self.pad_parts, self.b_parts))
        n["code"] = torch.relu_(F.linear(s["parts"].flatten(1), self.w_code.flatten(1), self.b_code))
        n["prediction"] = torch.softmax(F.linear(s["code"], self.w_pred.flatten(1), self.b_pred), dim=1)

    def rollout_loss(self, s):
        """The loss plasticity's depth-4 rollout from the current states, and its loss."""
        edges = torch.relu(conv_same(s["image"], self.w_edges, 2, self.pad_edges, self.b_edges))
        parts = torch.relu(conv_same(edges, self.w_parts, 4, self.pad_parts, self.b_parts))
        code = torch.relu(F.linear(parts.flatten(1), self.w_code.flatten(1), self.b_code))
        prediction = torch.softmax(F.linear(code, self.w_pred.flatten(1), self.b_pred), dim=1)
        e = -s["label"] * torch.log(torch.clamp(prediction, min=1e-6))
        # statestream's loss1 with split 0: mean over all elements * A / (A + 1e-6)
        return e.mean() * (self.agents / (self.agents + 1e-6))

    def step(self):
        s, n = self.front, self.back
        with torch.no_grad():
            self.stream(s, n)
        if self.learning:
            self.opt.zero_grad(set_to_none=True)
            self.rollout_loss(s).backward()
            self.opt.step()
        self.front, self.back = n, s
        self.frame_no += 1


# ---- networks of many pools ----------------------------------------------------------------

# name: (pools, [C, X, Y], agents, activation, source offsets of pool i: (i + offset) % pools)
POOL_CASES = {
    "many_pools": (256, (8, 16, 16), 16, "tanh", (0, -1, 16)),
    "pools1024": (1024, (4, 8, 8), 8, "tanh", (0, -1)),
    "pools4096": (4096, (4, 4, 4), 4, "tanh", (0, -1)),
    "big_conv": (4, (64, 32, 32), 64, "relu", None),  # a chain: pool i from i and i - 1 (i > 0)
}


class Pools:
    def __init__(self, case, variant, gen):
        pools, shape, agents, act, offsets = POOL_CASES[case]
        self.pools, self.agents, self.variant = pools, agents, variant
        self.act = torch.tanh_ if act == "tanh" else torch.relu_
        c = shape[0]
        if offsets is None:
            self.sources = [[i] + ([i - 1] if i > 0 else []) for i in range(pools)]
        else:
            self.sources = [[(i + o) % pools for o in offsets] for i in range(pools)]
        self.weights = [[xavier((c, c, 3, 3), gen) for _ in srcs] for srcs in self.sources]
        self.biases = [torch.randn(c, generator=gen) for _ in range(pools)]  # init b: normal
        self.memory_format = torch.contiguous_format
        if variant == "channels_last":  # oneDNN's layout: no reorder around each convolution
            self.memory_format = torch.channels_last
            self.weights = [[w.contiguous(memory_format=torch.channels_last) for w in ws]
                            for ws in self.weights]
            self.variant = "perpool"
        if variant == "cat":
            self.cat_weights = [torch.cat(ws, dim=1) for ws in self.weights]
        if variant == "grouped":
            # Group i reads [its sources in offset order] and writes pool i's C features.
            self.shifts = [-o for o in offsets]  # roll(shift) puts pool i - shift at index i
            self.w_grouped = torch.cat([torch.cat(ws, dim=1) for ws in self.weights], dim=0)
            self.b_grouped = torch.cat(self.biases)
            self.shape5 = (agents, pools) + tuple(shape)
            self.front = torch.zeros(self.shape5)
        else:
            self.front = [torch.zeros((agents,) + tuple(shape)).contiguous(memory_format=self.memory_format)
                          for _ in range(pools)]
        self.back = None

    def step(self):
        s = self.front
        with torch.no_grad():
            if self.variant == "perpool":
                n = []
                for i, srcs in enumerate(self.sources):
                    ws = self.weights[i]
                    x = F.conv2d(s[srcs[0]], ws[0], self.biases[i], padding=1)
                    for src, w in zip(srcs[1:], ws[1:]):
                        x.add_(F.conv2d(s[src], w, padding=1))
                    n.append(self.act(x))
            elif self.variant == "cat":
                n = []
                for i, srcs in enumerate(self.sources):
                    x = torch.cat([s[src] for src in srcs], dim=1)
                    n.append(self.act(F.conv2d(x, self.cat_weights[i], self.biases[i], padding=1)))
            else:
                a, p, c, x, y = self.shape5
                inputs = torch.cat([s if k == 0 else s.roll(k, dims=1) for k in self.shifts], dim=2)
                out = F.conv2d(inputs.view(a, p * c * len(self.shifts), x, y), self.w_grouped,
                               self.b_grouped, padding=1, groups=p)
                n = self.act(out).view(self.shape5)
        self.back, self.front = s, n


def variants(case):
    if case in POOL_CASES:
        if POOL_CASES[case][4] is None:  # a chain of large pools
            return ["perpool", "cat", "channels_last"]
        return ["perpool", "cat", "grouped"]
    return ["eager", "channels_last"]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--variants":
        print("\n".join(variants(sys.argv[2])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", help="demo (or a path ending in demo.st_graph), " + ", ".join(POOL_CASES))
    ap.add_argument("threads", type=int)
    ap.add_argument("frames", type=int)
    ap.add_argument("warmup", type=int, nargs="?", default=10)
    ap.add_argument("mode", nargs="?", default="streaming", choices=["streaming", "learning"])
    ap.add_argument("--variant", default=None)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    case = args.case
    variant = args.variant or variants("demo" if case.endswith("demo.st_graph") else case)[0]
    if case == "demo" or case.endswith("demo.st_graph"):
        if variant not in variants("demo"):
            ap.error(f"the demo has the variants {', '.join(variants('demo'))}")
        net = Demo(args.mode == "learning", gen, variant == "channels_last")
        pools = Demo.pools
    elif case in POOL_CASES:
        if args.mode != "streaming":
            ap.error(f"{case} has no plasticity: streaming only")
        if variant not in variants(case):
            ap.error(f"{case} has the variants {', '.join(variants(case))}")
        net = Pools(case, variant, gen)
        pools = net.pools
    else:
        ap.error(f"unknown case {case}")

    for _ in range(args.warmup):
        net.step()
    start = time.perf_counter()
    for _ in range(args.frames):
        net.step()
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"{args.case}\t{args.mode}\t{torch.get_num_threads()}\t{net.agents}\t{pools}\t"
          f"{args.frames}\t{seconds:.3f}\t{args.frames / seconds:.1f}\t{rss:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
