// CurvesView's menus and exports: the Curves menu (scalars, tensor statistics, defaults), the
// dialog that adds statistics of a tensor, and PNG, SVG and CSV export.
#include "views/curvesview.h"

#include "views/chartsupport.h"
#include "views/curveschartview.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLayout>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <map>
#include <set>

namespace streamlab::views {

void CurvesView::fillSeriesMenu()
{
    QMenu *menu = mSeriesButton->menu();
    menu->clear();
    const auto shown = curves();
    auto isShown = [&](const QString &id) {
        return std::any_of(shown.begin(), shown.end(),
                           [&](const CurveSpec &c) { return c.id() == id; });
    };
    menu->addSection(tr("Scalars"));
    const QStringList names = controller()->scalars().names();
    if (names.isEmpty())
        menu->addAction(tr("(none yet: run a few frames)"))->setEnabled(false);
    for (const QString &name : names) {
        QAction *action = menu->addAction(name);
        action->setCheckable(true);
        action->setChecked(isShown(name));
        connect(action, &QAction::toggled, this, [this, name](bool on) {
            if (on)
                addCurve(CurveSpec::ofScalar(name));
            else
                removeCurve(name);
        });
    }
    menu->addSection(tr("Tensor statistics"));
    for (const auto &c : shown) {
        if (c.isScalar())
            continue;
        QAction *action = menu->addAction(c.id());
        action->setCheckable(true);
        action->setChecked(true);
        const QString id = c.id();
        connect(action, &QAction::toggled, this, [this, id](bool on) {
            if (!on)
                removeCurve(id);
        });
    }
    menu->addAction(tr("Add tensor statistic..."), this, &CurvesView::addStatisticDialog)
        ->setEnabled(controller()->hasNetwork());
    menu->addSeparator();
    QAction *defaults = menu->addAction(tr("Default curves (losses, accuracy)"));
    defaults->setCheckable(true);
    defaults->setChecked(mDefaults);
    connect(defaults, &QAction::triggered, this, &CurvesView::useDefaultCurves);
    menu->addAction(tr("Remove all"), this, [this] { setCurves({}); });
}

void CurvesView::addStatisticDialog()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Add tensor statistic"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *picker = new TensorPicker(&dialog);
    picker->setNetwork(controller()->spec());
    const spec::NetworkSpec *spec = controller()->spec();
    TensorRef start = spec ? defaultTensorFor(*spec, controller()->selectedItem()) : TensorRef();
    if (start.isNull() && spec && !spec->neuronPools.empty())
        start = TensorRef::state(QString::fromStdString(spec->neuronPools.front().name));
    picker->setCurrent(start);
    layout->addWidget(picker);
    auto *row = new QHBoxLayout;
    std::vector<QCheckBox *> boxes;
    for (const QString &s : statistics()) {
        auto *box = new QCheckBox(s, &dialog);
        box->setChecked(s == QLatin1String("mean"));
        row->addWidget(box);
        boxes.push_back(box);
    }
    layout->addLayout(row);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted || picker->current().isNull())
        return;
    auto list = curves();
    for (QCheckBox *box : boxes) {
        if (!box->isChecked())
            continue;
        const CurveSpec curve = CurveSpec::ofStatistic(picker->current(), box->text());
        if (std::none_of(list.begin(), list.end(),
                         [&](const CurveSpec &c) { return c.id() == curve.id(); }))
            list.push_back(curve);
    }
    setCurves(std::move(list));
}

void CurvesView::addContextActions(QMenu &menu)
{
    menu.addAction(tr("Reset zoom"), this, &CurvesView::resetZoom);
}

QImage CurvesView::renderImage()
{
    if (layout())
        layout()->activate();
    return mView->grab().toImage();
}

bool CurvesView::supportsSvg() const
{
    return chart::svgAvailable();
}

bool CurvesView::writeSvg(const QString &path, QString *error)
{
    if (layout())
        layout()->activate();
    mView->grab(); // lays the chart out to the view's size, even when hidden
    const QSize size = mView->size();
    return chart::writeSvg(
        path, size, title(),
        [this](QPainter &p, const QRectF &r) { mView->render(&p, r, mView->viewport()->rect()); },
        error);
}

bool CurvesView::writeCsv(QTextStream &out, QString *error) const
{
    const auto shown = curves();
    if (shown.empty()) {
        if (error)
            *error = tr("Nothing to export: no curves are shown.");
        return false;
    }
    // One row per frame that any curve has; empty cells where a curve has no sample.
    struct Column
    {
        QString name;
        std::map<int64_t, double> values;
    };
    std::vector<Column> columns;
    std::set<int64_t> frames;
    for (const auto &curve : shown) {
        const auto data = samples(curve);
        Column raw {curve.id(), {}};
        for (const auto &s : data) {
            raw.values[s.first] = s.second;
            frames.insert(s.first);
        }
        columns.push_back(std::move(raw));
        if (mSmoothing > 0.0) {
            std::vector<double> values;
            for (const auto &s : data)
                values.push_back(s.second);
            const auto smoothed = smooth(values, mSmoothing);
            Column column {curve.id() + tr(" (smoothed %1)").arg(mSmoothing), {}};
            for (size_t i = 0; i < data.size(); ++i)
                column.values[data[i].first] = smoothed[i];
            columns.push_back(std::move(column));
        }
    }
    out << "frame";
    for (const auto &c : columns)
        out << ',' << chart::csvField(c.name);
    out << '\n';
    for (int64_t frame : frames) {
        out << frame;
        for (const auto &c : columns) {
            out << ',';
            if (auto it = c.values.find(frame); it != c.values.end())
                out << chart::csvNumber(it->second);
        }
        out << '\n';
    }
    out.flush();
    return out.status() == QTextStream::Ok;
}

} // namespace streamlab::views
