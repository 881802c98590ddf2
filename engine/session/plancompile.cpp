// Network -> frame plan (plancompile.h); the compiler is in plancompiler.h.
#include "session/plancompiler.h"

namespace streamlab::session {

plan::Plan compilePlan(Network &net)
{
    return compiler::Compiler(net).run();
}

} // namespace streamlab::session
