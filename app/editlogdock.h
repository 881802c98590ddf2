// EditLogWidget: the live edits of the running session (session/edit.h) as a table: id, the
// frame it took effect after, item, parameter, what changed, whether it was undone, wall time. Undo
// restores the values an edit replaced (even frames later); Save Log writes the JSON-lines log that
// `streamlab-run --replay` plays back.
#pragma once

#include "views/runcontroller.h"

#include <QWidget>

class QTreeWidget;
class QPushButton;

namespace streamlab::app {

class EditLogWidget : public QWidget
{
    Q_OBJECT
public:
    EditLogWidget(views::RunController *controller, QWidget *parent = nullptr);
    QTreeWidget *table() const { return mTable; }
    // Undoes the selected edit (or the newest one that can be undone).
    void undoSelected();
    bool saveLog(const QString &path, QString *error);

private:
    void refresh();

    views::RunController *mController;
    QTreeWidget *mTable;
    QPushButton *mUndo;
};

} // namespace streamlab::app
