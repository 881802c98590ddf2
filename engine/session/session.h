// Session: one running network (architecture.md §2-§3). It owns the compiled Network, its frame
// plan and the backend that runs it, the frame counter, the double-buffered states, the worker
// pool and the command queue. step() runs one frame; commands posted from any thread are applied
// only between frames, so every change lands at an exact frame. Its parts with jobs of their own:
// the snapshot hub (snapshothub.h: subscribed tensors other threads read without stopping the
// engine), the frame metrics (framemetrics.h: interface and plasticity numbers, curve records),
// the plasticities' work in a frame (learning.h: loss rollouts run by part among the frame's
// tasks, deltas landing a frame later).
#pragma once

#include "backend/backend.h"
#include "plan/plan.h"
#include "session/edit.h"
#include "session/editqueue.h"
#include "session/framemetrics.h"
#include "session/learning.h"
#include "session/network.h"
#include "session/snapshot.h"
#include "session/snapshothub.h"
#include "session/trainvaltest.h"
#include "session/workerpool.h"
#include "spec/networkspec.h"
#include "tensor/statestore.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace streamlab::session {

struct SessionOptions
{
    uint64_t seed = 1;
    int threads = 0; // 0 = one per core
    std::string device = "cpu"; // the backend that runs the frame plan (backend::available())
    std::string dataDir; // --data-dir for interfaces
    // Where core clients write results (trainvaltest CSV files) unless their target_folder
    // says otherwise; "" = nowhere.
    std::string outputDir;
    // Reads `init <par>: [model, layer, param]` weights from external model files at creation
    // and at a reinit (io::kerasReader(); streamlab-run and the IDE set it). Empty: such inits
    // are an error.
    ExternalReader externalReader;
    // Most bytes the session may allocate (Network::memoryEstimate): create() and validate()
    // refuse a network that needs more, naming its largest parts, before anything is allocated.
    // 0: no limit.
    uint64_t memoryLimit = 0;
    // Where the limit comes from, for that message ("the 12.0 GiB of memory available"); empty:
    // "the memory limit of <limit>".
    std::string memoryLimitSource;
};

// A run-flag or split change, applied between frames: shorthand for the live edits
// Edit::setScalar(item, "flag", value) and Edit::setScalar("", "split", value).
struct Command
{
    enum class Kind {
        SetFlag, // item, value: 0 running, 1 paused, 2 off (NP, SP, interface)
        SetSplit, // value: agents a < value are held out
    };
    Kind kind = Kind::SetFlag;
    std::string item;
    int value = 0;
};

// One live scalar of an item inside a Session: its bounds and how to read and write it
// (livescalars.cpp). Session::scalars() gives the public view.
struct LiveScalar
{
    std::string name;
    double min = 0.0, max = 0.0;
    std::function<double()> get;
    std::function<bool(double)> set; // false: the owner refused the value
};

class Session
{
public:
    // Compiles `spec`; null with diagnostics when something cannot run (a missing data set, ...).
    // Everything validate() checks is checked before the first tensor is allocated.
    static std::unique_ptr<Session> create(spec::NetworkSpec spec, const SessionOptions &options,
                                           spec::Diagnostics &diagnostics);
    // Checks `spec` as create() does (the network compiles, its data sets and external models
    // are there, every init fits, the core clients can run, the memory estimate is within
    // options.memoryLimit) without allocating any tensor, so that create() succeeds exactly when
    // this does (unless memory runs out while it allocates). `estimate`, when given, receives
    // what create() would allocate (also when only the memory limit failed).
    static bool validate(const spec::NetworkSpec &spec, const SessionOptions &options,
                         spec::Diagnostics &diagnostics, MemoryEstimate *estimate = nullptr);
    ~Session();

    const spec::NetworkSpec &spec() const { return *mSpec; }
    const SessionOptions &options() const { return mOptions; }
    int threads() const { return mPool.threads(); }

    // Runs one frame / n frames on the calling thread (plus the worker pool). A failure inside a
    // task (a bug, or running out of memory) is rethrown here after the frame's tasks finished;
    // the frame counter then does not advance.
    void step();
    void run(int64_t frames);
    int64_t frame() const { return mFrame.load(); }

    // Live edits (edit.h, docs/live-edits.md). Thread-safe; applied at the start of the next
    // frame, in the order posted, and then written to the edit log. Returns the edit's id (its id
    // in the log, and in takeEditErrors() when it fails there).
    uint64_t post(Edit edit);
    uint64_t post(Command command);
    // Why `edit` could not be applied now, or "" when it can: an unknown item, parameter or edit
    // id (the message lists what exists), an index out of range (with the valid range), an init
    // that does not parse. Thread-safe; the CLI and GUI ask before posting.
    std::string check(const Edit &edit) const;
    // Edits that failed when applied, with their ids; takeCommandErrors() gives their messages.
    // Both take the same errors.
    std::vector<EditError> takeEditErrors();
    std::vector<std::string> takeCommandErrors();
    // Every applied edit in order (undos included); thread-safe copy.
    std::vector<EditRecord> editLog() const;
    // Changes whenever the log does (an edit applied, a log restored): readers copy the log
    // only when it moved. Thread-safe.
    uint64_t editLogRevision() const { return mEdits.revision(); }
    // Replay: applies each record's edit, with the record's id, at the start of the step that
    // follows its frame (so a fresh session with the same seed reproduces the logged run).
    // Records whose frame has passed are not scheduled: one message each.
    std::vector<std::string> scheduleEdits(const std::vector<EditRecord> &records);
    // The live scalars of `item` ("" = the session: split) with values and bounds; empty when
    // there is no such item. Engine thread, or while the runner is idle.
    std::vector<ScalarInfo> scalars(const std::string &item) const;
    int split() const { return mSplit; }
    // Reports of frames whose plasticity updates were dropped (NaN or Inf), naming the plasticity,
    // item, parameter and frame. Runners pause when one appears; take them to resume.
    std::vector<std::string> takeAlerts();
    bool hasAlerts() const;
    // Current run flag of an item (0 running, 1 paused, 2 off), -1 if unknown.
    int flag(const std::string &item) const;

    // Current learning rate of a plasticity (changed by an lr_scheduler core client), or -1.
    double learningRate(const std::string &plasticity) const;

    // Engine-thread access (tests, the CLI between frames): states of frame `frame()`.
    const Tensor &state(const std::string &neuronPool) const;
    Parameter *parameter(const std::string &item, const std::string &name);
    Network &network() { return *mNetwork; }
    // The frame plan the backend runs (compiled at creation) and the backend.
    const plan::Plan &plan() const { return mPlan; }
    // The frame plan, then the plan of every loss plasticity's rollout and backward, as text.
    std::string printPlan();
    const backend::Backend &backend() const { return *mBackend; }

    // Snapshots: the slot is filled after every frame until unsubscribed. Null if the source does
    // not exist. Subscribing takes effect between frames.
    std::shared_ptr<SnapshotSlot> subscribe(const SnapshotSource &source);
    void unsubscribe(const std::shared_ptr<SnapshotSlot> &slot);
    // Fills `slot` now with the current frame's data (e.g. a view opened while paused shows the
    // paused frame). Only while no frame runs: on the engine thread, or while its runner is idle.
    void publishNow(const std::shared_ptr<SnapshotSlot> &slot);
    // Deferred snapshots (a runner streaming for a GUI turns them on): the states and parameters
    // of frame k are copied, and their statistics computed, by tasks of frame k+1's first
    // parallel batch, where they read the front states and parameters that the frame only reads
    // and fill the workers' idle time, instead of after frame k on the critical path. The frame
    // number in the slot stays k. flushSnapshots() publishes what is still pending (the runner
    // calls it before it goes idle, so a paused session's slots show its frame).
    void setDeferredSnapshots(bool on) { mSnapshots.setDeferred(on, mPool); }
    void flushSnapshots() { mSnapshots.flush(mPool); }
    bool hasDeferredSnapshots() const { return mSnapshots.hasDeferred(); }

    // Plasticity metrics (loss0/loss1, loss) as of the last frame; thread-safe copy.
    FrameMetrics::PlasticityMetrics plasticityMetrics() const
    {
        return mFrameMetrics.plasticityMetrics();
    }
    // Names of the classes of an interface (empty when it has none, or no such interface);
    // fixed for the session's life, so any thread may ask.
    std::vector<std::string> classNames(const std::string &interface) const;
    // Per-frame scalars for curves: plasticity metrics ("<plasticity>/<name>") and interface
    // metrics of at most kMaxCurveValues values ("<interface>/<name>[i]"), one record per frame
    // while recording is on (the IDE turns it on), so that a curve has every frame however
    // seldom it is drawn. Thread-safe; at most kMaxPendingScalars records wait (the oldest go).
    // (framemetrics.h)
    using ScalarRecord = session::ScalarRecord;
    static constexpr size_t kMaxCurveValues = FrameMetrics::kMaxCurveValues;
    static constexpr size_t kMaxPendingScalars = FrameMetrics::kMaxPendingScalars;
    void setRecordScalars(bool on) { mFrameMetrics.setRecordScalars(on); }
    std::vector<ScalarRecord> takeScalarRecords() { return mFrameMetrics.takeScalarRecords(); }
    // Interface metrics (e.g. per-delay accuracy) as of the last frame; thread-safe copy.
    FrameMetrics::InterfaceMetrics metrics() const { return mFrameMetrics.metrics(); }
    // State of the trainvaltest core client (empty when none runs) as of the last frame;
    // thread-safe copy.
    std::vector<TrainValTestStatus> trainValTestStatus() const
    {
        return mFrameMetrics.trainValTestStatus();
    }
    // Engine-thread access: the trainvaltest client, or null.
    const TrainValTestClient *trainValTest() const { return mTrainValTest.get(); }

    // Model files (io/model.h): everything the next frame depends on, item by item
    // (sessionstate.cpp, docs/hdf5-schema.md); with `weightsOnly` only the parameters. Only
    // between frames (engine thread, or while the runner is idle).
    void saveState(StateWriter &out, bool weightsOnly = false) const;
    // Restores what `in` holds, matching items by name and arrays by name and shape. Appends one
    // message per mismatch (missing in the file, missing in the network, a different shape, a
    // component state that does not fit) to `messages`; what matched is restored, the rest
    // keeps its fresh state. Only between frames.
    void restoreState(const StateReader &in, bool weightsOnly, std::vector<std::string> &messages);

private:
    Session(std::unique_ptr<spec::NetworkSpec> spec, const SessionOptions &options);
    // create() up to the allocation: the network built, its inits checked, the trainvaltest
    // client created and the memory estimate (for `threads` threads; 0: the session's) within
    // the limit. Null with diagnostics otherwise.
    static std::unique_ptr<Session> prepare(std::unique_ptr<spec::NetworkSpec> spec,
                                            const SessionOptions &options,
                                            spec::Diagnostics &diagnostics,
                                            MemoryEstimate *estimate, int threads);
    // The live scalars of `item`; false when there is no such item.
    bool liveScalars(const std::string &item, std::vector<LiveScalar> &out);
    // liveScalars() for looking only (names, bounds, get).
    bool liveScalarsOf(const std::string &item, std::vector<LiveScalar> &out) const;
    std::string itemKind(const std::string &item) const; // "neuron pool", ... or ""
    // The tensor a Tensor edit changes, its agent axes and its own init (edittensor.cpp).
    struct TensorTarget
    {
        Tensor *tensor = nullptr;
        Parameter *parameter = nullptr; // null for a state
        int agentAxes = 0; // 1 for states and unshared parameters
        const spec::InitSpec *init = nullptr; // null for a state (zeros)
    };
    // `front`: the state buffer (checks only need the shape: any buffer).
    std::string findTensor(const Edit &edit, int front, TensorTarget &target) const;
    std::string checkScalar(const Edit &edit) const;
    std::string checkTensor(const Edit &edit) const;
    std::string checkUndo(const Edit &edit) const;
    void applyEdits();
    std::string applyEdit(uint64_t id, const Edit &edit);
    std::string applyScalar(const Edit &edit, EditRecord &record);
    std::string applyTensor(uint64_t id, const Edit &edit, EditRecord &record);
    std::string applyUndo(const Edit &edit, EditRecord &record);
    // The edit log and the live scalars it changed, in a model file (sessionstate.cpp).
    void saveEdits(StateWriter &out) const;
    void restoreEdits(const StateReader &in, std::vector<std::string> &messages);
    // The parts of every neuron pool's task (plan::Task), in the order the frame hands them to
    // the workers: the largest first, so that the last to finish are small.
    void planParts();
    void computePart(size_t unit, int front, int64_t frame);
    void updateInterface(int j, int front, int64_t frame);
    void applyDeltas();
    // Sums the interfaces' outputs into the neuron pools' input for the next frame.
    void gatherInterfaceData();
    void runCoreClients(int64_t frame);
    void finishCoreClients(int64_t frame);
    // After a frame: the snapshot hub publishes, the frame metrics take their numbers.
    void publishSnapshots();
    // The tensor of a subscription. "grad" and "update" are summed into `scratch`; without
    // scratch only their existence is checked.
    const Tensor *snapshotTensor(const SnapshotSource &source, Tensor *scratch = nullptr) const;
    // snapshotTensor for the interface kinds "output", "label", "conf_mat"
    // (interfacesnapshot.cpp).
    const Tensor *interfaceTensor(const SnapshotSource &source, Tensor *scratch) const;

    std::unique_ptr<spec::NetworkSpec> mSpec;
    SessionOptions mOptions;
    // The backend outlives the network: loss plasticities hold memory it allocated.
    std::unique_ptr<backend::Backend> mBackend;
    std::unique_ptr<Network> mNetwork;
    plan::Plan mPlan;
    std::vector<uint8_t> mSynapsePoolRuns; // by SP: runs this frame (the plan's context)
    std::vector<uint8_t> mInputWritten; // by NP: gatherInterfaceData wrote its input
    struct Part
    {
        int task = 0, part = 0;
    };
    std::vector<Part> mParts; // planParts()
    WorkerPool mPool;
    std::atomic<int64_t> mFrame {0};
    int mFront = 0;
    int mSplit = 0;

    // lr_scheduler core clients with an exponential decay: lr *= decay every frame from `start`.
    struct LrSchedule
    {
        size_t plasticity = 0;
        double decay = 1.0;
        int64_t start = 2;
    };
    std::vector<LrSchedule> mSchedules;
    std::unique_ptr<TrainValTestClient> mTrainValTest;

    EditQueue mEdits; // posted and scheduled edits, their errors, the edit log
    mutable std::mutex mAlertMutex;
    std::vector<std::string> mAlerts;
    std::vector<std::vector<std::string>> mInterfaceScalars; // live parameter names per interface

    // Snapshot subscriptions (snapshothub.h) and the numbers reported after every frame
    // (framemetrics.h).
    SnapshotHub mSnapshots;
    FrameMetrics mFrameMetrics;
    std::unique_ptr<Learning> mLearning; // made with the network
};

} // namespace streamlab::session
