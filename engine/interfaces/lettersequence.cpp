#include "interfaces/lettersequence.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace streamlab::interfaces {

constexpr int AsciiClasses = 128;

bool loadTexts(const std::string &folder, std::vector<std::string> &texts, std::string &error)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec))
            files.push_back(entry.path());
    if (ec) {
        error = "cannot list '" + folder + "': " + ec.message();
        return false;
    }
    std::sort(files.begin(), files.end());
    for (const auto &file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!text.str().empty())
            texts.push_back(text.str());
    }
    if (texts.empty()) {
        error = "the folder '" + folder + "' has no non-empty text files";
        return false;
    }
    return true;
}

LetterSequenceInterface::LetterSequenceInterface(const spec::InterfaceSpec &spec,
                                                 const InterfaceContext &context,
                                                 std::vector<std::string> texts, int offset,
                                                 StimulusDurations durations)
    : Interface(spec, context)
    , mTexts(std::move(texts))
    , mOffset(offset)
    , mMode(spec.mode)
    , mTiming(context.agents, durations)
    , mFile(static_cast<size_t>(context.agents), 0)
    , mPosition(static_cast<size_t>(context.agents), 0)
{
    const std::vector<int> pred = topicShape(context, "ls_pred");
    if (lists(spec.in, "ls_pred") && pred.size() == 3)
        mMetrics = std::make_unique<ClassificationMetrics>(
            context.agents, pred[0], spec.confMatWindow, spec.confMatMeanOver, false);
}

CreateResult LetterSequenceInterface::create(const spec::InterfaceSpec &spec,
                                             const InterfaceContext &context)
{
    KeyReader keys(spec);
    StimulusDurations durations = readDurations(keys, {16, 24, 0});
    durations.fading = 0;
    const int offset = keys.integer("offset", 1);
    const std::string source = keys.text("source_path");
    requireTopicShapes(spec, context, keys);
    for (const char *topic : {"ls_seq_0", "ls_seq_1"})
        if (keys.ok() && lists(spec.out, topic) && topicShape(context, topic)[0] < AsciiClasses)
            keys.fail("out",
                      std::string(topic) + " needs a neuron pool of shape [128, L, 1], '"
                          + spec.npFor(topic) + "' has "
                          + Tensor::shapeString(topicShape(context, topic)));
    if (!keys.ok())
        return keys.failure();

    std::vector<std::string> tried;
    if (!source.empty())
        tried.push_back(source);
    if (!context.dataDir.empty()) {
        tried.push_back(joinPath(context.dataDir, "lettersequence"));
        tried.push_back(context.dataDir);
    }
    for (const std::string &folder : tried) {
        if (!isDirectory(folder))
            continue;
        std::vector<std::string> texts;
        std::string error;
        if (!loadTexts(folder, texts, error)) {
            keys.fail("source_path", error);
            return keys.failure();
        }
        CreateResult r;
        r.interface = std::make_unique<LetterSequenceInterface>(spec, context, std::move(texts),
                                                                offset, durations);
        return r;
    }
    keys.fail("source_path",
              "the lettersequence interface needs a folder of text files; "
                  + (tried.empty() ? std::string("neither source_path nor --data-dir is set")
                                   : "no such folder: " + joinList(tried, ", "))
                  + ". Set source_path to a folder of text files or pass --data-dir DIR");
    return keys.failure();
}

int LetterSequenceInterface::characterAt(int agent, long pos) const
{
    const std::string &text = mTexts[static_cast<size_t>(mFile[static_cast<size_t>(agent)])];
    if (pos < 0 || pos >= static_cast<long>(text.size()))
        return -1;
    // statestream clipped code points to 0..127; bytes above 127 become 127.
    const auto byte = static_cast<unsigned char>(text[static_cast<size_t>(pos)]);
    return std::min(127, static_cast<int>(byte));
}

void LetterSequenceInterface::writeSequence(Tensor &out, int agent, long start) const
{
    start = std::max(0L, start);
    for (int l = 0; l < out.dim(2); ++l) {
        const int c = characterAt(agent, start + l);
        if (c >= 0 && c < out.dim(1))
            out.at(agent, c, l, 0) = 1.0f;
    }
}

void LetterSequenceInterface::update(int64_t frame, int split,
                                     const std::map<std::string, const Tensor *> &inputs,
                                     std::map<std::string, Tensor *> &outputs)
{
    mTiming.advance(mRng);
    Tensor *seq0 = lists(mSpec.out, "ls_seq_0") ? outputFor(outputs, "ls_seq_0") : nullptr;
    Tensor *seq1 = lists(mSpec.out, "ls_seq_1") ? outputFor(outputs, "ls_seq_1") : nullptr;
    long length = 0;
    for (Tensor *t : {seq0, seq1})
        if (t)
            length = std::max<long>(length, t->dim(2));
    const int agents = mTiming.agents();
    std::vector<int> labels(static_cast<size_t>(agents), 0);
    for (int a = 0; a < agents; ++a) {
        const size_t i = static_cast<size_t>(a);
        if (mTiming.triggered(a)) {
            mFile[i] = mRng.uniformInt(0, static_cast<int>(mTexts.size()) - 1);
            // Keep both windows inside the text for the whole stimulus where the text allows.
            const long size = static_cast<long>(mTexts[static_cast<size_t>(mFile[i])].size());
            const long last = size - length - mTiming.duration(a) - std::max(0, mOffset);
            mPosition[i] = last > 0 ? mRng.uniformInt(0, static_cast<int>(last)) : 0;
        }
        const int src = mMode == 1 ? 0 : a;
        const long start = mPosition[static_cast<size_t>(src)] + mTiming.elapsed(src);
        labels[i] = std::max(0, characterAt(src, std::max(0L, start + mOffset)));
        if (a > 0 && mMode == 1)
            continue;
        if (seq0)
            writeSequence(*seq0, a, start);
        if (seq1)
            writeSequence(*seq1, a, start + mOffset);
    }
    if (mMode == 1)
        copyAgentZero(outputs);

    const Tensor *pred = inputFor(inputs, "ls_pred");
    if (!mMetrics || !pred || pred->rank() != 4)
        return;
    std::vector<int> elapsed;
    std::vector<char> triggers;
    mTiming.onsets(agents, mMode == 1, elapsed, triggers);
    mMetrics->update(frame, split, *pred, labels, elapsed, triggers);
}

std::vector<InterfaceMetric> LetterSequenceInterface::metrics() const
{
    return mMetrics ? mMetrics->metrics() : std::vector<InterfaceMetric>();
}

int LetterSequenceInterface::stimulusClass(int agent) const
{
    if (agent < 0 || agent >= mTiming.agents())
        return -1;
    // As the label of update(): the first letter of ls_seq_1.
    const int src = mMode == 1 ? 0 : agent;
    const long start = mPosition[static_cast<size_t>(src)] + mTiming.elapsed(src);
    return std::max(0, characterAt(src, std::max(0L, start + mOffset)));
}

std::vector<std::string> LetterSequenceInterface::classNames() const
{
    std::vector<std::string> names(128);
    for (int c = 0; c < 128; ++c) {
        if (c == '\n')
            names[static_cast<size_t>(c)] = "\\n";
        else if (c == '\t')
            names[static_cast<size_t>(c)] = "\\t";
        else if (c == ' ')
            names[static_cast<size_t>(c)] = "space";
        else if (c < 32 || c == 127)
            names[static_cast<size_t>(c)] = "#" + std::to_string(c);
        else
            names[static_cast<size_t>(c)] = std::string(1, static_cast<char>(c));
    }
    return names;
}

const TemporalConfusionMatrix *
LetterSequenceInterface::confusionMatrix(const std::string &which) const
{
    return mMetrics && which.empty() ? &mMetrics->all() : nullptr;
}

bool LetterSequenceInterface::setParameter(const std::string &name, double value)
{
    if (name == "offset") {
        mOffset = static_cast<int>(std::lround(value));
        return true;
    }
    if (name == "mode") {
        mMode = static_cast<int>(std::lround(value));
        return true;
    }
    if (name == "fading")
        return false;
    return mTiming.setParameter(name, value);
}

std::vector<std::pair<std::string, double>> LetterSequenceInterface::liveParameters() const
{
    auto v = mTiming.liveParameters();
    v.pop_back(); // no fading: letters are not images
    v.insert(v.begin(), {{"mode", mMode}, {"offset", mOffset}});
    return v;
}

} // namespace streamlab::interfaces
