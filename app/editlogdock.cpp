#include "app/editlogdock.h"

#include "session/editlog.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <fstream>

namespace streamlab::app {

EditLogWidget::EditLogWidget(views::RunController *controller, QWidget *parent)
    : QWidget(parent)
    , mController(controller)
    , mTable(new QTreeWidget(this))
    , mUndo(new QPushButton(tr("Undo Edit"), this))
{
    mTable->setRootIsDecorated(false);
    mTable->setHeaderLabels({tr("#"), tr("after frame"), tr("item"), tr("parameter"), tr("change"),
                             tr("undone by"), tr("time (UTC)")});
    mTable->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *save = new QPushButton(tr("Save Log..."), this);
    mUndo->setToolTip(tr("Restore the values the selected edit replaced (the newest edit when "
                         "none is selected)"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(mUndo);
    buttons->addWidget(save);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(buttons);
    layout->addWidget(mTable, 1);
    connect(mUndo, &QPushButton::clicked, this, &EditLogWidget::undoSelected);
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Edit Log"), QString(),
                                                          tr("Edit logs (*.jsonl)"));
        QString error;
        if (!path.isEmpty() && !saveLog(path, &error))
            QMessageBox::warning(this, tr("Save Edit Log"), error);
    });
    connect(controller, &views::RunController::editLogChanged, this, &EditLogWidget::refresh);
    refresh();
}

void EditLogWidget::refresh()
{
    mTable->clear();
    for (const session::EditRecord &r : mController->editLog()) {
        auto *row = new QTreeWidgetItem(mTable);
        const QStringList texts = {QString::number(r.id),
                                   QString::number(r.frame),
                                   QString::fromStdString(r.edit.item),
                                   QString::fromStdString(r.edit.param),
                                   QString::fromStdString(r.description),
                                   r.undoneBy ? QString::number(r.undoneBy) : QString(),
                                   QString::fromStdString(r.time)};
        for (int c = 0; c < texts.size(); ++c)
            row->setText(c, texts[c]);
        row->setData(0, Qt::UserRole, QVariant::fromValue<qulonglong>(r.id));
        if (r.undoneBy)
            for (int c = 0; c < texts.size(); ++c)
                row->setForeground(c, QColor(0xa0, 0xa4, 0xab));
    }
    mTable->scrollToBottom();
    mUndo->setEnabled(mController->lastUndoableEdit() != 0);
}

void EditLogWidget::undoSelected()
{
    uint64_t id = mController->lastUndoableEdit();
    if (QTreeWidgetItem *row = mTable->currentItem())
        id = row->data(0, Qt::UserRole).toULongLong();
    if (id == 0)
        return;
    QString error;
    if (!mController->undoEdit(id, &error))
        QMessageBox::warning(this, tr("Undo Edit"), error);
}

bool EditLogWidget::saveLog(const QString &path, QString *error)
{
    session::Session *session = mController->session();
    if (!session) {
        *error = tr("no network is running");
        return false;
    }
    session::EditLog log;
    log.network = session->spec().name;
    log.seed = session->options().seed;
    log.records = mController->editLog();
    std::string why;
    if (!session::writeEditLog(path.toStdString(), log, &why)) {
        *error = QString::fromStdString(why);
        return false;
    }
    return true;
}

} // namespace streamlab::app
