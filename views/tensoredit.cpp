#include "views/tensoredit.h"

#include "views/runcontroller.h"

#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>

namespace streamlab::views {

const std::vector<QString> &reinitSchemes()
{
    static const std::vector<QString> schemes
        = {QStringLiteral("xavier"), QStringLiteral("normal"), QStringLiteral("uniform"),
           QStringLiteral("id"), QStringLiteral("0")};
    return schemes;
}

namespace {

void post(QWidget *parent, RunController *controller, const session::Edit &edit)
{
    QString error;
    if (!controller->postEdit(edit, &error))
        QMessageBox::warning(parent, QObject::tr("Edit refused"), error);
}

// An op that needs a number: asks for it, then posts.
void askAndPost(QWidget *parent, RunController *controller, const QString &title,
                const QString &label, double start, session::Edit edit)
{
    bool ok = false;
    const double v = QInputDialog::getDouble(parent, title, label, start, -1e9, 1e9, 6, &ok);
    if (!ok)
        return;
    edit.op.value = v;
    post(parent, controller, edit);
}

} // namespace

void addTensorEditMenu(QMenu &menu, QWidget *parent, RunController *controller, const QString &item,
                       const QString &tensor, const std::vector<TensorEditScope> &scopes)
{
    if (!controller->hasNetwork())
        return;
    using Op = session::TensorOp;
    for (const TensorEditScope &scope : scopes) {
        QMenu *sub = menu.addMenu(QObject::tr("Edit %1").arg(scope.label));
        // Every action holds its own finished Edit: the scopes are gone when the menu runs.
        auto edit = [&](Op::Kind kind) {
            Op op;
            op.kind = kind;
            return session::Edit::tensor(item.toStdString(), tensor.toStdString(), scope.selection,
                                         op);
        };
        QAction *zero = sub->addAction(QObject::tr("Zero"));
        zero->setObjectName(QStringLiteral("zero"));
        const session::Edit zeroEdit = edit(Op::Kind::Zero);
        QObject::connect(zero, &QAction::triggered, parent,
                         [=] { post(parent, controller, zeroEdit); });
        const struct
        {
            Op::Kind kind;
            QString text, label;
            double start;
        } asks[] = {{Op::Kind::Set, QObject::tr("Set to..."), QObject::tr("Value:"), 0.0},
                    {Op::Kind::Scale, QObject::tr("Scale by..."), QObject::tr("Factor:"), 2.0},
                    {Op::Kind::AddNoise, QObject::tr("Add noise..."),
                     QObject::tr("Standard deviation:"), 0.1}};
        for (const auto &a : asks) {
            const session::Edit e = edit(a.kind);
            QObject::connect(sub->addAction(a.text), &QAction::triggered, parent, [=] {
                askAndPost(parent, controller, scope.label, a.label, a.start, e);
            });
        }
        QMenu *reinit = sub->addMenu(QObject::tr("Re-initialise"));
        QAction *own = reinit->addAction(QObject::tr("As in the network"));
        own->setObjectName(QStringLiteral("reinit"));
        const session::Edit reinitEdit = edit(Op::Kind::Reinit);
        QObject::connect(own, &QAction::triggered, parent,
                         [=] { post(parent, controller, reinitEdit); });
        for (const QString &scheme : reinitSchemes()) {
            session::Edit e = edit(Op::Kind::Reinit);
            e.op.init = scheme.toStdString();
            QObject::connect(reinit->addAction(scheme), &QAction::triggered, parent,
                             [=] { post(parent, controller, e); });
        }
    }
}

} // namespace streamlab::views
