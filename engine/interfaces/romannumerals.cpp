#include "interfaces/romannumerals.h"

#include "interfaces/interfacekeys.h"
#include "interfaces/pygameline.h"

#include <algorithm>

namespace streamlab::interfaces {

namespace {

struct Segment
{
    double x0, y0, x1, y1;
};

// statestream's atom table: segments of each numeral in unit coordinates (y downwards).
const std::vector<std::vector<Segment>> &atomTable()
{
    static const std::vector<std::vector<Segment>> table = {
        {{0.5, 0, 0.5, 1}},
        {{0.333, 0, 0.333, 1}, {0.667, 0, 0.667, 1}},
        {{0.25, 0, 0.25, 1}, {0.5, 0, 0.5, 1}, {0.75, 0, 0.75, 1}},
        {{0.25, 0, 0.5, 1}, {0.75, 0, 0.5, 1}, {0.25, 0, 0.25, 1}},
        {{0.25, 0, 0.5, 1}, {0.75, 0, 0.5, 1}},
        {{0.25, 0, 0.5, 1}, {0.75, 0, 0.5, 1}, {0.75, 0, 0.75, 1}},
        {{0, 0, 0.25, 1}, {0.5, 0, 0.25, 1}, {0.5, 0, 0.5, 1}, {0.75, 0, 0.75, 1}},
        {{0, 0, 0.25, 1}, {0.5, 0, 0.25, 1}, {0.5, 0, 0.5, 1}, {0.75, 0, 0.75, 1}, {1, 0, 1, 1}},
        {{0.25, 0, 0.75, 1}, {0.75, 0, 0.25, 1}, {0.25, 0, 0.25, 1}},
        {{0.25, 0, 0.75, 1}, {0.75, 0, 0.25, 1}},
    };
    return table;
}

// Jitter ranges of statestream's roman numerals (not st_graph keys).
constexpr double NumeralOffset = 0.02;
constexpr double AtomOffset = 0.02;
constexpr double CornerOffset = 0.02;
constexpr double MinScale = 0.8;
constexpr int MinWidth = 1, MaxWidth = 2; // numpy randint(1, 3)

} // namespace

int romanAtomCount(int cls)
{
    if (cls < 0 || cls >= RomanClasses)
        return 0;
    return static_cast<int>(atomTable()[static_cast<size_t>(cls)].size());
}

void renderRomanNumeral(int cls, const RomanJitter &jitter, int X, int Y, float *out)
{
    std::fill(out, out + static_cast<size_t>(X) * Y, 0.0f);
    if (cls < 0 || cls >= RomanClasses)
        return;
    const auto &segments = atomTable()[static_cast<size_t>(cls)];
    const RomanJitter::Atom none;
    for (size_t i = 0; i < segments.size(); ++i) {
        const Segment &s = segments[i];
        const RomanJitter::Atom &a = i < jitter.atoms.size() ? jitter.atoms[i] : none;
        const double x0 = s.x0 + jitter.offsetX + a.offsetX + a.corner0X;
        const double y0 = s.y0 + jitter.offsetY + a.offsetY + a.corner0Y;
        const double x1 = s.x1 + jitter.offsetX + a.offsetX + a.corner1X;
        const double y1 = s.y1 + jitter.offsetY + a.offsetY + a.corner1Y;
        // White is red channel 255 of the pygame surface, divided by 256.
        drawPygameLine(out, X, Y, pygameCoordinate(x0 * jitter.scale * X),
                       pygameCoordinate(y0 * jitter.scale * Y),
                       pygameCoordinate(x1 * jitter.scale * X),
                       pygameCoordinate(y1 * jitter.scale * Y), a.width, 255.0f / 256.0f);
    }
}

RomanNumeralsInterface::RomanNumeralsInterface(const spec::InterfaceSpec &spec,
                                               const InterfaceContext &context,
                                               StimulusDurations durations)
    : Interface(spec, context)
    , mMode(spec.mode)
    , mTiming(context.agents, durations)
    , mSamples(static_cast<size_t>(context.agents))
{
    const std::vector<int> image = topicShape(context, "rn_image");
    if (lists(spec.out, "rn_image") && image.size() == 3) {
        mX = image[1];
        mY = image[2];
    }
    const std::vector<int> pred = topicShape(context, "rn_pred");
    if (lists(spec.in, "rn_pred") && pred.size() == 3)
        mMetrics = std::make_unique<ClassificationMetrics>(
            context.agents, pred[0], spec.confMatWindow, spec.confMatMeanOver, false);
}

CreateResult RomanNumeralsInterface::create(const spec::InterfaceSpec &spec,
                                            const InterfaceContext &context)
{
    KeyReader keys(spec);
    const StimulusDurations durations = readDurations(keys, {16, 24, 4});
    requireTopicShapes(spec, context, keys);
    if (keys.ok() && lists(spec.out, "rn_image")) {
        const int channels = topicShape(context, "rn_image")[0];
        if (channels != 1 && channels != 3)
            keys.fail("out",
                      "rn_image needs a neuron pool with 1 or 3 features, '"
                          + spec.npFor("rn_image") + "' has " + std::to_string(channels));
    }
    for (const char *topic : {"rn_label", "rn_pred"}) {
        const bool listed = lists(spec.out, topic) || lists(spec.in, topic);
        if (keys.ok() && listed && topicShape(context, topic)[0] < RomanClasses)
            keys.fail(lists(spec.out, topic) ? "out" : "in",
                      std::string(topic) + " needs a neuron pool with at least 10 features, '"
                          + spec.npFor(topic) + "' has "
                          + std::to_string(topicShape(context, topic)[0]));
    }
    if (!keys.ok())
        return keys.failure();
    CreateResult r;
    r.interface = std::make_unique<RomanNumeralsInterface>(spec, context, durations);
    return r;
}

void RomanNumeralsInterface::drawSample(int agent)
{
    // Draw order follows statestream's draw_sample (class, colours, offsets, scale, atoms).
    Sample &s = mSamples[static_cast<size_t>(agent)];
    s.cls = mRng.uniformInt(0, RomanClasses - 1);
    for (double &c : s.bg)
        c = mRng.uniform();
    for (double &c : s.fg)
        c = mRng.uniform();
    s.jitter.offsetX = mRng.uniform(-NumeralOffset, NumeralOffset);
    s.jitter.offsetY = mRng.uniform(-NumeralOffset, NumeralOffset);
    s.jitter.scale = mRng.uniform(MinScale, 1.0);
    s.jitter.atoms.assign(static_cast<size_t>(romanAtomCount(s.cls)), {});
    for (auto &atom : s.jitter.atoms) {
        atom.offsetX = mRng.uniform(-AtomOffset, AtomOffset);
        atom.offsetY = mRng.uniform(-AtomOffset, AtomOffset);
        atom.corner0X = mRng.uniform(-CornerOffset, CornerOffset);
        atom.corner0Y = mRng.uniform(-CornerOffset, CornerOffset);
        atom.corner1X = mRng.uniform(-CornerOffset, CornerOffset);
        atom.corner1Y = mRng.uniform(-CornerOffset, CornerOffset);
        atom.width = mRng.uniformInt(MinWidth, MaxWidth);
    }
    if (mX > 0 && mY > 0) {
        s.image.resize(static_cast<size_t>(mX) * mY);
        renderRomanNumeral(s.cls, s.jitter, mX, mY, s.image.data());
    }
}

void RomanNumeralsInterface::update(int64_t frame, int split,
                                    const std::map<std::string, const Tensor *> &inputs,
                                    std::map<std::string, Tensor *> &outputs)
{
    mTiming.advance(mRng);
    const int agents = mTiming.agents();
    for (int a = 0; a < agents; ++a)
        if (mTiming.triggered(a))
            drawSample(a);

    Tensor *label = lists(mSpec.out, "rn_label") ? outputFor(outputs, "rn_label") : nullptr;
    Tensor *image = lists(mSpec.out, "rn_image") ? outputFor(outputs, "rn_image") : nullptr;
    const size_t plane = static_cast<size_t>(mX) * mY;
    for (int a = 0; a < agents; ++a) {
        const Sample &s = mSamples[static_cast<size_t>(a)];
        if (label)
            writeOneHot(*label, a, s.cls);
        if (!image || s.image.size() != plane || image->dim(2) != mX || image->dim(3) != mY)
            continue;
        const float ff = mTiming.fadingFactor(a);
        for (int c = 0; c < image->dim(1); ++c) {
            float *dst = &image->at(a, c, 0, 0);
            for (size_t i = 0; i < plane; ++i) {
                const double v = s.image[i];
                dst[i] = image->dim(1) == 3
                    ? static_cast<float>(ff * (s.fg[c] * v + s.bg[c] * (1.0 - v)))
                    : static_cast<float>(ff * v);
            }
        }
    }

    std::vector<int> labels(static_cast<size_t>(agents));
    for (int a = 0; a < agents; ++a)
        labels[static_cast<size_t>(a)] = mSamples[static_cast<size_t>(mMode == 1 ? 0 : a)].cls;
    std::vector<int> elapsed;
    std::vector<char> triggers;
    mTiming.onsets(agents, mMode == 1, elapsed, triggers);
    if (mMode == 1)
        copyAgentZero(outputs);
    const Tensor *pred = inputFor(inputs, "rn_pred");
    if (mMetrics && pred && pred->rank() == 4)
        mMetrics->update(frame, split, *pred, labels, elapsed, triggers);
}

std::vector<InterfaceMetric> RomanNumeralsInterface::metrics() const
{
    return mMetrics ? mMetrics->metrics() : std::vector<InterfaceMetric>();
}

int RomanNumeralsInterface::stimulusClass(int agent) const
{
    if (agent < 0 || agent >= static_cast<int>(mSamples.size()))
        return -1;
    // Mode 1 shows agent 0's numeral to every agent (see update()).
    return mSamples[static_cast<size_t>(mMode == 1 ? 0 : agent)].cls;
}

std::vector<std::string> RomanNumeralsInterface::classNames() const
{
    return {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"};
}

const TemporalConfusionMatrix *
RomanNumeralsInterface::confusionMatrix(const std::string &which) const
{
    return mMetrics && which.empty() ? &mMetrics->all() : nullptr;
}

bool RomanNumeralsInterface::setParameter(const std::string &name, double value)
{
    if (name == "mode") {
        mMode = static_cast<int>(value);
        return true;
    }
    return mTiming.setParameter(name, value);
}

std::vector<std::pair<std::string, double>> RomanNumeralsInterface::liveParameters() const
{
    auto v = mTiming.liveParameters();
    v.insert(v.begin(), std::pair<std::string, double>("mode", mMode));
    return v;
}

} // namespace streamlab::interfaces
