// roman_numerals (reference §3.2): synthetic numerals I..X drawn as jittered line segments at
// the size of the rn_image neuron pool, one-hot labels, and a temporal confusion matrix of
// rn_pred. Streamlab draws the first presentation (statestream showed a blank image).
#pragma once

#include "interfaces/confusionmatrix.h"
#include "interfaces/interface.h"
#include "interfaces/stimulustiming.h"

#include <array>
#include <memory>
#include <vector>

namespace streamlab::interfaces {

// The random parameters of one numeral, in unit coordinates (1 = image width/height).
struct RomanJitter
{
    struct Atom
    {
        double offsetX = 0.0, offsetY = 0.0; // moves the whole segment
        double corner0X = 0.0, corner0Y = 0.0; // moves its first end point
        double corner1X = 0.0, corner1Y = 0.0; // moves its second end point
        int width = 1; // line width in pixels
    };
    double offsetX = 0.0, offsetY = 0.0; // moves the whole numeral
    double scale = 1.0; // about the top-left corner
    std::vector<Atom> atoms; // one per segment; missing ones are Atom{}
};

constexpr int RomanClasses = 10;
int romanAtomCount(int cls);

// Renders class `cls` (0 = I ... 9 = X) into `out` laid out [X][Y] (out[x * Y + y]): 0 for
// background, 255/256 for strokes, exactly as statestream's pygame rendering.
void renderRomanNumeral(int cls, const RomanJitter &jitter, int X, int Y, float *out);

class RomanNumeralsInterface : public Interface
{
public:
    RomanNumeralsInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                           StimulusDurations durations);

    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    std::vector<InterfaceMetric> metrics() const override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    int stimulusClass(int agent) const override;
    std::vector<std::string> classNames() const override;
    const TemporalConfusionMatrix *confusionMatrix(const std::string &which) const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;

    int classOf(int agent) const { return mSamples[static_cast<size_t>(agent)].cls; }
    const RomanJitter &jitter(int agent) const
    {
        return mSamples[static_cast<size_t>(agent)].jitter;
    }
    const std::array<double, 3> &foreground(int agent) const
    {
        return mSamples[static_cast<size_t>(agent)].fg;
    }
    const std::array<double, 3> &background(int agent) const
    {
        return mSamples[static_cast<size_t>(agent)].bg;
    }
    const StimulusTiming &timing() const { return mTiming; }

private:
    struct Sample
    {
        int cls = 0;
        std::array<double, 3> fg {}, bg {};
        RomanJitter jitter;
        std::vector<float> image; // [X][Y]
    };
    void drawSample(int agent);

    int mMode;
    int mX = 0, mY = 0;
    StimulusTiming mTiming;
    std::vector<Sample> mSamples;
    std::unique_ptr<ClassificationMetrics> mMetrics;
};

} // namespace streamlab::interfaces
