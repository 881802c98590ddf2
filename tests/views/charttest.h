// Shared by the chart view tests (tst_bands, tst_histogram, tst_charts): networks whose values
// are known by hand, streamed in a real RunController: `counter` equals the frame, `shifted` =
// frame - 4 (so a log axis meets negative values and 0), `strip` is five cells whose values
// differ by their distance to the border (percentiles between them), `noisy` uniform noise in
// [0, 1], `eye` an identity weight (12 zeros, 4 ones); and helpers to read what views draw.
#pragma once

#include "testsupport.h"
#include "views/bandsview.h"
#include "views/chartsupport.h"
#include "views/curvesview.h"
#include "views/downsampledhistory.h"
#include "views/histogramview.h"

#include <QAbstractAxis>
#include <QChart>
#include <QFile>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTest>
#include <QValueAxis>

#include <array>
#include <cmath>
#include <memory>

namespace streamlab::views::charttest {

using namespace streamlab;

// counter(k) = k; shifted(k) = counter(k - 1) - 3 = k - 4; strip(k) = 1 + 0.25 * (sum of the
// cell and its two neighbours at k - 1, zero padding: a 1-D SAME convolution); quad stays 0,
// `eye` is its identity weight.
inline std::string chartsNetwork(int agents = 2)
{
    return "name: charts\nagents: " + std::to_string(agents) + R"(
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    shifted: {shape: [1, 1, 1], bias_shape: scalar, init b: -3.0}
    strip: {shape: [1, 5, 1], bias_shape: scalar, init b: 1.0}
    noisy: {shape: [1, 32, 32], bias_shape: False, noise: uniform, noise_min: 0.0, noise_max: 1.0}
    quad: {shape: [4, 1, 1], bias_shape: False}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
    shift: {source: [[counter]], target: shifted, init W_0_0: 1.0}
    spread: {source: [[strip]], target: strip, rf: [[3]], init W_0_0: 0.25}
    eye: {source: [[quad]], target: quad, init W_0_0: id}
plasticities: {}
interfaces: {}
)";
}

inline bool openText(RunController &controller, const std::string &text, const std::string &tag)
{
    const std::string path = test::makeTempDir(tag) + "/" + tag + ".st_graph";
    test::writeFile(path, text);
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(QString::fromStdString(path), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

inline void run(RunController &controller, int frames)
{
    controller.step(frames);
    controller.waitUntilIdle();
}

// strip(k) for k = 1..frames, by hand.
inline std::vector<std::array<double, 5>> stripValues(int frames)
{
    std::vector<std::array<double, 5>> out;
    std::array<double, 5> x {};
    for (int k = 1; k <= frames; ++k) {
        std::array<double, 5> next {};
        for (size_t i = 0; i < 5; ++i)
            next[i] = 1.0 + 0.25 * ((i > 0 ? x[i - 1] : 0.0) + x[i] + (i < 4 ? x[i + 1] : 0.0));
        x = next;
        out.push_back(x);
    }
    return out;
}

// The values of all agents at `frame` (each agent holds the same strip).
inline std::vector<double> stripAt(int frame, int agents)
{
    const auto cells = stripValues(frame).back();
    std::vector<double> values;
    for (int a = 0; a < agents; ++a)
        values.insert(values.end(), cells.begin(), cells.end());
    return values;
}

// numpy.percentile of sorted values (linear interpolation between the closest ranks).
inline double percentile(std::vector<double> sorted, double p)
{
    std::sort(sorted.begin(), sorted.end());
    const double rank = p / 100.0 * double(sorted.size() - 1);
    const size_t k = size_t(std::floor(rank));
    const double frac = rank - double(k);
    return k + 1 < sorted.size() ? sorted[k] + frac * (sorted[k + 1] - sorted[k]) : sorted[k];
}

inline QStringList csvLines(View &view)
{
    QString text;
    QTextStream out(&text);
    QString error;
    if (!view.writeCsv(out, &error))
        return {QStringLiteral("ERROR ") + error};
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

inline bool sameColor(QRgb pixel, const QColor &color, int tolerance = 3)
{
    return std::abs(qRed(pixel) - color.red()) <= tolerance
        && std::abs(qGreen(pixel) - color.green()) <= tolerance
        && std::abs(qBlue(pixel) - color.blue()) <= tolerance;
}

inline int countColor(const QImage &image, const QColor &color, int tolerance = 3)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += sameColor(image.pixel(x, y), color, tolerance);
    return n;
}

// The vertical axis on screen (the view keeps a linear and a log one and shows one of them).
inline QAbstractAxis *shownYAxis(const CurvesView &view)
{
    QAbstractAxis *shown = nullptr;
    int visible = 0;
    for (QAbstractAxis *axis : view.chart()->axes(Qt::Vertical))
        if (axis->isVisible()) {
            shown = axis;
            ++visible;
        }
    return visible == 1 ? shown : nullptr;
}

template<typename T> std::unique_ptr<T> makeView(RunController &controller, const QString &kind)
{
    View *view = createView(kind, &controller);
    auto *typed = qobject_cast<T *>(view);
    if (!typed)
        delete view;
    return std::unique_ptr<T>(typed);
}

} // namespace streamlab::views::charttest
