// Session::saveState / restoreState and the trainvaltest client's state: the layout of a model
// below its root (docs/hdf5-schema.md). States and parameters are matched by item name, array
// name and shape, so a model can be loaded into a changed network; every mismatch becomes one
// message naming the item, the array and both shapes.
#include "session/editlog.h"
#include "session/session.h"
#include "session/trainvaltest.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <tuple>

namespace streamlab::session {

namespace {

std::string quoted(const char *kind, const std::string &name)
{
    return std::string(kind) + " '" + name + "'";
}

// Frames beyond any run, with room left to count on: a saved frame number above it is damage.
constexpr int64_t MaxFrame = int64_t(1) << 53;

// Moves the error a reader recorded (a damaged attribute, a dataset of another type or of an
// absurd shape) into one message about `what`, so that the next item starts clean.
void takeError(const StateReader &in, const std::string &what, std::vector<std::string> &messages)
{
    if (in.ok())
        return;
    // The same damage met again (listing a group after opening its children) is told once.
    const std::string &error = in.error();
    const bool told = std::any_of(messages.begin(), messages.end(), [&](const std::string &m) {
        return m.size() >= error.size()
            && m.compare(m.size() - error.size(), error.size(), error) == 0;
    });
    if (!told)
        messages.push_back(what + ": " + error);
    in.clearError();
}

// `what`: "missing in the file", or the error the reader recorded when it found damage.
void reportMissing(const StateReader &in, const std::string &what,
                   std::vector<std::string> &messages)
{
    if (in.ok())
        messages.push_back(what + ": missing in the file");
    else
        takeError(in, what, messages);
}

// Reads array `name` of `group` into `t` when it is there with t's shape and type; else one
// message, and t keeps its values.
bool restoreArray(const StateReader &group, const std::string &name, Tensor &t,
                  const std::string &what, std::vector<std::string> &messages)
{
    const auto shape = group.shape(name);
    if (!shape) {
        reportMissing(group, what, messages);
        return false;
    }
    if (*shape != t.dims()) {
        messages.push_back(what + ": shape " + Tensor::shapeString(*shape) + " in the file, "
                           + t.shapeString() + " in the network");
        return false;
    }
    Tensor stored(t.dims());
    if (!group.readArray(name, StateType::Float32, stored.data())) {
        if (group.ok())
            messages.push_back(what + ": cannot be read from the file");
        takeError(group, what, messages);
        return false;
    }
    std::copy(stored.data(), stored.data() + stored.size(), t.data());
    return true;
}

void restoreFlag(const StateReader &group, RunFlag &flag, const std::string &what,
                 std::vector<std::string> &messages)
{
    const auto v = group.findInt("flag");
    if (!v)
        reportMissing(group, what + " flag", messages);
    else if (*v < 0 || *v > 2)
        messages.push_back(what + " flag: " + std::to_string(*v)
                           + " in the file, not 0 (running), 1 (paused) or 2 (off)");
    else
        flag = static_cast<RunFlag>(*v);
}

// Groups of `group` that the network does not have: "<kind> 'x': missing in the network".
void reportExtraGroups(const StateReader *group, const char *kind,
                       const std::function<bool(const std::string &)> &known,
                       std::vector<std::string> &messages)
{
    if (!group)
        return;
    for (const auto &name : group->groups())
        if (!known(name))
            messages.push_back(quoted(kind, name) + ": missing in the network");
}

} // namespace

void Session::saveState(StateWriter &out, bool weightsOnly) const
{
    const Network &net = *mNetwork;
    auto session = out.group("session");
    session->setInt("frame", mFrame.load());
    session->setInt("seed", static_cast<int64_t>(mOptions.seed));
    session->setInt("split", mSplit);
    session->setInt("agents", mSpec->agents);

    auto nps = out.group("neuron_pools");
    auto sps = out.group("synapse_pools");
    for (const auto &np : net.neuronPools) {
        auto g = nps->group(np.spec->name);
        if (weightsOnly)
            continue;
        g->setInt("flag", static_cast<int>(np.flag));
        g->setTensor("state", np.state[mFront]);
    }
    for (const auto &sp : net.synapsePools) {
        auto g = sps->group(sp.spec->name);
        if (!weightsOnly)
            g->setInt("flag", static_cast<int>(sp.flag));
    }
    // Parameters sit in their owner's group; a parameter shared through `share params` is
    // stored once, with its owner.
    for (const auto &[key, p] : net.parameters) {
        auto g = (mSpec->findNeuronPool(p->item) ? nps : sps)->group(p->item);
        g->setTensor(p->name, p->value);
        if (weightsOnly)
            continue;
        auto pending = net.pendingDeltas.find(p.get());
        if (pending != net.pendingDeltas.end() && pending->second.size() == p->value.size())
            g->group("pending")->setArray(p->name, StateType::Float32, p->value.dims(),
                                          pending->second.data());
    }
    if (weightsOnly)
        return;

    auto plasticities = out.group("plasticities");
    for (size_t j = 0; j < net.plasticities.size(); ++j) {
        const PlasticityRun &run = net.plasticities[j];
        auto g = plasticities->group(mSpec->plasticities[j].name);
        g->setInt("flag", static_cast<int>(run.flag));
        g->setInt("evaluate_only", run.evaluateOnly ? 1 : 0);
        g->setInt("computed", run.computed ? 1 : 0);
        if (run.plasticity)
            run.plasticity->saveState(*g);
    }
    auto interfaces = out.group("interfaces");
    for (const auto &run : net.interfaces) {
        auto g = interfaces->group(run.interface->name());
        g->setInt("flag", static_cast<int>(run.flag));
        auto outputs = g->group("outputs");
        for (const auto &[topic, t] : run.outputs)
            outputs->setTensor(topic, t);
        run.interface->saveState(*g);
    }
    auto clients = out.group("core_clients");
    if (mTrainValTest)
        mTrainValTest->saveState(*clients->group(mTrainValTest->status().name));
    saveEdits(out);
}

void Session::saveEdits(StateWriter &out) const
{
    const auto log = editLog();
    if (log.empty())
        return;
    auto group = out.group("edit_log");
    group->setInt("count", static_cast<int64_t>(log.size()));
    std::set<std::pair<std::string, std::string>> scalars; // (item, param) the log changed
    for (size_t i = 0; i < log.size(); ++i) {
        const EditRecord &r = log[i];
        auto g = group->group(std::to_string(i));
        g->setText("line", formatEditRecord(r));
        g->setInt("id", static_cast<int64_t>(r.id));
        g->setInt("frame", r.frame);
        g->setText("description", r.description);
        if (r.tensorValues)
            g->setFloats("old", r.oldValues);
        else if (!r.edit.item.empty())
            scalars.emplace(r.edit.item, r.edit.param);
    }
    // Their values now: some live only in the spec, which the stored st_graph does not change.
    auto settings = group->group("settings");
    for (const auto &info : scalars) {
        for (const auto &s : this->scalars(info.first))
            if (s.name == info.second)
                settings->group(info.first)->setReal(s.name, s.value);
    }
}

void Session::restoreEdits(const StateReader &in, std::vector<std::string> &messages)
{
    auto group = in.group("edit_log");
    if (!group)
        return; // a model saved without live edits
    std::vector<EditRecord> log;
    const int64_t count = group->findInt("count").value_or(0);
    for (int64_t i = 0; i < count; ++i) {
        auto g = group->getGroup(std::to_string(i));
        std::string error;
        auto record = g ? parseEditRecord(g->getText("line"), &error) : std::nullopt;
        if (record && record->tensorValues)
            record->oldValues = g->getFloats("old");
        if (!record || !in.ok()) {
            messages.push_back(group->path() + "/" + std::to_string(i) + ": "
                               + (in.ok() ? error : in.error())
                               + "; the edit log was not restored");
            in.clearError();
            return;
        }
        log.push_back(std::move(*record));
    }
    if (auto settings = group->group("settings")) {
        for (const auto &item : settings->groups()) {
            std::vector<LiveScalar> live;
            auto g = settings->group(item);
            if (!liveScalars(item, live)) {
                messages.push_back(group->path() + "/settings/" + item
                                   + ": missing in the network");
                continue;
            }
            for (auto &s : live)
                if (auto value = g->findReal(s.name))
                    s.set(*value);
        }
    }
    mEdits.restore(std::move(log));
}

void Session::restoreState(const StateReader &in, bool weightsOnly,
                           std::vector<std::string> &messages)
{
    Network &net = *mNetwork;
    in.clearError();
    auto session = in.group("session");
    auto nps = in.group("neuron_pools");
    auto sps = in.group("synapse_pools");

    // Parameters (and their pending deltas) of one item; then the arrays the network lacks.
    auto restoreItem = [&](const StateReader &g, const std::string &item, const char *kind) {
        std::set<std::string> known {"state"};
        for (auto &[key, p] : net.parameters) {
            if (p->item != item)
                continue;
            known.insert(p->name);
            const std::string what = quoted(kind, item) + " parameter " + p->name;
            restoreArray(g, p->name, p->value, what, messages);
            if (weightsOnly)
                continue;
            auto pending = g.group("pending");
            if (!pending || !pending->shape(p->name))
                continue;
            Tensor delta(p->value.dims());
            if (restoreArray(*pending, p->name, delta, what + " pending delta", messages))
                net.pendingDeltas[p.get()] = delta.values();
        }
        for (const auto &name : g.arrays())
            if (!known.count(name) && !(weightsOnly && name == "state"))
                messages.push_back(quoted(kind, item) + " parameter " + name
                                   + ": missing in the network");
    };

    for (auto &np : net.neuronPools) {
        const std::string &name = np.spec->name;
        auto g = nps ? nps->group(name) : nullptr;
        if (!g) {
            reportMissing(in, quoted("neuron pool", name), messages);
            continue;
        }
        if (!weightsOnly) {
            restoreFlag(*g, np.flag, quoted("neuron pool", name), messages);
            restoreArray(*g, "state", np.state[mFront], quoted("neuron pool", name) + " state",
                         messages);
        }
        restoreItem(*g, name, "neuron pool");
        takeError(in, quoted("neuron pool", name), messages);
    }
    for (auto &sp : net.synapsePools) {
        const std::string &name = sp.spec->name;
        auto g = sps ? sps->group(name) : nullptr;
        if (!g) {
            reportMissing(in, quoted("synapse pool", name), messages);
            continue;
        }
        if (!weightsOnly)
            restoreFlag(*g, sp.flag, quoted("synapse pool", name), messages);
        restoreItem(*g, name, "synapse pool");
        takeError(in, quoted("synapse pool", name), messages);
    }
    reportExtraGroups(
        nps.get(), "neuron pool",
        [&](const std::string &n) { return mSpec->findNeuronPool(n) != nullptr; }, messages);
    reportExtraGroups(
        sps.get(), "synapse pool",
        [&](const std::string &n) { return mSpec->findSynapsePool(n) != nullptr; }, messages);
    // Damage found while listing groups (a child that cannot be opened) is reported, too.
    takeError(in, "/", messages);
    if (weightsOnly)
        return;

    if (!session) {
        reportMissing(in, "/session", messages);
    } else {
        auto required = [&](const char *name) {
            const auto v = session->findInt(name);
            if (!v)
                reportMissing(*session, std::string("/session/") + name, messages);
            return v;
        };
        // Each is checked before use: the frame number is counted on from, the split compared
        // with agent indices.
        auto outside = [&](const char *name, int64_t v, int64_t low, int64_t high) {
            messages.push_back(std::string("/session/") + name + ": " + std::to_string(v)
                               + " in the file, outside [" + std::to_string(low) + ", "
                               + std::to_string(high) + "]");
        };
        if (const auto seed = required("seed");
            seed && static_cast<uint64_t>(*seed) != mOptions.seed)
            messages.push_back("seed: " + std::to_string(static_cast<uint64_t>(*seed))
                               + " in the file, " + std::to_string(mOptions.seed)
                               + " in the session (random streams will differ)");
        if (const auto agents = required("agents"); agents && *agents != mSpec->agents)
            messages.push_back("/session/agents: " + std::to_string(*agents) + " in the file, "
                               + std::to_string(mSpec->agents) + " in the network");
        if (const auto frame = required("frame"); frame && (*frame < 0 || *frame > MaxFrame))
            outside("frame", *frame, 0, MaxFrame);
        else if (frame)
            mFrame.store(*frame);
        if (const auto split = required("split"); split && (*split < 0 || *split > mSpec->agents))
            outside("split", *split, 0, mSpec->agents);
        else if (split)
            mSplit = static_cast<int>(*split);
        takeError(in, "/session", messages);
    }

    auto plasticities = in.group("plasticities");
    for (size_t j = 0; j < net.plasticities.size(); ++j) {
        PlasticityRun &run = net.plasticities[j];
        const std::string &name = mSpec->plasticities[j].name;
        auto g = plasticities ? plasticities->group(name) : nullptr;
        if (!g) {
            reportMissing(in, quoted("plasticity", name), messages);
            continue;
        }
        restoreFlag(*g, run.flag, quoted("plasticity", name), messages);
        run.evaluateOnly = g->findInt("evaluate_only").value_or(0) != 0;
        run.computed = g->findInt("computed").value_or(0) != 0;
        if (!run.plasticity)
            continue;
        run.plasticity->restoreState(*g);
        if (!in.ok())
            messages.push_back(quoted("plasticity", name) + ": " + in.error()
                               + "; its optimizer state was not restored");
        in.clearError();
    }
    reportExtraGroups(
        plasticities.get(), "plasticity",
        [&](const std::string &n) { return mSpec->findPlasticity(n) != nullptr; }, messages);

    auto interfaces = in.group("interfaces");
    for (auto &run : net.interfaces) {
        const std::string &name = run.interface->name();
        auto g = interfaces ? interfaces->group(name) : nullptr;
        if (!g) {
            reportMissing(in, quoted("interface", name), messages);
            continue;
        }
        restoreFlag(*g, run.flag, quoted("interface", name), messages);
        if (auto outputs = g->group("outputs"))
            for (auto &[topic, t] : run.outputs)
                restoreArray(*outputs, topic, t, quoted("interface", name) + " output " + topic,
                             messages);
        else if (!run.outputs.empty())
            messages.push_back(quoted("interface", name) + " outputs: missing in the file");
        run.interface->restoreState(*g);
        if (!in.ok())
            messages.push_back(quoted("interface", name) + ": " + in.error()
                               + "; its stimulus state was not restored");
        in.clearError();
    }
    reportExtraGroups(
        interfaces.get(), "interface",
        [&](const std::string &n) { return mSpec->findInterface(n) != nullptr; }, messages);

    auto clients = in.group("core_clients");
    if (mTrainValTest) {
        const std::string &name = mTrainValTest->status().name;
        auto g = clients ? clients->group(name) : nullptr;
        if (!g) {
            reportMissing(in, quoted("core client", name), messages);
        } else {
            mTrainValTest->restoreState(*g);
            if (!in.ok())
                messages.push_back(quoted("core client", name) + ": " + in.error());
            in.clearError();
        }
    }
    reportExtraGroups(
        clients.get(), "core client",
        [&](const std::string &n) { return mTrainValTest && mTrainValTest->status().name == n; },
        messages);

    restoreEdits(in, messages);
    takeError(in, "/", messages);
    // The data the interfaces wrote last is what the neuron pools add in the next frame.
    gatherInterfaceData();
    publishSnapshots();
}

// ---- trainvaltest -----------------------------------------------------------------------------

void TrainValTestClient::saveState(StateWriter &out) const
{
    out.setText("type", "trainvaltest");
    out.setInt("phase", static_cast<int>(mPhase));
    out.setInt("epoch", mEpoch);
    out.setInt("phase_start", mPhaseStart);
    out.setReal("loss_sum", mLossSum);
    out.setInt("loss_frames", mLossFrames);
    std::vector<int64_t> flags;
    for (RunFlag f : mSavedFlags)
        flags.push_back(static_cast<int>(f));
    out.setInts("saved_flags", flags);
    std::vector<int64_t> frames, epochs, phases, samples;
    std::vector<double> accuracies, losses;
    for (const auto &row : mRows) {
        frames.push_back(row.frame);
        epochs.push_back(row.epoch);
        phases.push_back(row.phase == "train" ? 1 : row.phase == "valid" ? 2 : 3);
        samples.push_back(row.samples);
        accuracies.push_back(row.accuracy.value_or(NAN));
        losses.push_back(row.loss.value_or(NAN));
    }
    auto rows = out.group("rows");
    rows->setInts("frame", frames);
    rows->setInts("epoch", epochs);
    rows->setInts("phase", phases);
    rows->setInts("samples", samples);
    rows->setReals("accuracy", accuracies);
    rows->setReals("loss", losses);
}

void TrainValTestClient::restoreState(const StateReader &in)
{
    const auto phase = static_cast<Phase>(std::clamp<int64_t>(in.getInt("phase"), 0, 3));
    const int64_t storedEpoch = in.getInt("epoch");
    const int64_t phaseStart = in.getInt("phase_start");
    const double lossSum = in.getReal("loss_sum");
    const int64_t lossFrames = in.getInt("loss_frames");
    // Counted on from: the epoch in an int, frames as the session's.
    for (const auto &[name, v, high] :
         {std::tuple<const char *, int64_t, int64_t> {"epoch", storedEpoch, 1 << 30},
          {"phase_start", phaseStart, MaxFrame},
          {"loss_frames", lossFrames, MaxFrame}})
        if (in.ok() && (v < 0 || v > high))
            in.fail(in.path() + "/" + name + ": " + std::to_string(v) + " in the file, outside [0, "
                    + std::to_string(high) + "]");
    const int epoch = static_cast<int>(storedEpoch);
    auto flags = in.getIntVector<int>("saved_flags");
    std::vector<TrainValTestRow> rows;
    if (auto g = in.getGroup("rows")) {
        const auto frames = g->getInts("frame");
        const long n = static_cast<long>(frames.size());
        const auto epochs = g->getInts("epoch", n);
        const auto phases = g->getInts("phase", n);
        const auto samples = g->getInts("samples", n);
        const auto accuracies = g->getReals("accuracy", n);
        const auto losses = g->getReals("loss", n);
        for (size_t i = 0; in.ok() && i < frames.size(); ++i) {
            TrainValTestRow row;
            row.frame = frames[i];
            row.epoch = static_cast<int>(epochs[i]);
            row.phase = phaseName(static_cast<Phase>(std::clamp<int64_t>(phases[i], 1, 3)));
            row.samples = samples[i];
            if (!std::isnan(accuracies[i]))
                row.accuracy = accuracies[i];
            if (!std::isnan(losses[i]))
                row.loss = losses[i];
            rows.push_back(row);
        }
    }
    if (!in.ok())
        return;
    mPhase = phase;
    mEpoch = epoch;
    mPhaseStart = phaseStart;
    mLossSum = lossSum;
    mLossFrames = lossFrames;
    mSavedFlags.clear();
    for (int f : flags)
        mSavedFlags.push_back(static_cast<RunFlag>(std::clamp(f, 0, 2)));
    mRows = std::move(rows);
    // The CSV file continues as the uninterrupted run's would: header and the restored rows.
    if (mOut.is_open())
        mOut.close();
    if (mPhase == Phase::Waiting || mFile.empty())
        return;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(mFile).parent_path(), ec);
    mOut.open(mFile, std::ios::trunc);
    if (!mOut) {
        mError = "trainvaltest '" + mName + "': cannot write '" + mFile + "'";
        return;
    }
    mOut << "frame,epoch,phase,samples,accuracy,loss" << std::endl;
    for (const auto &row : mRows)
        writeRow(row);
}

} // namespace streamlab::session
