// The "Edit" entries of the tile views' context menus (live edits of reference tensors): for
// each scope under the mouse (one value, a filter, a feature map or kernel, the whole tensor) a
// submenu with Zero, Set to..., Scale by..., Add noise..., Re-initialise (the spec's own init or
// any scheme of reference §1.5.1). Each entry posts one session::Edit through the RunController;
// the edit applies between two frames and can be undone from the Edit Log.
#pragma once

#include "session/edit.h"

#include <QString>

#include <vector>

class QMenu;
class QWidget;

namespace streamlab::views {

class RunController;

struct TensorEditScope
{
    QString label; // "value [2, 0, 1, 3]", "filter 2 (target feature 2)", "all of W_0_0"
    session::TensorSelection selection;
};

// Adds one submenu per scope to `menu`; `tensor` is "state" or a parameter name.
void addTensorEditMenu(QMenu &menu, QWidget *parent, RunController *controller, const QString &item,
                       const QString &tensor, const std::vector<TensorEditScope> &scopes);

// The init schemes offered by Re-initialise (besides the spec's own).
const std::vector<QString> &reinitSchemes();

} // namespace streamlab::views
