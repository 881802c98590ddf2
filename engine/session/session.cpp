#include "session/session.h"

#include <algorithm>
#include <new>

namespace streamlab::session {

Session::Session(std::unique_ptr<spec::NetworkSpec> spec, const SessionOptions &options)
    : mSpec(std::move(spec))
    , mOptions(options)
    , mPool(options.threads)
{
}

Session::~Session() = default;

std::unique_ptr<Session> Session::create(spec::NetworkSpec spec, const SessionOptions &options,
                                         spec::Diagnostics &diagnostics)
{
    auto owned = std::make_unique<spec::NetworkSpec>(std::move(spec));
    std::unique_ptr<Session> session(new Session(std::move(owned), options));
    CompileOptions compileOptions;
    compileOptions.seed = options.seed;
    compileOptions.dataDir = options.dataDir;
    try {
        session->mNetwork = Network::compile(*session->mSpec, compileOptions, diagnostics);
    } catch (const std::bad_alloc &) {
        spec::Diagnostic d;
        d.mark = {session->mSpec->file, 1, 1};
        d.message = "not enough memory for the states and parameters of this network";
        diagnostics.push_back(d);
        return nullptr;
    }
    if (!session->mNetwork)
        return nullptr;
    // Core clients: lr_scheduler runs here; trainvaltest and save_images are validated only.
    const auto &net = *session->mSpec;
    for (const auto &client : net.coreClients) {
        const spec::Node &n = client.node;
        const spec::Node *state = n.find("state");
        if (client.type != "lr_scheduler" || (state && state->toBool() == false))
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
    return session;
}

void Session::post(Command command)
{
    std::lock_guard lock(mCommandMutex);
    mCommands.push_back(std::move(command));
}

std::vector<std::string> Session::takeCommandErrors()
{
    std::lock_guard lock(mCommandMutex);
    return std::exchange(mCommandErrors, {});
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

void Session::applyCommands()
{
    std::vector<Command> commands;
    {
        std::lock_guard lock(mCommandMutex);
        commands.swap(mCommands);
    }
    for (const auto &c : commands) {
        if (c.kind == Command::Kind::SetSplit) {
            mSplit = std::clamp(c.value, 0, mSpec->agents);
            continue;
        }
        const auto flag = static_cast<RunFlag>(std::clamp(c.value, 0, 2));
        bool found = false;
        for (auto &np : mNetwork->neuronPools)
            if (np.spec->name == c.item)
                np.flag = flag, found = true;
        for (auto &sp : mNetwork->synapsePools)
            if (sp.spec->name == c.item)
                sp.flag = flag, found = true;
        for (auto &run : mNetwork->interfaces)
            if (run.interface->name() == c.item)
                run.flag = flag, found = true;
        for (size_t j = 0; j < mSpec->plasticities.size(); ++j)
            if (mSpec->plasticities[j].name == c.item)
                mNetwork->plasticities[j].flag = flag, found = true;
        if (!found) {
            std::lock_guard lock(mCommandMutex);
            mCommandErrors.push_back("no neuron pool, synapse pool, plasticity or interface named '"
                                     + c.item + "'");
        }
    }
}

void Session::step()
{
    applyCommands();
    runCoreClients(mFrame.load() + 1);
    const int front = mFront;
    const int64_t k = mFrame.load();
    Network &net = *mNetwork;

    // Neuron pools read front (frame k) and write back (frame k+1); plasticities read front and
    // the current parameters and write only their own deltas. All run side by side.
    const int nps = static_cast<int>(net.neuronPools.size());
    mPool.run(nps + static_cast<int>(net.plasticities.size()), [&](int i) {
        if (i < nps)
            computeNeuronPool(i, front, k);
        else
            updatePlasticity(i - nps, front, k);
    });

    // Interfaces: read front states, write the data NPs add in the next frame.
    mPool.run(static_cast<int>(net.interfaces.size()),
              [&](int j) { updateInterface(j, front, k); });
    for (auto &np : net.neuronPools)
        if (np.hasInput)
            np.input.fill(0.0f);
    for (auto &run : net.interfaces) {
        for (const auto &[topic, n] : run.outTopics) {
            auto &np = net.neuronPools[static_cast<size_t>(n)];
            const Tensor &v = run.outputs.at(topic);
            for (size_t i = 0; i < v.size(); ++i)
                np.input[i] += v[i];
        }
    }

    applyDeltas();

    mFront = 1 - front;
    mFrame.store(k + 1);
    publishSnapshots();
}

void Session::runCoreClients(int64_t frame)
{
    // statestream's lr_scheduler: lr *= decay before every read phase once the client is active.
    for (const auto &schedule : mSchedules)
        if (frame >= schedule.start)
            mNetwork->plasticities[schedule.plasticity].plasticity->optimizer().lr
                *= schedule.decay;
}

double Session::learningRate(const std::string &plasticity) const
{
    for (size_t j = 0; j < mSpec->plasticities.size(); ++j)
        if (mSpec->plasticities[j].name == plasticity && mNetwork->plasticities[j].plasticity)
            return mNetwork->plasticities[j].plasticity->optimizer().lr;
    return -1.0;
}

void Session::updatePlasticity(int j, int front, int64_t frame)
{
    Network &net = *mNetwork;
    PlasticityRun &run = net.plasticities[static_cast<size_t>(j)];
    if (!run.plasticity)
        return;
    const auto &s = run.plasticity->spec();
    // Frame numbers here are those of the frame being computed (frame + 1).
    if (run.flag != RunFlag::Running || !isDue(s, frame) || frame + 1 <= s.startframe) {
        run.plasticity->skip();
        return;
    }
    plasticity::PlasticityFrame pf;
    pf.frame = frame + 1;
    pf.split = s.ignoreSplit ? 0 : mSplit;
    pf.agents = mSpec->agents;
    pf.state = [&](const std::string &name) -> const Tensor * {
        const int n = net.neuronPoolIndex(name);
        return n < 0 ? nullptr : &net.neuronPools[static_cast<size_t>(n)].state[front];
    };
    run.alert = run.plasticity->update(pf);
}

void Session::applyDeltas()
{
    // Deltas of the previous frame land now (reference §2.7.1: computed in frame k, seen by the
    // computation of frame k + 2), summed over plasticities and clipped to the bounds.
    Network &net = *mNetwork;
    for (auto &[parameter, delta] : net.pendingDeltas) {
        auto &values = parameter->value.values();
        for (size_t i = 0; i < values.size(); ++i)
            values[i] += delta[i];
        parameter->clip();
    }
    for (auto &[parameter, delta] : net.pendingDeltas)
        std::fill(delta.begin(), delta.end(), 0.0f);
    std::vector<std::string> alerts;
    for (auto &run : net.plasticities) {
        if (!run.plasticity)
            continue;
        if (!run.alert.empty())
            alerts.push_back(std::exchange(run.alert, {}));
        auto &trained = run.plasticity->parameters();
        for (size_t i = 0; i < trained.size(); ++i) {
            auto &pending = net.pendingDeltas[run.targets[i]];
            pending.resize(trained[i].delta.size(), 0.0f);
            for (size_t e = 0; e < pending.size(); ++e)
                pending[e] += trained[i].delta[e];
        }
    }
    if (!alerts.empty()) {
        std::lock_guard lock(mCommandMutex);
        mAlerts.insert(mAlerts.end(), alerts.begin(), alerts.end());
    }
}

std::vector<std::string> Session::takeAlerts()
{
    std::lock_guard lock(mCommandMutex);
    return std::exchange(mAlerts, {});
}

bool Session::hasAlerts() const
{
    std::lock_guard lock(mCommandMutex);
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

const Tensor *Session::snapshotTensor(const SnapshotSource &source) const
{
    if (source.kind == "state") {
        const int n = mNetwork->neuronPoolIndex(source.item);
        return n < 0 ? nullptr : &mNetwork->neuronPools[static_cast<size_t>(n)].state[mFront];
    }
    if (source.kind == "par") {
        const Parameter *p = mNetwork->parameter(source.item, source.name);
        return p ? &p->value : nullptr;
    }
    return nullptr;
}

std::shared_ptr<SnapshotSlot> Session::subscribe(const SnapshotSource &source)
{
    if (!snapshotTensor(source))
        return nullptr;
    auto slot = std::make_shared<SnapshotSlot>();
    std::lock_guard lock(mSubscriptionMutex);
    mSubscriptions.emplace_back(source, slot);
    return slot;
}

void Session::unsubscribe(const std::shared_ptr<SnapshotSlot> &slot)
{
    std::lock_guard lock(mSubscriptionMutex);
    mSubscriptions.remove_if([&](const auto &entry) { return entry.second == slot; });
}

void Session::publishSnapshots()
{
    {
        std::lock_guard lock(mSubscriptionMutex);
        for (auto &[source, slot] : mSubscriptions)
            if (const Tensor *t = snapshotTensor(source))
                slot->publish(*t, mFrame.load());
    }
    std::vector<std::pair<std::string, std::vector<interfaces::InterfaceMetric>>> metrics;
    for (const auto &run : mNetwork->interfaces) {
        auto m = run.interface->metrics();
        if (!m.empty())
            metrics.emplace_back(run.interface->name(), std::move(m));
    }
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> losses;
    for (const auto &run : mNetwork->plasticities) {
        if (!run.plasticity)
            continue;
        auto m = run.plasticity->metrics();
        if (!m.empty())
            losses.emplace_back(run.plasticity->name(), std::move(m));
    }
    std::lock_guard lock(mMetricsMutex);
    mMetrics = std::move(metrics);
    mPlasticityMetrics = std::move(losses);
}

std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>>
Session::plasticityMetrics() const
{
    std::lock_guard lock(mMetricsMutex);
    return mPlasticityMetrics;
}

std::vector<std::pair<std::string, std::vector<interfaces::InterfaceMetric>>>
Session::metrics() const
{
    std::lock_guard lock(mMetricsMutex);
    return mMetrics;
}

} // namespace streamlab::session
