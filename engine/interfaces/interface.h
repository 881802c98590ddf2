// Interface: a data source/sink attached to the network (reference §1.7, §2.6). The session calls
// update() once per frame in which the interface is due; it reads the previous frame's states of
// the NPs its `in` topics map to and writes the data for its `out` topics, which the mapped NPs add
// to their state in the next frame. Each interface owns its per-agent stimulus state machine.
#pragma once

#include "spec/networkspec.h"
#include "tensor/random.h"
#include "tensor/statestore.h"
#include "tensor/tensor.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace streamlab::interfaces {

class TemporalConfusionMatrix;

struct InterfaceContext
{
    int agents = 1;
    uint64_t seed = 1;
    std::string dataDir; // --data-dir; "" = the interface's defaults
    // Shapes [features, X, Y] of the NP every in/out topic maps to.
    std::map<std::string, std::vector<int>> topicShapes;
};

// One named metric an interface reports (e.g. per-delay accuracy "acc").
struct InterfaceMetric
{
    std::string name;
    std::vector<double> values;
};

class Interface
{
public:
    Interface(const spec::InterfaceSpec &spec, const InterfaceContext &context);
    virtual ~Interface() = default;

    const spec::InterfaceSpec &spec() const { return mSpec; }
    const std::string &name() const { return mSpec.name; }

    // One frame. `frame` is the number of the frame being computed (1 for the first step).
    // `inputs`: topic -> state [agents, C, X, Y] of the frame before; `outputs`: topic -> tensor of
    // the mapped NP's state shape, zero-filled by the caller, to be written. `split`: agents a <
    // split are held out (validation data where the interface distinguishes).
    virtual void update(int64_t frame, int split,
                        const std::map<std::string, const Tensor *> &inputs,
                        std::map<std::string, Tensor *> &outputs)
        = 0;

    // Metrics for reports (e.g. {"acc", per-delay accuracy}); empty when there are none.
    virtual std::vector<InterfaceMetric> metrics() const { return {}; }

    // Live-editable parameters (mode, min_duration, ...) by st_graph name: setParameter() is
    // false for a name the interface does not have or a value it refuses; liveParameters() lists
    // every name setParameter() accepts with its current value (live edits, their undo).
    virtual bool setParameter(const std::string &name, double value) { return false; }
    virtual std::vector<std::pair<std::string, double>> liveParameters() const { return {}; }
    // The period, period offset and run keys of this interface's copy of its spec, which the
    // session changes live.
    spec::ItemCommon &common() { return mSpec; }

    // For views (read on the engine thread after a frame, see Session snapshots): the class of
    // the stimulus the last update() wrote for `agent`, -1 when there is none.
    virtual int stimulusClass(int agent) const { return -1; }
    // Names of the classes in class order ("I" .. "X", "T-shirt/top", ...); empty when the
    // interface has no classes. Fixed for the interface's life, so any thread may ask.
    virtual std::vector<std::string> classNames() const { return {}; }
    // The temporal confusion matrix `which` ("" = all agents, "train", "valid") as of the last
    // update(); null when the interface keeps none.
    virtual const TemporalConfusionMatrix *confusionMatrix(const std::string &which) const
    {
        return nullptr;
    }

    // Everything the next update() depends on (stimuli, timing, sampler positions, confusion
    // matrices, the random stream, live-edited parameters), so that a restored interface
    // continues exactly as the saved one would have (docs/hdf5-schema.md). restoreState()
    // records in `in` what does not fit (a different type, agent count or shape).
    virtual void saveState(StateWriter &out) const;
    virtual void restoreState(const StateReader &in);

protected:
    spec::InterfaceSpec mSpec;
    InterfaceContext mContext;
    Rng mRng; // stream (seed, interface name, "data")
};

struct CreateResult
{
    std::unique_ptr<Interface> interface;
    std::string key; // st_graph key the error is about ("type", "source_file", ...), if any
    std::string error; // set when `interface` is null: what is wrong and how to fix it
};

// Creates the interface for `spec.type`. Unknown or unsupported types (cityscapes, sim,
// transform_cifar10, ...) and missing data sets give an error, never a crash.
CreateResult createInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context);

} // namespace streamlab::interfaces
