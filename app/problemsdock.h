// ProblemsDock: what is wrong with the loaded file (diagnostics with file:line:column, item and
// key) and what went wrong while it ran (NaN pauses, failed frames, missing data sets). A file
// that failed to open lists its problems here while the previous network stays open.
#pragma once

#include "spec/diagnostic.h"

#include <QWidget>

class QTreeWidget;
class QLabel;

namespace streamlab::app {

class ProblemsWidget : public QWidget
{
    Q_OBJECT
public:
    explicit ProblemsWidget(QWidget *parent = nullptr);

    // Replaces the file diagnostics (runtime reports are kept until clear()). Their files show
    // relative to `folder` (the network's) when one is given; the tooltip has the whole path.
    void setDiagnostics(const QString &title, const spec::Diagnostics &diagnostics,
                        const QString &folder = QString());
    void addRuntimeProblem(qint64 frame, const QString &text);
    void clear();

    int count() const; // rows shown
    int errorCount() const { return mErrors; }
    QString text(int row) const; // "severity\tlocation\titem\tkey\tmessage"

    // What double-clicking row `row` does: problemActivated() for a row that names an item.
    void activate(int row);

Q_SIGNALS:
    void countChanged(int errors, int total);
    // A problem of item `item` (and `key`, or "") was double-clicked: show it in the editor.
    void problemActivated(const QString &item, const QString &key);

private:
    void updateSummary();

    QLabel *mSummary;
    QTreeWidget *mTree;
    int mErrors = 0;
};

} // namespace streamlab::app
