// The list of view kinds, in the order of the View menu. Each view's header declares a
// `create<Name>View` function; add a line here for a new view.
#include "views/view.h"

namespace streamlab::views {

const std::vector<ViewKind> &viewKinds()
{
    static const std::vector<ViewKind> kinds = {
    };
    return kinds;
}

} // namespace streamlab::views
