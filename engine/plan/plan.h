// The frame plan (architecture.md §3a): one frame of a network as a flat list of typed ops over
// planned buffers. The session compiles it from its Network (session/plancompile.cpp) once, and
// again after a topology edit; a backend runs it (backend/backend.h). An op is plain data: its
// kind, the buffers it reads and writes, and the attributes its kernel needs. Nothing in an op
// depends on the backend that runs it.
//
// Buffers are of four kinds. States are the neuron pools' double-buffered states: an op reads a
// source state of frame k (front) or writes the target state of frame k+1 (back), resolved when
// the plan runs. Parameters and interface data are tensors the network owns. Scratch buffers are
// intermediate values; each task's scratch is laid out at offsets in a per-worker arena, planned
// once, so a frame allocates nothing.
#pragma once

#include "ops/activation.h"
#include "ops/conv.h"
#include "ops/func.h"
#include "spec/networkspec.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::plan {

using BufferId = int;
inline constexpr BufferId NoBuffer = -1;

enum class BufferKind {
    FrontState, // a neuron pool's state of frame k (read only)
    BackState, // a neuron pool's state of frame k+1 (written by its own task)
    Parameter, // a parameter tensor of the network
    InterfaceData, // the data interfaces add to a neuron pool (read only)
    Scratch, // an intermediate value at `offset` in the running worker's arena
    // A value that lives through a whole run of the plan, at `offset` in the arena the caller
    // hands the backend (RunContext::persistent): a rollout's states and intermediate values,
    // which its backward reads, and their gradients.
    Persistent,
    // A read-only tensor the caller points `tensor` at before each run: a rollout's depth-0
    // states, the frame's states as its plasticity receives them.
    Bound,
};

struct Buffer
{
    BufferKind kind = BufferKind::Scratch;
    std::string name; // "state 'edges'", "parameter 'c1.W'", "scratch"
    std::array<int, 4> dims {1, 1, 1, 1}; // [agents, C, X, Y] (a parameter: its own layout)
    size_t floats = 0; // element count
    // FrontState / BackState: the neuron pool's states (index 0 and 1 of its double buffer).
    Tensor *state[2] = {nullptr, nullptr};
    Tensor *tensor = nullptr; // Parameter / InterfaceData
    size_t offset = 0; // Scratch, Persistent: in floats, from the arena's start
    // Persistent: one copy per part of a run split by agents (RunContext::persistentPart), for a
    // value that is not laid out by agent (a shared weight, a parameter's gradient, the losses):
    // each part computes its own. Otherwise parts share the buffer, each at its own agents.
    bool perPart = false;
};

enum class OpKind {
    Zero, // out = 0
    Fill, // out = value
    Copy, // out = in[0]
    Accumulate, // out += in[0] (same size)
    Activation, // out = act(in[0]) (may alias: in place)
    EffectiveWeight, // out = weight_fnc(broadcast(in[0])) per agent copy
    Conv, // out = conv(in[0], weight in[1]) with rf, stride, dilation, upsampling; out += with
          // `accumulate` (a synapse pool's input straight into the sum)
    BroadcastAdd, // out[A, C, X, Y] += in[0][A, c, x, y] broadcast
    BroadcastMultiply, // out[A, C, X, Y] *= in[0][A, c, x, y] broadcast; with in[1]:
                       // out = in[1] * in[0] broadcast (rollouts: in[1] stays for the backward)
    AddParameter, // out += parameter in[0] of shape `parShape` (bias)
    Avgout, // out[A, C/k, X, Y] = mean over groups of k features of in[0]
    Maxout, // the same with max
    Noise, // out += noise (the item's stream derived by the frame)
    Func, // out = func(sources...) (a functional synapse pool)
    // The neuron-pool pipeline after the sum of its synapse pools, fused in one op: noise,
    // batch/layer norms, gain, bias, activation, dropout, zoneout (in[0]: the previous state,
    // in[1]: g or none, in[2]: b or none).
    NeuronPipeline,
    // The same steps one op each, for rollouts, whose backward needs every intermediate value
    // (compiled there in place of NeuronPipeline; `batch`: over agents too, `parShape`: axes).
    SubtractMean, // out = in[0] - mean
    DivideStd, // out = in[0] / sqrt(var + 1e-6)
    MulParameter, // out = in[0] * parameter in[1] (gain)
    Dropout, // out = dropout(in[0]) with the rate of `np` (a live scalar)
    Zoneout, // out = zoneout(in[0], previous in[1]) with the rate of `np`
    // A loss plasticity's objective (reference §2.7.2) of in[0] (x), in[1] (target or none) and
    // in[2] (mask or none): out holds loss0 and loss1 as two doubles (4 floats).
    Loss,
    // Reverse mode (plan/autodiff.h): out += dL/d in[operand] of op `forward` (out = with
    // `accumulate` false), given in[0] = dL/d(its out) (none for Loss: the objective itself).
    Gradient,
};

const char *opName(OpKind kind);

// The random stream of an op: `base` derived by the frame number when the op runs.
struct RngUse
{
    const Rng *base = nullptr;
};

struct Op
{
    OpKind kind = OpKind::Zero;
    std::string label; // what the op computes, for --print-plan and errors
    std::vector<BufferId> in;
    BufferId out = NoBuffer;
    std::array<int, 4> dims {1, 1, 1, 1}; // the output's [agents, C, X, Y]
    std::array<int, 4> srcDims {1, 1, 1, 1}; // the (broadcast) input's shape where it differs

    // Attributes (which ones an op reads depends on its kind).
    float value = 0.0f; // Fill
    int group = 1; // Avgout / Maxout: k
    const ops::Activation *act = nullptr; // Activation, EffectiveWeight (weight_fnc)
    const ops::ConvGeometry *geometry = nullptr; // Conv, EffectiveWeight
    bool perAgent = false; // Conv, EffectiveWeight: one weight per agent (unshare)
    // Conv: out += conv (rounded as a separate sum would be); Gradient: out += the derivative
    // (else it writes out)
    bool accumulate = false;
    spec::WeightShape weightShape = spec::WeightShape::Full; // EffectiveWeight
    // AddParameter, MulParameter: the parameter's shape; SubtractMean, DivideStd: the axes
    spec::ParShape parShape = spec::ParShape::None;
    bool unshare = false; // AddParameter, MulParameter: one parameter per agent
    const spec::SynapsePoolSpec *sp = nullptr; // Noise of a synapse pool
    // NeuronPipeline, Noise of a neuron pool, Dropout, Zoneout
    const spec::NeuronPoolSpec *np = nullptr;
    const ops::FuncExpression *func = nullptr; // Func
    std::vector<int> funcShape; // Func: inputs per factor (in[] holds them in order)
    RngUse rng, dropoutRng, zoneoutRng; // Noise / NeuronPipeline; Dropout / Zoneout: rng
    bool batch = false; // SubtractMean / DivideStd: batch norm (over agents too)
    const spec::PlasticitySpec *loss = nullptr; // Loss
    int forward = -1; // Gradient: the forward op's index
    int operand = 0; // Gradient: which input of it

    // Where the op runs only while an item runs: a synapse pool that is paused or off
    // contributes nothing (the scheduler skips its ops; ops never test it).
    int synapsePool = -1;

    // Work, for the scheduler and --print-plan: floating-point operations and bytes moved
    // (reads and writes of every operand, once).
    double flops = 0.0;
    double bytes = 0.0;
};

// Whether `op` adds to its output (out += ...): the output's previous value passes through
// unchanged, and so does its gradient.
bool addsToOutput(const Op &op);
// Whether reverse mode has a derivative for input `operand` of `op` (plan/autodiff.h).
bool differentiable(const Op &op, size_t operand);

// The ops of one neuron pool's update (frame k -> k+1): its task in the frame.
//
// A large task whose ops all treat agents independently is split into `parts` ranges of
// `agentsPerPart` agents (the last may hold fewer), which workers run side by side: so two
// threads help a network of one big pool as much as one of many. The split is fixed when the plan
// is compiled, from the task's work alone, never from the number of threads, so results do not
// depend on it. Ops that mix agents or draw random numbers in one stream over the whole pool
// (batch norms, noise, dropout, zoneout, functional synapse pools, `$` programs) keep a task
// whole.
struct Task
{
    int neuronPool = -1;
    std::string name;
    size_t begin = 0, end = 0; // ops [begin, end)
    size_t scratchFloats = 0; // arena this task needs
    int parts = 1;
    int agentsPerPart = 0; // 0: not split
    double flops = 0.0; // the task's work in a frame (all parts)

    // Agents [first, last) of part `p`.
    std::pair<int, int> agentsOf(int part, int agents) const
    {
        if (agentsPerPart <= 0)
            return {0, agents};
        return {part * agentsPerPart, std::min(agents, (part + 1) * agentsPerPart)};
    }
};

// A task is split when it holds at least this much work, into parts of at least this much.
inline constexpr double MinPartFlops = 4.0e6;
// The same for a loss's rollout with its backward, whose parts each reduce into gradients of
// their own (so fewer, larger parts).
inline constexpr double MinRolloutPartFlops = 1.6e7;

struct Plan
{
    std::string title = "frame plan"; // the first word of print()
    std::vector<Buffer> buffers;
    std::vector<Op> ops;
    std::vector<Task> tasks; // one per neuron pool, in network order
    size_t scratchFloats = 0; // the largest task's arena
    size_t persistentFloats = 0; // the caller's arena for Persistent buffers
    size_t partFloats = 0; // the arena of each part for perPart Persistent buffers
    int agents = 1; // the network's: the first dimension of states and per-agent parameters
    // Work of one frame that the plan does not hold as ops yet (plasticities' rollouts and
    // updates, interfaces), one line each, for --print-plan.
    std::vector<std::string> opaque;

    // A Persistent buffer of `floats` (aligned to 16 floats) at the end of the persistent arena,
    // or of the part arena with `perPart`.
    BufferId addPersistent(const std::string &name, const std::array<int, 4> &dims, size_t floats,
                           bool perPart = false);

    double flops() const;
    double bytes() const;
};

// The plan as text: buffers, then per task its ops with shapes, FLOPs and bytes, then totals.
std::string print(const Plan &plan);

// "44.2 MFLOP", "3.6 GFLOP"; "1.2 MB"
std::string formatCount(double value, const char *unit);

} // namespace streamlab::plan
