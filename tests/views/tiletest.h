// Shared by the tile view tests (tst_featuremaps, tst_filtergrid): networks whose values are
// known by hand (a counter, a 3x3 convolution of ones, an identity kernel, a constant weight)
// streamed by a real RunController, and helpers to read and drive what the views draw.
#pragma once

#include "session/snapshot.h"
#include "testsupport.h"
#include "views/featuremapview.h"
#include "views/filtergridview.h"
#include "views/tilegrid.h"
#include "views/tileoptions.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLWidget>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>

namespace streamlab::views::tiletest {

using namespace streamlab;

// counter(k+1) = counter(k) + 1: the state equals the frame.
inline constexpr const char *CounterNetwork = R"(name: counter
agents: 1
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)";

// `ones` holds 1 everywhere from frame 1 on; `count` sums a 3x3 neighbourhood of it with SAME zero
// padding, so from frame 2 on: corners 4, other border cells 6, the inner 2x2 cells 9. `noisy` is
// relu of a normal bias [3, 4, 4], about half of it 0: cells where only feature 0 is positive exist
// (seeded).
inline constexpr const char *MapsNetwork = R"(name: maps
agents: 2
neuron_pools:
    ones: {shape: [1, 4, 4], init b: 1.0}
    count: {shape: [1, 4, 4]}
    noisy: {shape: [3, 4, 4], bias_shape: full, init b: normal, act: relu}
synapse_pools:
    spread: {source: [[ones]], target: count, rf: [[3]], init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)";

// `ident`: identity kernels (1 at the centre where target = source feature, 0 elsewhere);
// `wide`: 20 x 20 dense 1x1 weights of 0.25; `private`: one uniform copy per agent.
inline constexpr const char *FilterNetwork = R"(name: filters
agents: 2
neuron_pools:
    a: {shape: [2, 4, 4]}
    b: {shape: [2, 4, 4]}
    c: {shape: [1, 4, 4]}
    wide_in: {shape: [20, 1, 1]}
    wide_out: {shape: [20, 1, 1]}
synapse_pools:
    ident: {source: [[a]], target: b, rf: [[3]], init W_0_0: id}
    wide: {source: [[wide_in]], target: wide_out, init W_0_0: 0.25}
    private: {source: [[a]], target: c, rf: [[3]], unshare: [W_0_0], init W_0_0: uniform}
plasticities: {}
interfaces: {}
)";

inline bool openText(RunController &controller, const char *text, const std::string &tag)
{
    const std::string path = test::makeTempDir(tag) + "/" + tag + ".st_graph";
    test::writeFile(path, text);
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(QString::fromStdString(path), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

inline bool openDemo(RunController &controller)
{
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(
        QString::fromStdString(test::sourcePath("examples/demo.st_graph")), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

inline void run(RunController &controller, int frames)
{
    controller.step(frames);
    controller.waitUntilIdle();
}

struct Csv
{
    bool ok = false;
    QString error;
    QString header;
    QList<QStringList> rows;
};

inline Csv csvOf(const View &view)
{
    Csv csv;
    QString text;
    QTextStream out(&text);
    csv.ok = view.writeCsv(out, &csv.error);
    QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (!lines.isEmpty())
        csv.header = lines.takeFirst();
    for (const QString &line : lines)
        csv.rows << line.split(QLatin1Char(','));
    return csv;
}

// The pixel a point of the grid falls on (cell centres are at .5).
inline QRgb pixel(const QImage &image, QPointF p)
{
    return image.pixel(static_cast<int>(std::floor(p.x())), static_cast<int>(std::floor(p.y())));
}

inline QString rgbText(QRgb c)
{
    return QStringLiteral("(%1, %2, %3)").arg(qRed(c)).arg(qGreen(c)).arg(qBlue(c));
}

// Saves a rendered picture for a person to look at when STREAMLAB_TEST_PNG_DIR is set.
inline void keep(const QImage &image, const QString &name)
{
    const QString dir = qEnvironmentVariable("STREAMLAB_TEST_PNG_DIR");
    if (!dir.isEmpty())
        image.save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

inline void sendMouse(QWidget *target, QEvent::Type type, QPointF pos)
{
    QMouseEvent event(type, pos, target->mapToGlobal(pos), Qt::LeftButton,
                      type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(target, &event);
}

inline void sendKey(QWidget *target, int key)
{
    QKeyEvent event(QEvent::KeyPress, key, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &event);
}

template<class V> std::unique_ptr<V> makeView(RunController &controller, const QString &kind)
{
    std::unique_ptr<V> view(static_cast<V *>(createView(kind, &controller)));
    view->resize(400, 300);
    view->renderImage(); // lays the view out, so that the grid's geometry is final
    return view;
}

} // namespace streamlab::views::tiletest
