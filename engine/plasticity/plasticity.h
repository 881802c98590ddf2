// Plasticity: one item that changes parameters while the network streams (reference §1.6, §2.7).
// Every frame in which it is due, a plasticity computes the gradient of its objective with respect
// to each parameter it trains, checks it, and turns it into a delta with its optimizer. The session
// adds the deltas of all plasticities to the parameters one frame later (§2.7.1). The session owns
// the parameters; a plasticity owns its optimizer state and its last gradients and deltas.
#pragma once

#include "plasticity/optimizer.h"
#include "spec/networkspec.h"
#include "tensor/statestore.h"
#include "tensor/tensor.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace streamlab::plasticity {

// One parameter a plasticity trains. `value` is the tensor the update lands on: for a shared SP
// parameter that is the owner's tensor (share params routing).
struct TrainedParameter
{
    spec::ParameterRef ref; // [np|sp, item, par] as written in the plasticity
    const Tensor *value = nullptr;
    OptimizerState optimizer;
    std::vector<float> grad; // the last raw gradient
    std::vector<float> delta; // the delta of the last frame it computed (zeros if none)
};

// What a plasticity may read in one frame: the states of the frame before (S^{k-1}).
struct PlasticityFrame
{
    int64_t frame = 0; // the frame being computed
    int split = 0; // agents a < split are held out
    int agents = 1;
    std::function<const Tensor *(const std::string &neuronPool)> state;
    // Runs task(0) .. task(count - 1), possibly on several threads at once, and returns when all
    // have run (the session's workers, between frames); empty: run them in order on the caller.
    // An update spreads its elementwise work on large parameters with it (forRanges).
    std::function<void(int count, const std::function<void(int)> &task)> parallel;
};

// work(begin, end) for ranges of [0, n) that cover it once: fixed by n alone (never by the
// threads), each on frame.parallel where it is set and n is large enough to be worth it.
void forRanges(const PlasticityFrame &frame, size_t n,
               const std::function<void(size_t begin, size_t end)> &work);

class Plasticity
{
public:
    Plasticity(const spec::PlasticitySpec &spec, std::vector<TrainedParameter> parameters);
    virtual ~Plasticity() = default;

    const spec::PlasticitySpec &spec() const { return mSpec; }
    const std::string &name() const { return mSpec.name; }
    std::vector<TrainedParameter> &parameters() { return mParameters; }
    const std::vector<TrainedParameter> &parameters() const { return mParameters; }

    // Computes gradients and deltas for this frame. Returns "" or, when a loss, gradient or delta
    // is NaN or infinite, a message naming the plasticity (and the item and parameter) and the
    // frame; the deltas are then all zero (the update is dropped).
    std::string update(const PlasticityFrame &frame);
    // No update this frame (not due, paused, off, or frame <= startframe): deltas become zero.
    void skip();

    // Values for reports, e.g. {"loss0", x}, {"loss1", y} or {"loss", z}.
    virtual std::vector<std::pair<std::string, double>> metrics() const { return {}; }
    // Live-editable scalar parameters (lr, ...).
    OptimizerSettings &optimizer() { return mOptimizer; }
    // The scalars that can be changed while the network streams (reference §1.6): lr, the
    // optimizer's momentum/decay (adam) or rho (rmsprop), L1/L2 (L_regularizer),
    // confidence_penalty/label_smoothing (loss), with their current values.
    // setLiveParameter() is false for any other name.
    std::vector<std::pair<std::string, double>> liveParameters() const;
    bool setLiveParameter(const std::string &name, double value);
    // Their names only (fixed for the plasticity's life).
    std::vector<std::string> liveNames() const;
    // The period, period offset and run keys of this plasticity's copy of its spec.
    spec::ItemCommon &common() { return mSpec; }

    // The optimizer settings (lr as changed by schedulers) and, per trained parameter, the
    // optimizer state and the last gradient and delta, plus what a subclass remembers between
    // frames (plasticitystate.cpp, docs/hdf5-schema.md). restoreState() records in `in` what
    // does not fit and then changes nothing.
    void saveState(StateWriter &out) const;
    void restoreState(const StateReader &in);

protected:
    // Where the live parameter `name` is kept, or null.
    double *liveValue(const std::string &name);

    virtual void saveExtra(StateWriter &out) const { }
    // Reads what saveExtra wrote; changes the plasticity only when `in` is still ok afterwards.
    virtual void restoreExtra(const StateReader &in) { }

    // Fills TrainedParameter::grad for every parameter (sized like its value).
    virtual void gradients(const PlasticityFrame &frame) = 0;

    spec::PlasticitySpec mSpec;
    std::vector<TrainedParameter> mParameters;
    OptimizerSettings mOptimizer;
};

// L_regularizer (reference §2.7.3): L = sum over parameters of L1 * sum|theta| + L2 * sum theta^2.
std::unique_ptr<Plasticity> makeRegularizer(const spec::PlasticitySpec &spec,
                                            std::vector<TrainedParameter> parameters);
// hebbian, anti_hebbian, dt hebbian, dt anti_hebbian on one SP weight [Ct, Cs, 1, 1].
std::unique_ptr<Plasticity> makeHebbian(const spec::PlasticitySpec &spec,
                                        std::vector<TrainedParameter> parameters);

} // namespace streamlab::plasticity
