#include "session/session.h"

#include "session/lossplasticity.h"
#include "session/plancompile.h"

#include <algorithm>
#include <new>
#include <thread>
#include <utility>

namespace streamlab::session {

Session::Session(std::unique_ptr<spec::NetworkSpec> spec, const SessionOptions &options)
    : mSpec(std::move(spec))
    , mOptions(options)
    , mPool(options.threads)
    , mSnapshots([this](const SnapshotSource &source, Tensor *scratch) {
        return snapshotTensor(source, scratch);
    })
{
}

Session::~Session() = default;

static spec::Diagnostic outOfMemory(const spec::NetworkSpec &spec)
{
    spec::Diagnostic d;
    d.mark = {spec.file, 1, 1};
    d.message = "not enough memory for the states and parameters of this network";
    return d;
}

std::unique_ptr<Session> Session::prepare(std::unique_ptr<spec::NetworkSpec> spec,
                                          const SessionOptions &options,
                                          spec::Diagnostics &diagnostics, MemoryEstimate *estimate,
                                          int threads)
{
    std::unique_ptr<Session> session(new Session(std::move(spec), options));
    std::string deviceError;
    session->mBackend = backend::create(options.device, &deviceError);
    if (!session->mBackend) {
        spec::Diagnostic d;
        d.mark = {session->mSpec->file, 1, 1};
        d.message = deviceError;
        diagnostics.push_back(d);
        return nullptr;
    }
    CompileOptions compileOptions;
    compileOptions.seed = options.seed;
    compileOptions.dataDir = options.dataDir;
    compileOptions.externalReader = options.externalReader;
    try {
        // Data sets are read here (an interface checks that its data is there).
        session->mNetwork = Network::build(*session->mSpec, compileOptions, diagnostics);
        if (!session->mNetwork || !session->mNetwork->checkInitializations(diagnostics))
            return nullptr;
    } catch (const std::bad_alloc &) {
        diagnostics.push_back(outOfMemory(*session->mSpec));
        return nullptr;
    }
    // Core clients: trainvaltest runs here (lr_scheduler is set up in create(), where the
    // plasticities exist); save_images is validated only.
    const auto &net = *session->mSpec;
    bool clientsOk = true;
    for (const auto &client : net.coreClients) {
        const spec::Node *state = client.node.find("state");
        if ((state && state->toBool() == false) || client.type != "trainvaltest")
            continue;
        if (session->mTrainValTest) {
            spec::Diagnostic d;
            d.mark = client.mark;
            d.item = client.name;
            d.message = "only one trainvaltest client can run (it owns the session split); '"
                + session->mTrainValTest->status().name
                + "' already does; switch this one off with state: False";
            diagnostics.push_back(d);
            clientsOk = false;
            continue;
        }
        session->mTrainValTest = TrainValTestClient::create(client, net, *session->mNetwork,
                                                            options.outputDir, diagnostics);
        clientsOk = clientsOk && session->mTrainValTest != nullptr;
    }
    if (!clientsOk)
        return nullptr;
    const MemoryEstimate needed
        = session->mNetwork->memoryEstimate(threads > 0 ? threads : session->threads());
    if (estimate)
        *estimate = needed;
    if (options.memoryLimit && needed.total > options.memoryLimit) {
        spec::Diagnostic d;
        d.mark = {net.file, 1, 1};
        d.message = "not enough memory: the network needs about " + formatBytes(needed.total)
            + " to run, more than "
            + (options.memoryLimitSource.empty()
                   ? "the memory limit of " + formatBytes(options.memoryLimit)
                   : options.memoryLimitSource)
            + "; the largest parts are " + needed.largest(3);
        diagnostics.push_back(d);
        return nullptr;
    }
    return session;
}

bool Session::validate(const spec::NetworkSpec &spec, const SessionOptions &options,
                       spec::Diagnostics &diagnostics, MemoryEstimate *estimate)
{
    // No worker threads for a session that never runs; the estimate counts the threads a run
    // would have.
    SessionOptions checking = options;
    checking.threads = 1;
    const int threads = options.threads > 0
        ? options.threads
        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return prepare(std::make_unique<spec::NetworkSpec>(spec), checking, diagnostics, estimate,
                   threads)
        != nullptr;
}

std::unique_ptr<Session> Session::create(spec::NetworkSpec spec, const SessionOptions &options,
                                         spec::Diagnostics &diagnostics)
{
    auto session = prepare(std::make_unique<spec::NetworkSpec>(std::move(spec)), options,
                           diagnostics, nullptr, 0);
    if (!session)
        return nullptr;
    try {
        if (!session->mNetwork->allocate(diagnostics))
            return nullptr;
        session->mPlan = compilePlan(*session->mNetwork);
        for (auto &run : session->mNetwork->plasticities)
            if (auto *loss = dynamic_cast<LossPlasticity *>(run.plasticity.get()))
                loss->useBackend(session->mBackend.get());
        session->mLearning = std::make_unique<Learning>(*session->mNetwork, &session->mPool);
        session->planParts();
    } catch (const std::bad_alloc &) {
        diagnostics.push_back(outOfMemory(*session->mSpec));
        return nullptr;
    }
    const auto &net = *session->mSpec;
    for (const auto &client : net.coreClients) {
        const spec::Node &n = client.node;
        const spec::Node *state = n.find("state");
        if ((state && state->toBool() == false) || client.type != "lr_scheduler")
            continue;
        const spec::Node *plast = n.find("plast");
        const spec::Node *schedule = n.find("schedule");
        if (!plast || (schedule && schedule->text() == "constant"))
            continue;
        LrSchedule s;
        for (size_t j = 0; j < net.plasticities.size(); ++j)
            if (net.plasticities[j].name == plast->text())
                s.plasticity = j;
        const spec::Node *decay = n.find("decay");
        s.decay = decay ? decay->toDouble().value_or(1.0) : 1.0;
        const spec::Node *start = n.find("start frame");
        s.start = start ? start->toInt().value_or(2) : 2;
        if (session->mNetwork->plasticities[s.plasticity].plasticity)
            session->mSchedules.push_back(s);
    }
    if (session->mTrainValTest)
        session->mFrameMetrics.setTrainValTestStatus({session->mTrainValTest->status()});
    for (const auto &run : session->mNetwork->interfaces) {
        auto &names = session->mInterfaceScalars.emplace_back();
        for (const auto &[name, value] : run.interface->liveParameters())
            names.push_back(name);
    }
    return session;
}

int Session::flag(const std::string &item) const
{
    for (const auto &np : mNetwork->neuronPools)
        if (np.spec->name == item)
            return static_cast<int>(np.flag);
    for (const auto &sp : mNetwork->synapsePools)
        if (sp.spec->name == item)
            return static_cast<int>(sp.flag);
    for (const auto &run : mNetwork->interfaces)
        if (run.interface->name() == item)
            return static_cast<int>(run.flag);
    for (size_t j = 0; j < mSpec->plasticities.size(); ++j)
        if (mSpec->plasticities[j].name == item)
            return static_cast<int>(mNetwork->plasticities[j].flag);
    return -1;
}

void Session::step()
{
    applyEdits();
    runCoreClients(mFrame.load() + 1);
    const int front = mFront;
    const int64_t k = mFrame.load();
    Network &net = *mNetwork;

    // Neuron pools read front (frame k) and write back (frame k+1); plasticities read front and
    // the current parameters and write only their own deltas; interfaces read front and write
    // their own outputs, which reach the neuron pools' input after the batch
    // (gatherInterfaceData). All run side by side, the longest first, so that the short ones
    // fill in at the end: interfaces (each one task, rendering stimuli for every agent), then
    // the plasticities (a loss rollout's parts are the largest tasks of a frame), then the
    // neuron pools' tasks and parts.
    // The previous frame's deferred snapshots join the batch: they read only the front states
    // and the parameters, as the batch does.
    mSynapsePoolRuns.resize(net.synapsePools.size());
    for (size_t k = 0; k < net.synapsePools.size(); ++k)
        mSynapsePoolRuns[k] = net.synapsePools[k].flag == RunFlag::Running;
    const int interfaces = static_cast<int>(net.interfaces.size());
    mLearning->schedule(front, k, mSplit, mSpec->agents);
    const int learning = interfaces + mLearning->tasks();
    const int tasks = learning + static_cast<int>(mParts.size());
    // (Not a structured binding: the lambda below captures both.)
    const auto pending = mSnapshots.takeDeferred();
    const SnapshotHub::Subscriptions &deferred = pending.first;
    const int64_t deferredFrame = pending.second;
    mPool.run(tasks + static_cast<int>(deferred.size()), [&](int i) {
        if (i < interfaces) {
            updateInterface(i, front, k);
        } else if (i < learning) {
            mLearning->runTask(i - interfaces);
        } else if (i < tasks) {
            computePart(static_cast<size_t>(i - learning), front, k);
        } else {
            const auto &[source, slot] = deferred[static_cast<size_t>(i - tasks)];
            mSnapshots.publishTo(*source, *slot, deferredFrame);
        }
    });

    mLearning->finish();
    // The interfaces' data, which neuron pools add in the next frame.
    gatherInterfaceData();

    applyDeltas();
    finishCoreClients(k + 1);

    mFront = 1 - front;
    mFrame.store(k + 1);
    publishSnapshots();
}

void Session::gatherInterfaceData()
{
    // The first output a pool receives is copied, the others added (in interface order, as a
    // sum from 0 would round): one pass over the data of a pool with one interface, on the frame's
    // serial tail. Each output has its pool's shape (Network::allocate).
    Network &net = *mNetwork;
    mInputWritten.assign(net.neuronPools.size(), 0);
    for (auto &run : net.interfaces) {
        for (const auto &[topic, n] : run.outTopics) {
            auto &np = net.neuronPools[static_cast<size_t>(n)];
            const Tensor &v = run.outputs.at(topic);
            const float *src = v.data();
            float *dst = np.input.data();
            if (!mInputWritten[static_cast<size_t>(n)]) {
                std::copy(src, src + v.size(), dst);
                mInputWritten[static_cast<size_t>(n)] = 1;
            } else {
                for (size_t i = 0; i < v.size(); ++i)
                    dst[i] += src[i];
            }
        }
    }
    for (size_t n = 0; n < net.neuronPools.size(); ++n)
        if (net.neuronPools[n].hasInput && !mInputWritten[n])
            net.neuronPools[n].input.fill(0.0f);
}

void Session::runCoreClients(int64_t frame)
{
    // statestream's lr_scheduler: lr *= decay before every read phase once the client is active.
    for (const auto &schedule : mSchedules)
        if (frame >= schedule.start)
            mNetwork->plasticities[schedule.plasticity].plasticity->optimizer().lr
                *= schedule.decay;
    if (mTrainValTest)
        mTrainValTest->beforeFrame(frame, mSplit);
}

void Session::finishCoreClients(int64_t frame)
{
    if (!mTrainValTest)
        return;
    mTrainValTest->afterFrame(frame, mSplit);
    if (std::string error = mTrainValTest->takeError(); !error.empty()) {
        std::lock_guard lock(mAlertMutex);
        mAlerts.push_back(std::move(error));
    }
}

std::string Session::printPlan()
{
    std::string text = plan::print(mPlan);
    for (auto &run : mNetwork->plasticities)
        if (auto *loss = dynamic_cast<LossPlasticity *>(run.plasticity.get()))
            text += "\n" + plan::print(loss->plan());
    return text;
}

double Session::learningRate(const std::string &plasticity) const
{
    for (size_t j = 0; j < mSpec->plasticities.size(); ++j)
        if (mSpec->plasticities[j].name == plasticity && mNetwork->plasticities[j].plasticity)
            return mNetwork->plasticities[j].plasticity->optimizer().lr;
    return -1.0;
}

void Session::applyDeltas()
{
    std::vector<std::string> alerts = mLearning->applyDeltas();
    if (!alerts.empty()) {
        std::lock_guard lock(mAlertMutex);
        mAlerts.insert(mAlerts.end(), alerts.begin(), alerts.end());
    }
}

std::vector<std::string> Session::takeAlerts()
{
    std::lock_guard lock(mAlertMutex);
    return std::exchange(mAlerts, {});
}

bool Session::hasAlerts() const
{
    std::lock_guard lock(mAlertMutex);
    return !mAlerts.empty();
}

void Session::run(int64_t frames)
{
    for (int64_t i = 0; i < frames; ++i)
        step();
}

void Session::updateInterface(int j, int front, int64_t frame)
{
    Network &net = *mNetwork;
    InterfaceRun &run = net.interfaces[static_cast<size_t>(j)];
    if (run.flag == RunFlag::Off) {
        for (auto &[topic, t] : run.outputs)
            t.fill(0.0f);
        return;
    }
    if (run.flag == RunFlag::Paused || !isDue(run.interface->spec(), frame))
        return; // keeps writing its last data
    std::map<std::string, const Tensor *> inputs;
    for (const auto &[topic, n] : run.inTopics)
        inputs[topic] = &net.neuronPools[static_cast<size_t>(n)].state[front];
    std::map<std::string, Tensor *> outputs;
    for (auto &[topic, t] : run.outputs) {
        t.fill(0.0f);
        outputs[topic] = &t;
    }
    run.interface->update(frame + 1, mSplit, inputs, outputs);
}

const Tensor &Session::state(const std::string &neuronPool) const
{
    const int n = mNetwork->neuronPoolIndex(neuronPool);
    assert(n >= 0);
    return mNetwork->neuronPools[static_cast<size_t>(n)].state[mFront];
}

Parameter *Session::parameter(const std::string &item, const std::string &name)
{
    return mNetwork->parameter(item, name);
}

const Tensor *Session::snapshotTensor(const SnapshotSource &source, Tensor *scratch) const
{
    if (source.kind == SnapshotKind::State) {
        const int n = mNetwork->neuronPoolIndex(source.item);
        return n < 0 ? nullptr : &mNetwork->neuronPools[static_cast<size_t>(n)].state[mFront];
    }
    if (source.kind == SnapshotKind::Output || source.kind == SnapshotKind::Label
        || source.kind == SnapshotKind::ConfusionMatrix)
        return interfaceTensor(source, scratch);
    Parameter *p = mNetwork->parameter(source.item, source.name);
    if (!p)
        return nullptr;
    if (source.kind == SnapshotKind::Parameter)
        return &p->value;
    // Gradients and deltas live in the plasticities as flat vectors, one per plasticity that
    // trains the parameter: both are summed (the update is what lands on the parameter next
    // frame, as in applyDeltas). A gradient counts only when its plasticity computed it in this
    // frame; a stale one (not due, paused) would otherwise linger.
    const bool grad = source.kind == SnapshotKind::Gradient;
    bool trained = false;
    for (const auto &run : mNetwork->plasticities) {
        if (!run.plasticity)
            continue;
        const auto &parameters = run.plasticity->parameters();
        for (size_t i = 0; i < parameters.size(); ++i) {
            if (run.targets[i] != p)
                continue;
            if (!scratch)
                return &p->value; // existence only: the parameter has the same shape
            if (!trained) { // the first contribution: start from zeros
                if (scratch->sameShape(p->value))
                    scratch->fill(0.0f);
                else
                    *scratch = Tensor(p->value.dims());
            }
            trained = true;
            if (grad && !(run.computed && run.flag == RunFlag::Running))
                continue;
            const auto &values = grad ? parameters[i].grad : parameters[i].delta;
            for (size_t e = 0; e < values.size() && e < scratch->size(); ++e)
                (*scratch)[e] += values[e];
        }
    }
    return trained ? scratch : nullptr;
}

std::shared_ptr<SnapshotSlot> Session::subscribe(const SnapshotSource &source)
{
    return mSnapshots.subscribe(source);
}

void Session::unsubscribe(const std::shared_ptr<SnapshotSlot> &slot)
{
    mSnapshots.unsubscribe(slot);
}

void Session::publishNow(const std::shared_ptr<SnapshotSlot> &slot)
{
    mSnapshots.publishNow(slot, mFrame.load());
}

void Session::publishSnapshots()
{
    const int64_t frame = mFrame.load();
    mSnapshots.afterFrame(frame, mPool);
    mFrameMetrics.afterFrame(frame, *mNetwork, mTrainValTest.get());
}

} // namespace streamlab::session
