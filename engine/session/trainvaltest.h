// TrainValTestClient: statestream's `trainvaltest` core client (reference §1.8). From its start
// frame it drives its main interface (mnist or cifar10) through training epochs, validation
// passes and test passes, measures each with the interface's cumulative pass confusion matrix at
// one delay, and writes one CSV row per finished phase. The Session owns it and calls it between
// frames on the session thread; it changes only the interface's mode and stimulus durations, the
// session split and the plasticities' run flags (docs/st_graph.md, core_clients).
#pragma once

#include "session/network.h"
#include "spec/diagnostic.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::interfaces {
class ImageDatasetInterface;
struct PassResult;
} // namespace streamlab::interfaces

namespace streamlab::session {

// One finished phase: a CSV row.
struct TrainValTestRow
{
    int64_t frame = 0; // the last frame of the phase
    int epoch = 0; // training epochs completed (train: the one that just ended)
    std::string phase; // train, valid, test
    int64_t samples = 0; // stimuli counted at the evaluation delay
    std::optional<double> accuracy; // at the evaluation delay; none when no sample got there
    std::optional<double> loss; // mean loss of the main plasticity over the phase's frames
};

// What reports show of a running client.
struct TrainValTestStatus
{
    std::string name;
    std::string phase; // waiting (before the start frame), train, valid, test
    int epoch = 0;
    int delay = 0; // evaluation delay: the last delay of the interface's conf-mat window
    int64_t phaseStart = 0; // first frame of the current phase
    std::optional<double> trainAccuracy, validAccuracy, testAccuracy; // of the last rows
    std::string file; // the CSV file, "" when none is written
};

class TrainValTestClient
{
public:
    enum class Phase { Waiting, Train, Valid, Test };

    // Checks the client's keys against the compiled network; null with diagnostics when it
    // cannot run (main_interface missing or not mnist/cifar10, ...). `outputDir` is used when
    // the client has no target_folder; with neither, no file is written.
    static std::unique_ptr<TrainValTestClient>
    create(const spec::CoreClientSpec &client, const spec::NetworkSpec &spec, Network &network,
           const std::string &outputDir, spec::Diagnostics &diagnostics);

    // Start of frame `frame` (the frame being computed): starts training at the start frame
    // and keeps the split the current phase needs.
    void beforeFrame(int64_t frame, int &split);
    // End of frame `frame`: adds the main plasticity's loss of this frame, ends the phase whose
    // pass the interface completed (a row) and sets up the next one for frame + 1.
    void afterFrame(int64_t frame, int &split);

    Phase phase() const { return mPhase; }
    static const char *phaseName(Phase phase);
    TrainValTestStatus status() const;
    const std::vector<TrainValTestRow> &rows() const { return mRows; }
    const std::string &file() const { return mFile; }
    // A failure to write the CSV file ("" if none); cleared by taking it.
    std::string takeError();

    // Phase, epoch, loss sums, saved flags and rows (sessionstate.cpp). A restored client that
    // is past its start frame rewrites its CSV file with the restored rows and appends to it.
    void saveState(StateWriter &out) const;
    void restoreState(const StateReader &in);

private:
    TrainValTestClient() = default;
    void startPhase(Phase phase, int &split);
    void finishPhase(int64_t frame, const interfaces::PassResult &pass, int &split);
    void writeRow(const TrainValTestRow &row);

    std::string mName;
    int64_t mStartFrame = 2;
    int mValidateAfter = 1, mTestAfter = 1; // 0 = never
    int mTrainMode = 2;
    int mDelay = 0;
    int mAgents = 1;
    Network *mNetwork = nullptr;
    interfaces::ImageDatasetInterface *mInterface = nullptr;
    size_t mPlasticity = 0;
    bool mHasValid = true, mHasTest = true;
    int mMinDuration = 0, mMaxDuration = 0; // the interface's own, used while training

    Phase mPhase = Phase::Waiting;
    int mEpoch = 0;
    int64_t mPhaseStart = 0;
    double mLossSum = 0.0;
    int64_t mLossFrames = 0;
    std::vector<RunFlag> mSavedFlags; // plasticity flags while training
    std::vector<TrainValTestRow> mRows;

    std::string mFile;
    std::ofstream mOut;
    std::string mError;
};

} // namespace streamlab::session
