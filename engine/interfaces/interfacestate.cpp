// saveState / restoreState of every interface type, in one place so that the stored layout can
// be read next to docs/hdf5-schema.md. Every restore reads into locals first and assigns only
// when everything was there with the expected sizes, so a model that does not fit leaves the
// interface as it was. To add an interface type: write its saveState/restoreState here, starting
// with the base class's, and list its keys in the schema document.
#include "interfaces/cifar10.h"
#include "interfaces/lettersequence.h"
#include "interfaces/mnist.h"
#include "interfaces/mnistsegmentation.h"
#include "interfaces/movingedges.h"
#include "interfaces/oscillator.h"
#include "interfaces/randominterface.h"
#include "interfaces/romannumerals.h"
#include "interfaces/stateio.h"

#include <cmath>

namespace streamlab::interfaces {

using namespace stateio;

// ---- interface types ------------------------------------------------------------------------

void RomanNumeralsInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setInt("mode", mMode);
    mTiming.save(*out.group("timing"));
    std::vector<int64_t> classes;
    std::vector<double> colours, jitter;
    std::vector<std::vector<double>> atoms;
    std::vector<std::vector<float>> images;
    for (const auto &s : mSamples) {
        classes.push_back(s.cls);
        colours.insert(colours.end(), s.fg.begin(), s.fg.end());
        colours.insert(colours.end(), s.bg.begin(), s.bg.end());
        jitter.insert(jitter.end(), {s.jitter.offsetX, s.jitter.offsetY, s.jitter.scale});
        std::vector<double> a;
        for (const auto &atom : s.jitter.atoms)
            a.insert(a.end(),
                     {atom.offsetX, atom.offsetY, atom.corner0X, atom.corner0Y, atom.corner1X,
                      atom.corner1Y, static_cast<double>(atom.width)});
        atoms.push_back(std::move(a));
        images.push_back(s.image);
    }
    const int agents = static_cast<int>(mSamples.size());
    out.setInts("class", classes);
    out.setArray("colours", StateType::Float64, {agents, 6}, colours.data());
    out.setArray("jitter", StateType::Float64, {agents, 3}, jitter.data());
    setRagged(out, "atoms", atoms);
    setRagged(out, "image", images);
    if (mMetrics)
        mMetrics->save(*out.group("metrics"));
}

void RomanNumeralsInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const int mode = static_cast<int>(in.getInt("mode"));
    const int agents = static_cast<int>(mSamples.size());
    const auto classes = in.getInts("class", agents);
    std::vector<double> colours(static_cast<size_t>(agents) * 6), jitter(colours.size() / 2);
    in.read("colours", StateType::Float64, {agents, 6}, colours.data());
    in.read("jitter", StateType::Float64, {agents, 3}, jitter.data());
    const auto atoms = getRagged<double>(in, "atoms", agents);
    const auto images = getRagged<float>(in, "image", agents);
    if (!in.ok())
        return;
    std::vector<Sample> samples(mSamples.size());
    for (size_t a = 0; a < samples.size(); ++a) {
        Sample &s = samples[a];
        s.cls = static_cast<int>(classes[a]);
        for (size_t i = 0; i < 3; ++i) {
            s.fg[i] = colours[a * 6 + i];
            s.bg[i] = colours[a * 6 + 3 + i];
        }
        s.jitter.offsetX = jitter[a * 3];
        s.jitter.offsetY = jitter[a * 3 + 1];
        s.jitter.scale = jitter[a * 3 + 2];
        for (size_t i = 0; i + 7 <= atoms[a].size(); i += 7) {
            const double *v = atoms[a].data() + i;
            s.jitter.atoms.push_back({v[0], v[1], v[2], v[3], v[4], v[5], static_cast<int>(v[6])});
        }
        s.image = images[a];
    }
    auto timing = in.getGroup("timing");
    if (timing)
        mTiming.restore(*timing);
    if (mMetrics)
        if (auto g = in.getGroup("metrics"))
            mMetrics->restore(*g);
    if (!in.ok())
        return;
    mMode = mode;
    mSamples = std::move(samples);
}

void ImageDatasetInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setInt("mode", mMode);
    out.setInt("restart", mRestart ? 1 : 0);
    out.setInt("last_split", mLastSplit);
    mTiming.save(*out.group("timing"));
    mSampler.save(*out.group("sampler"));
    std::vector<int64_t> picks;
    for (const auto &p : mPicks)
        picks.insert(picks.end(), {static_cast<int>(p.set), p.index, p.pass});
    out.setArray("picks", StateType::Int64, {static_cast<int>(mPicks.size()), 3}, picks.data());
    if (mMetrics)
        mMetrics->save(*out.group("metrics"));
    if (mPasses)
        mPasses->save(*out.group("passes"));
    saveExtras(out);
}

void ImageDatasetInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const int mode = static_cast<int>(in.getInt("mode"));
    const bool restart = in.getInt("restart") != 0;
    const int lastSplit = static_cast<int>(in.getInt("last_split"));
    const int agents = static_cast<int>(mPicks.size());
    std::vector<int64_t> raw(static_cast<size_t>(agents) * 3);
    // A pick names a set and a sample of it: indices into the data the network loaded.
    if (in.read("picks", StateType::Int64, {agents, 3}, raw.data()))
        for (size_t a = 0; in.ok() && a < mPicks.size(); ++a)
            if (expectValue(in, "picks", raw[a * 3], 0, 2)) {
                const int count = mSampler.count(static_cast<DataSet>(raw[a * 3]));
                expectValue(in, "picks", raw[a * 3 + 1], 0, std::max(count - 1, 0));
                expectValue(in, "picks", raw[a * 3 + 2], -1, MaxCount);
            }
    if (auto g = in.getGroup("timing"))
        mTiming.restore(*g);
    if (auto g = in.getGroup("sampler"))
        mSampler.restore(*g);
    if (mMetrics)
        if (auto g = in.getGroup("metrics"))
            mMetrics->restore(*g);
    if (mPasses)
        if (auto g = in.getGroup("passes"))
            mPasses->restore(*g);
    restoreExtras(in);
    if (!in.ok())
        return;
    mMode = mode;
    mRestart = restart;
    mLastSplit = lastSplit;
    for (size_t a = 0; a < mPicks.size(); ++a)
        mPicks[a] = {static_cast<DataSet>(raw[a * 3]), static_cast<int>(raw[a * 3 + 1]),
                     static_cast<int>(raw[a * 3 + 2])};
}

void MnistInterface::saveExtras(StateWriter &out) const
{
    std::vector<float> colours;
    for (const auto &c : mColours)
        colours.insert(colours.end(), c.begin(), c.end());
    out.setArray("colours", StateType::Float32, {static_cast<int>(mColours.size()), 6},
                 colours.data());
}

void MnistInterface::restoreExtras(const StateReader &in)
{
    const int agents = static_cast<int>(mColours.size());
    std::vector<float> colours(static_cast<size_t>(agents) * 6);
    if (!in.read("colours", StateType::Float32, {agents, 6}, colours.data()))
        return;
    for (size_t a = 0; a < mColours.size(); ++a)
        std::copy_n(colours.begin() + static_cast<long>(a * 6), 6, mColours[a].begin());
}

void Cifar10Interface::saveExtras(StateWriter &out) const
{
    std::vector<int64_t> views;
    for (const auto &v : mViews)
        views.insert(views.end(), {v.flip ? 1 : 0, v.x0, v.y0, v.side});
    out.setArray("views", StateType::Int64, {static_cast<int>(mViews.size()), 4}, views.data());
}

void Cifar10Interface::restoreExtras(const StateReader &in)
{
    const int agents = static_cast<int>(mViews.size());
    std::vector<int64_t> views(static_cast<size_t>(agents) * 4);
    if (!in.read("views", StateType::Int64, {agents, 4}, views.data()))
        return;
    // A view is a square of the image: within its Side x Side pixels.
    const int S = Cifar10Data::Side;
    for (size_t a = 0; a < mViews.size(); ++a) {
        const int64_t *v = views.data() + a * 4;
        if (!expectValue(in, "views", v[3], 1, S) || !expectValue(in, "views", v[1], 0, S - v[3])
            || !expectValue(in, "views", v[2], 0, S - v[3]))
            return;
    }
    for (size_t a = 0; a < mViews.size(); ++a)
        mViews[a] = {views[a * 4] != 0, static_cast<int>(views[a * 4 + 1]),
                     static_cast<int>(views[a * 4 + 2]), static_cast<int>(views[a * 4 + 3])};
}

void MnistSegmentationInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setInt("mode", mMode);
    out.setReal("hide", mHide);
    mTiming.save(*out.group("timing"));
    std::vector<std::vector<int64_t>> digits;
    for (const auto &cells : mDigits) {
        std::vector<int64_t> row;
        for (const auto &d : cells)
            row.insert(row.end(), {d.test ? 1 : 0, d.index, d.hidden ? 1 : 0});
        digits.push_back(std::move(row));
    }
    setRagged(out, "digits", digits);
    setRagged(out, "label_maps", mLabelMaps);
    if (mMetrics)
        mMetrics->save(*out.group("metrics"));
}

void MnistSegmentationInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const int mode = static_cast<int>(in.getInt("mode"));
    const double hide = in.getReal("hide");
    const long agents = static_cast<long>(mDigits.size());
    const auto digits = getRagged<int64_t>(in, "digits", agents);
    auto labelMaps = getRagged<int>(in, "label_maps", agents);
    // Each agent has a board of digits (none before its first) that index the data set, and a
    // label map of the board's size.
    const size_t cells = static_cast<size_t>(mCellsX) * mCellsY;
    for (size_t a = 0; in.ok() && a < digits.size(); ++a) {
        if (digits[a].size() != 0 && digits[a].size() != cells * 3)
            in.fail(in.path() + "/digits: " + std::to_string(digits[a].size() / 3)
                    + " digits of agent " + std::to_string(a) + " in the file, the board has "
                    + std::to_string(cells));
        for (size_t i = 0; in.ok() && i + 3 <= digits[a].size(); i += 3) {
            const int count = static_cast<int>(digits[a][i] != 0 ? mData->testCount
                                                                 : mData->trainImages.count());
            expectValue(in, "digits", digits[a][i + 1], 0, std::max(count - 1, 0));
        }
        if (in.ok() && labelMaps[a].size() != 0
            && labelMaps[a].size() != static_cast<size_t>(mX) * mY)
            in.fail(in.path() + "/label_maps: " + std::to_string(labelMaps[a].size())
                    + " labels of agent " + std::to_string(a) + " in the file, the board has "
                    + std::to_string(mX * mY) + " pixels");
    }
    if (auto g = in.getGroup("timing"))
        mTiming.restore(*g);
    if (mMetrics)
        if (auto g = in.getGroup("metrics"))
            mMetrics->restore(*g);
    if (!in.ok())
        return;
    mMode = mode;
    mHide = hide;
    for (size_t a = 0; a < mDigits.size(); ++a) {
        mDigits[a].clear();
        for (size_t i = 0; i + 3 <= digits[a].size(); i += 3)
            mDigits[a].push_back(
                {digits[a][i] != 0, static_cast<int>(digits[a][i + 1]), digits[a][i + 2] != 0});
    }
    mLabelMaps = std::move(labelMaps);
}

void RandomInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setInt("mode", mMode);
    out.setInt("distribution", static_cast<int>(mParameters.distribution));
    out.setReals(
        "parameters",
        {mParameters.p, mParameters.mean, mParameters.std, mParameters.min, mParameters.max});
}

void RandomInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const int mode = static_cast<int>(in.getInt("mode"));
    const int64_t distribution = in.getInt("distribution");
    const auto p = in.getReals("parameters", 5);
    expectValue(in, "distribution", distribution, 0, 2);
    if (!in.ok())
        return;
    mMode = mode;
    mParameters.distribution = static_cast<Distribution>(distribution);
    mParameters.p = p[0];
    mParameters.mean = p[1];
    mParameters.std = p[2];
    mParameters.min = p[3];
    mParameters.max = p[4];
}

void OscillatorInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setReals("parameters", {mParameters.amplitude, mParameters.frequency, mParameters.phase});
}

void OscillatorInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const auto p = in.getReals("parameters", 3);
    if (!in.ok())
        return;
    mParameters = {p[0], p[1], p[2]};
}

void MovingEdgesInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setInt("mode", mMode);
    out.setReals("parameters",
                 {mParameters.minmaxVelocity, static_cast<double>(mParameters.minPeriod),
                  static_cast<double>(mParameters.maxPeriod),
                  static_cast<double>(mParameters.sigma)});
    mTiming.save(*out.group("timing"));
    std::vector<double> stimuli;
    for (const auto &s : mStimuli)
        stimuli.insert(stimuli.end(), {s.period, s.velocity, s.direction});
    out.setArray("stimuli", StateType::Float64, {static_cast<int>(mStimuli.size()), 3},
                 stimuli.data());
}

void MovingEdgesInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const int mode = static_cast<int>(in.getInt("mode"));
    const auto p = in.getReals("parameters", 4);
    const int agents = static_cast<int>(mStimuli.size());
    std::vector<double> stimuli(static_cast<size_t>(agents) * 3);
    in.read("stimuli", StateType::Float64, {agents, 3}, stimuli.data());
    // Periods and sigma are whole pixels, at least 1, as the network's keys require.
    for (size_t i = 1; in.ok() && i < p.size(); ++i)
        if (!(p[i] >= 1.0 && p[i] <= static_cast<double>(MaxCount) && p[i] == std::floor(p[i])))
            in.fail(in.path() + "/parameters: " + std::to_string(p[i]) + " at " + std::to_string(i)
                    + " in the file, not a whole number of pixels in [1, "
                    + std::to_string(MaxCount) + "]");
    if (auto g = in.getGroup("timing"))
        mTiming.restore(*g);
    if (!in.ok())
        return;
    mMode = mode;
    mParameters.minmaxVelocity = p[0];
    mParameters.minPeriod = static_cast<int>(p[1]);
    mParameters.maxPeriod = static_cast<int>(p[2]);
    mParameters.sigma = static_cast<int>(p[3]);
    for (size_t a = 0; a < mStimuli.size(); ++a)
        mStimuli[a] = {stimuli[a * 3], stimuli[a * 3 + 1], stimuli[a * 3 + 2]};
}

void LetterSequenceInterface::saveState(StateWriter &out) const
{
    Interface::saveState(out);
    out.setInt("mode", mMode);
    out.setInt("offset", mOffset);
    mTiming.save(*out.group("timing"));
    out.setIntVector("file", mFile);
    out.setIntVector("position", mPosition);
    if (mMetrics)
        mMetrics->save(*out.group("metrics"));
}

void LetterSequenceInterface::restoreState(const StateReader &in)
{
    Interface::restoreState(in);
    const int mode = static_cast<int>(in.getInt("mode"));
    const int64_t offset = in.getInt("offset");
    const long agents = static_cast<long>(mFile.size());
    const auto storedFiles = in.getInts("file", agents);
    auto position = in.getIntVector<long>("position", agents);
    for (int64_t f : storedFiles)
        if (in.ok() && (f < 0 || static_cast<uint64_t>(f) >= mTexts.size()))
            in.fail(in.path() + "/file: text " + std::to_string(f) + " in the file, but the "
                    + "network has " + std::to_string(mTexts.size()) + " texts");
    std::vector<int> file(storedFiles.begin(), storedFiles.end());
    // Positions within the text (and the offset from them) leave room to count on.
    for (size_t a = 0; in.ok() && a < file.size(); ++a)
        expectValue(in, "position", position[a], 0,
                    static_cast<int64_t>(mTexts[static_cast<size_t>(file[a])].size()));
    expectValue(in, "offset", offset, -MaxCount, MaxCount);
    if (auto g = in.getGroup("timing"))
        mTiming.restore(*g);
    if (mMetrics)
        if (auto g = in.getGroup("metrics"))
            mMetrics->restore(*g);
    if (!in.ok())
        return;
    mMode = mode;
    mOffset = static_cast<int>(offset);
    mFile = std::move(file);
    mPosition = std::move(position);
}

} // namespace streamlab::interfaces
