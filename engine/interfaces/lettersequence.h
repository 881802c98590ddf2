// lettersequence (reference §1.7): windows of text from a folder of text files as one-hot ASCII
// sequences [A, 128, L, 1]; ls_seq_1 runs `offset` letters ahead of ls_seq_0, and both advance
// one letter per frame while a stimulus (a text position) lasts.
#pragma once

#include "interfaces/confusionmatrix.h"
#include "interfaces/interface.h"
#include "interfaces/stimulustiming.h"

#include <memory>
#include <string>
#include <vector>

namespace streamlab::interfaces {

// The texts of a folder: every regular file, in file-name order.
bool loadTexts(const std::string &folder, std::vector<std::string> &texts, std::string &error);

class LetterSequenceInterface : public Interface
{
public:
    LetterSequenceInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                            std::vector<std::string> texts, int offset,
                            StimulusDurations durations);
    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    std::vector<InterfaceMetric> metrics() const override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    // The letter ls_seq_1 starts with: the one to predict.
    int stimulusClass(int agent) const override;
    std::vector<std::string> classNames() const override;
    const TemporalConfusionMatrix *confusionMatrix(const std::string &which) const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;

    // Character at position `pos` of the current text of `agent` (-1 outside the text).
    int characterAt(int agent, long pos) const;
    long position(int agent) const { return mPosition[static_cast<size_t>(agent)]; }
    const StimulusTiming &timing() const { return mTiming; }

private:
    void writeSequence(Tensor &out, int agent, long start) const;

    std::vector<std::string> mTexts;
    int mOffset;
    int mMode;
    StimulusTiming mTiming;
    std::vector<int> mFile; // per agent
    std::vector<long> mPosition; // per agent: start of ls_seq_0 at elapsed 0
    std::unique_ptr<ClassificationMetrics> mMetrics;
};

} // namespace streamlab::interfaces
