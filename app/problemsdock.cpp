#include "app/problemsdock.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace streamlab::app {

ProblemsWidget::ProblemsWidget(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    mSummary = new QLabel(this);
    mTree = new QTreeWidget(this);
    mTree->setRootIsDecorated(false);
    mTree->setAlternatingRowColors(true);
    mTree->setHeaderLabels({tr("Severity"), tr("Where"), tr("Item"), tr("Key"), tr("Message")});
    mTree->header()->setStretchLastSection(true);
    mTree->setWordWrap(true);
    layout->addWidget(mSummary);
    layout->addWidget(mTree);
    connect(mTree, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem *item) { activate(mTree->indexOfTopLevelItem(item)); });
    updateSummary();
}

void ProblemsWidget::activate(int row)
{
    const QTreeWidgetItem *item = mTree->topLevelItem(row);
    if (item && !item->text(2).isEmpty())
        Q_EMIT problemActivated(item->text(2), item->text(3));
}

void ProblemsWidget::setDiagnostics(const QString &title, const spec::Diagnostics &diagnostics,
                                    const QString &folder)
{
    // Drop the previous file's rows, keep runtime reports.
    for (int i = mTree->topLevelItemCount() - 1; i >= 0; --i)
        if (mTree->topLevelItem(i)->data(0, Qt::UserRole).toString() == QLatin1String("file"))
            delete mTree->takeTopLevelItem(i);
    int row = 0;
    for (const auto &d : diagnostics) {
        QString severity = tr("error");
        if (d.severity == spec::Diagnostic::Severity::Warning)
            severity = tr("warning");
        else if (d.severity == spec::Diagnostic::Severity::Note)
            severity = tr("note");
        const QString file = QString::fromStdString(d.mark.file);
        QString where = !folder.isEmpty() && QFileInfo(file).isAbsolute()
            ? QDir(folder).relativeFilePath(file)
            : file;
        QString full = file;
        if (d.mark.line > 0) {
            const QString at = QStringLiteral(":%1:%2").arg(d.mark.line).arg(d.mark.column);
            where += at;
            full += at;
        }
        auto *item = new QTreeWidgetItem({severity, where, QString::fromStdString(d.item),
                                          QString::fromStdString(d.key),
                                          QString::fromStdString(d.message)});
        item->setData(0, Qt::UserRole, QStringLiteral("file"));
        item->setToolTip(4, QString::fromStdString(d.format()));
        item->setToolTip(1, full);
        if (d.severity == spec::Diagnostic::Severity::Error)
            item->setForeground(0, QColor(190, 30, 30));
        else if (d.severity == spec::Diagnostic::Severity::Warning)
            item->setForeground(0, QColor(170, 110, 0));
        mTree->insertTopLevelItem(row++, item);
    }
    mSummary->setProperty("title", title);
    for (int c = 0; c < 4; ++c)
        mTree->resizeColumnToContents(c);
    updateSummary();
}

void ProblemsWidget::addRuntimeProblem(qint64 frame, const QString &text)
{
    auto *item = new QTreeWidgetItem(
        {tr("runtime"), tr("frame %1").arg(frame), QString(), QString(), text});
    item->setData(0, Qt::UserRole, QStringLiteral("runtime"));
    item->setForeground(0, QColor(190, 30, 30));
    item->setToolTip(4, text);
    mTree->addTopLevelItem(item);
    mTree->scrollToItem(item);
    updateSummary();
}

void ProblemsWidget::clear()
{
    mTree->clear();
    mSummary->setProperty("title", QString());
    updateSummary();
}

int ProblemsWidget::count() const
{
    return mTree->topLevelItemCount();
}

QString ProblemsWidget::text(int row) const
{
    const QTreeWidgetItem *item = mTree->topLevelItem(row);
    if (!item)
        return QString();
    QStringList cells;
    for (int c = 0; c < mTree->columnCount(); ++c)
        cells << item->text(c);
    return cells.join(QLatin1Char('\t'));
}

void ProblemsWidget::updateSummary()
{
    mErrors = 0;
    for (int i = 0; i < mTree->topLevelItemCount(); ++i) {
        const QString s = mTree->topLevelItem(i)->text(0);
        if (s == tr("error") || s == tr("runtime"))
            ++mErrors;
    }
    const QString title = mSummary->property("title").toString();
    if (count() == 0)
        mSummary->setText(title.isEmpty() ? tr("No problems.") : tr("%1: no problems.").arg(title));
    else
        mSummary->setText(tr("%1%2 message(s), %3 error(s)")
                              .arg(title.isEmpty() ? QString() : title + QStringLiteral(": "))
                              .arg(count())
                              .arg(mErrors));
    Q_EMIT countChanged(mErrors, count());
}

} // namespace streamlab::app
