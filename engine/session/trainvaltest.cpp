// The trainvaltest core client. Phases and what the session does in them:
//   train  interface mode 2 (or 0 when the interface is configured with mode 0), split 0, the
//          plasticities as they were; ends when the interface completes a pass through the
//          training set (an epoch);
//   valid  mode 2 with split = agents, so every agent walks through the validation set;
//          every plasticity paused, the main one only evaluated (its loss0, no update);
//   test   mode 3 (every agent walks through the test set), split = agents, paused likewise.
// Validation and test show every stimulus until the evaluation delay at least (min_duration
// raised to it if shorter), so each sample is measured once; training uses the interface's own
// durations. Every phase switch restarts the interface's stimuli, so each pass starts with a
// fresh shuffle.
#include "session/trainvaltest.h"

#include "interfaces/imagedataset.h"
#include "session/lossplasticity.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>

namespace streamlab::session {

using interfaces::DataSet;
using interfaces::ImageDatasetInterface;

static spec::Diagnostic makeDiagnostic(spec::Diagnostic::Severity severity, const spec::Mark &mark,
                                       const std::string &item, const std::string &key,
                                       const std::string &message)
{
    spec::Diagnostic d;
    d.severity = severity;
    d.mark = mark;
    d.item = item;
    d.key = key;
    d.message = message;
    return d;
}

// Synapse pools on the shortest path from NP `from` to NP `to`, or -1 when there is none.
static int synapseDistance(const spec::NetworkSpec &spec, const std::string &from,
                           const std::string &to)
{
    std::map<std::string, int> distance {{from, 0}};
    std::deque<std::string> queue {from};
    while (!queue.empty()) {
        const std::string np = queue.front();
        queue.pop_front();
        if (np == to)
            return distance[np];
        for (const auto &sp : spec.synapsePools)
            for (const auto &factor : sp.factors)
                for (const auto &input : factor.inputs)
                    if (input.source == np && !distance.count(sp.target)) {
                        distance[sp.target] = distance[np] + 1;
                        queue.push_back(sp.target);
                    }
    }
    return -1;
}

std::unique_ptr<TrainValTestClient> TrainValTestClient::create(const spec::CoreClientSpec &client,
                                                               const spec::NetworkSpec &spec,
                                                               Network &network,
                                                               const std::string &outputDir,
                                                               spec::Diagnostics &diagnostics)
{
    using Severity = spec::Diagnostic::Severity;
    const spec::Node &n = client.node;
    auto error = [&](const spec::Mark &mark, const std::string &key, const std::string &message) {
        diagnostics.push_back(makeDiagnostic(Severity::Error, mark, client.name, key, message));
        return nullptr;
    };
    auto warn = [&](const spec::Mark &mark, const std::string &key, const std::string &message) {
        diagnostics.push_back(makeDiagnostic(Severity::Warning, mark, client.name, key, message));
    };

    std::unique_ptr<TrainValTestClient> c(new TrainValTestClient);
    c->mName = client.name;
    c->mNetwork = &network;
    c->mAgents = spec.agents;

    const spec::Node *ifNode = n.find("main_interface");
    if (!ifNode || !ifNode->isScalar())
        return error(client.mark, "main_interface",
                     "trainvaltest needs main_interface: the mnist or cifar10 interface it "
                     "trains, validates and tests with");
    const spec::InterfaceSpec *ifSpec = spec.findInterface(ifNode->text());
    if (!ifSpec)
        return error(ifNode->mark(), "main_interface",
                     "main_interface '" + ifNode->text() + "' is not an interface");
    if (ifSpec->type != "mnist" && ifSpec->type != "cifar10")
        return error(ifNode->mark(), "main_interface",
                     "main_interface '" + ifSpec->name + "' is a " + ifSpec->type
                         + " interface; trainvaltest needs an mnist or cifar10 interface (the "
                           "only types with epoch and test modes)");
    for (auto &run : network.interfaces)
        if (run.interface->name() == ifSpec->name)
            c->mInterface = dynamic_cast<ImageDatasetInterface *>(run.interface.get());
    const std::string pred = ifSpec->type == "mnist" ? "mnist_pred" : "cf10_pred";
    const std::string image = ifSpec->type == "mnist" ? "mnist_image" : "cf10_image";
    if (!c->mInterface || !c->mInterface->measures())
        return error(ifNode->mark(), "main_interface",
                     "main_interface '" + ifSpec->name + "' does not read the prediction: add "
                         + pred + " to its `in` list (trainvaltest measures accuracy with it)");

    const spec::Node *plastNode = n.find("main_plasticity");
    if (!plastNode || !plastNode->isScalar())
        return error(client.mark, "main_plasticity",
                     "trainvaltest needs main_plasticity: the plasticity whose loss it reports");
    c->mPlasticity = spec.plasticities.size();
    for (size_t j = 0; j < spec.plasticities.size(); ++j)
        if (spec.plasticities[j].name == plastNode->text())
            c->mPlasticity = j;
    if (c->mPlasticity == spec.plasticities.size())
        return error(plastNode->mark(), "main_plasticity",
                     "main_plasticity '" + plastNode->text() + "' is not a plasticity");

    auto integer = [&](const char *key, long long fallback) {
        const spec::Node *v = n.find(key);
        return v ? v->toInt().value_or(fallback) : fallback;
    };
    c->mStartFrame = integer("start frame", 2);
    c->mValidateAfter = static_cast<int>(integer("validate_after_epochs", 1));
    c->mTestAfter = static_cast<int>(integer("test_after_epochs", 1));
    // Training walks the training set (mode 2) unless the interface asks for mode 0 itself.
    c->mTrainMode = ifSpec->node.has("mode") && ifSpec->mode == 0 ? 0 : 2;
    c->mDelay = std::max(0, ifSpec->confMatWindow - 1);

    // Settings under which some samples or delays would not mean what the rows claim.
    const spec::Node *windowNode = ifSpec->node.find("conf-mat window");
    auto warnWindow = [&](const std::string &message) {
        diagnostics.push_back(makeDiagnostic(
            Severity::Warning, windowNode ? windowNode->mark() : ifSpec->mark, ifSpec->name,
            "conf-mat window",
            "trainvaltest '" + client.name + "' measures accuracy at delay "
                + std::to_string(c->mDelay) + " (the last of the conf-mat window), " + message));
    };
    c->mMinDuration = c->mInterface->timing().minDuration();
    c->mMaxDuration = c->mInterface->timing().maxDuration();
    if (c->mDelay > c->mMinDuration)
        diagnostics.push_back(makeDiagnostic(
            Severity::Note, windowNode ? windowNode->mark() : ifSpec->mark, ifSpec->name,
            "conf-mat window",
            "trainvaltest '" + client.name + "' measures accuracy at delay "
                + std::to_string(c->mDelay) + " (the last of the conf-mat window); training "
                + "stimuli shorter than that (min_duration " + std::to_string(c->mMinDuration)
                + ") are not counted in the training rows. Validation and test show every "
                + "stimulus for at least " + std::to_string(c->mDelay + 1) + " frames"));
    if (std::find(ifSpec->out.begin(), ifSpec->out.end(), image) != ifSpec->out.end()) {
        const int distance = synapseDistance(spec, ifSpec->npFor(image), ifSpec->npFor(pred));
        if (distance >= 0 && c->mDelay < distance + 1)
            warnWindow("but the prediction is " + std::to_string(distance)
                       + " synapse pools from the image and sees a stimulus from delay "
                       + std::to_string(distance + 1) + " on; make the window at least "
                       + std::to_string(distance + 2));
    }
    c->mHasValid = c->mInterface->sampleCount(DataSet::Valid) > 0;
    c->mHasTest = c->mInterface->sampleCount(DataSet::Test) > 0;
    if (!c->mHasValid && c->mValidateAfter > 0)
        warn(ifNode->mark(), "main_interface",
             "'" + ifSpec->name + "' has no validation samples; validation is skipped");
    if (!c->mHasTest && c->mTestAfter > 0)
        warn(ifNode->mark(), "main_interface",
             "'" + ifSpec->name + "' has no test samples; testing is skipped");

    // The CSV file: target_folder (relative to the st_graph file's folder), else outputDir.
    std::filesystem::path folder;
    if (const spec::Node *target = n.find("target_folder"); target && !target->text().empty()) {
        folder = spec.resolvePath(target->text());
    } else if (!outputDir.empty()) {
        folder = outputDir;
    }
    if (!folder.empty()) {
        std::error_code ec;
        if (std::filesystem::exists(folder, ec) && !std::filesystem::is_directory(folder, ec))
            return error(n.find("target_folder") ? n.find("target_folder")->mark() : client.mark,
                         "target_folder",
                         "cannot write results into '" + folder.string() + "': it is not a folder");
        c->mFile = (folder / (spec.name + "_" + client.name + ".csv")).string();
    } else {
        diagnostics.push_back(makeDiagnostic(
            Severity::Note, client.mark, client.name, "target_folder",
            "no target_folder and no output folder (streamlab-run --out DIR): the results are "
            "reported but not written to a file"));
    }
    return c;
}

const char *TrainValTestClient::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Waiting:
        return "waiting";
    case Phase::Train:
        return "train";
    case Phase::Valid:
        return "valid";
    case Phase::Test:
        return "test";
    }
    return "";
}

void TrainValTestClient::beforeFrame(int64_t frame, int &split)
{
    if (mPhase == Phase::Waiting) {
        if (frame < mStartFrame)
            return;
        if (!mFile.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(std::filesystem::path(mFile).parent_path(), ec);
            mOut.open(mFile, std::ios::trunc);
            if (!mOut)
                mError = "trainvaltest '" + mName + "': cannot write '" + mFile + "'";
            else
                mOut << "frame,epoch,phase,samples,accuracy,loss" << std::endl;
        }
        mPhaseStart = frame;
        startPhase(Phase::Train, split);
        return;
    }
    // The client owns the split while it runs.
    split = mPhase == Phase::Train ? 0 : mAgents;
}

void TrainValTestClient::startPhase(Phase phase, int &split)
{
    auto &plasticities = mNetwork->plasticities;
    if (phase == Phase::Train) {
        if (mPhase != Phase::Waiting && mPhase != Phase::Train)
            for (size_t j = 0; j < plasticities.size() && j < mSavedFlags.size(); ++j)
                plasticities[j].flag = mSavedFlags[j];
        plasticities[mPlasticity].evaluateOnly = false;
        mInterface->setParameter("mode", mTrainMode);
        mInterface->setParameter("min_duration", mMinDuration);
        mInterface->setParameter("max_duration", mMaxDuration);
        split = 0;
    } else {
        if (mPhase == Phase::Train || mPhase == Phase::Waiting) {
            mSavedFlags.clear();
            for (const auto &run : plasticities)
                mSavedFlags.push_back(run.flag);
        }
        // No learning on held-out or test data: parameters stay as the epoch left them.
        for (auto &run : plasticities)
            run.flag = RunFlag::Paused;
        plasticities[mPlasticity].evaluateOnly = true;
        mInterface->setParameter("mode", phase == Phase::Test ? 3 : 2);
        // Every stimulus lasts until the evaluation delay, so each sample counts once there.
        mInterface->setParameter("min_duration", std::max(mMinDuration, mDelay));
        mInterface->setParameter("max_duration", std::max(mMaxDuration, mDelay));
        split = mAgents;
    }
    mInterface->restart();
    mPhase = phase;
    mLossSum = 0.0;
    mLossFrames = 0;
}

void TrainValTestClient::afterFrame(int64_t frame, int &split)
{
    if (mPhase == Phase::Waiting)
        return;
    const PlasticityRun &run = mNetwork->plasticities[mPlasticity];
    if (run.computed) {
        if (const auto *loss = dynamic_cast<const LossPlasticity *>(run.plasticity.get())) {
            mLossSum += mPhase == Phase::Train ? loss->loss1() : loss->loss0();
            ++mLossFrames;
        }
    }
    const DataSet wanted = mPhase == Phase::Train ? DataSet::Train
        : mPhase == Phase::Valid                  ? DataSet::Valid
                                                  : DataSet::Test;
    for (const auto &pass : mInterface->takeCompletedPasses()) {
        if (pass.set != wanted)
            continue;
        const Phase before = mPhase;
        finishPhase(frame, pass, split);
        if (mPhase != before)
            break; // the interface restarts; later passes are abandoned
    }
}

void TrainValTestClient::finishPhase(int64_t frame, const interfaces::PassResult &pass, int &split)
{
    TrainValTestRow row;
    row.frame = frame;
    if (mPhase == Phase::Train)
        ++mEpoch;
    row.epoch = mEpoch;
    row.phase = phaseName(mPhase);
    row.samples = pass.total.at(static_cast<size_t>(mDelay));
    if (row.samples > 0)
        row.accuracy = pass.accuracy(mDelay);
    if (mLossFrames > 0)
        row.loss = mLossSum / static_cast<double>(mLossFrames);
    mRows.push_back(row);
    writeRow(row);

    const bool validate = mHasValid && mValidateAfter > 0 && mEpoch % mValidateAfter == 0;
    const bool test = mHasTest && mTestAfter > 0 && mEpoch % mTestAfter == 0;
    Phase next = Phase::Train;
    if (mPhase == Phase::Train && validate)
        next = Phase::Valid;
    else if ((mPhase == Phase::Train || mPhase == Phase::Valid) && test)
        next = Phase::Test;
    mPhaseStart = frame + 1;
    if (next == Phase::Train && mPhase == Phase::Train) {
        // The next epoch is already streaming: no restart.
        mLossSum = 0.0;
        mLossFrames = 0;
        return;
    }
    startPhase(next, split);
}

void TrainValTestClient::writeRow(const TrainValTestRow &row)
{
    if (!mOut.is_open())
        return;
    // Missing values (no sample measured, no loss plasticity) are empty fields.
    char line[160];
    std::snprintf(line, sizeof line, "%lld,%d,%s,%lld,", static_cast<long long>(row.frame),
                  row.epoch, row.phase.c_str(), static_cast<long long>(row.samples));
    mOut << line;
    if (row.accuracy) {
        std::snprintf(line, sizeof line, "%.6f", *row.accuracy);
        mOut << line;
    }
    mOut << ",";
    if (row.loss) {
        std::snprintf(line, sizeof line, "%.6g", *row.loss);
        mOut << line;
    }
    // Flushed row by row: a killed run keeps every finished phase.
    mOut << std::endl;
    if (!mOut && mError.empty())
        mError = "trainvaltest '" + mName + "': cannot write '" + mFile + "'";
}

TrainValTestStatus TrainValTestClient::status() const
{
    TrainValTestStatus s;
    s.name = mName;
    s.phase = phaseName(mPhase);
    s.epoch = mEpoch;
    s.delay = mDelay;
    s.phaseStart = mPhaseStart;
    s.file = mFile;
    for (const auto &row : mRows) {
        auto &slot = row.phase == "train" ? s.trainAccuracy
            : row.phase == "valid"        ? s.validAccuracy
                                          : s.testAccuracy;
        if (row.accuracy)
            slot = row.accuracy;
    }
    return s;
}

std::string TrainValTestClient::takeError()
{
    return std::exchange(mError, {});
}

} // namespace streamlab::session
