// Snapshots of what interfaces show and measure (the interface and confusion matrix views):
// the data an interface wrote in the frame ("output"), the class of each agent's stimulus in it
// ("label") and its temporal confusion matrices ("conf_mat"). All are read after the frame on
// the engine thread, so they agree with each other and with the frame number of the snapshot.
#include "interfaces/confusionmatrix.h"
#include "session/session.h"

namespace streamlab::session {

// What snapshotTensor returns when a subscription only asks whether its source exists.
static const Tensor Exists;

const Tensor *Session::interfaceTensor(const SnapshotSource &source, Tensor *scratch) const
{
    const InterfaceRun *run = nullptr;
    for (const auto &r : mNetwork->interfaces)
        if (r.interface->name() == source.item)
            run = &r;
    if (!run)
        return nullptr;
    const interfaces::Interface &interface = *run->interface;
    if (source.kind == SnapshotKind::Output) {
        auto it = run->outputs.find(source.name);
        return it == run->outputs.end() ? nullptr : &it->second;
    }
    if (source.kind == SnapshotKind::Label) {
        if (!scratch) // every interface has labels (-1 where it has no classes)
            return &Exists;
        const int agents = mSpec->agents;
        if (scratch->dims() != std::vector<int> {agents, 1, 1, 1})
            *scratch = Tensor({agents, 1, 1, 1});
        for (int a = 0; a < agents; ++a)
            (*scratch)[static_cast<size_t>(a)] = static_cast<float>(interface.stimulusClass(a));
        return scratch;
    }
    const interfaces::TemporalConfusionMatrix *matrix = interface.confusionMatrix(source.name);
    if (!matrix)
        return nullptr;
    if (!scratch)
        return &Exists;
    const int window = matrix->window(), classes = matrix->classes();
    if (scratch->dims() != std::vector<int> {1, window, classes, classes})
        *scratch = Tensor({1, window, classes, classes});
    for (int d = 0; d < window; ++d)
        for (int t = 0; t < classes; ++t)
            for (int p = 0; p < classes; ++p)
                scratch->at(0, d, t, p) = static_cast<float>(matrix->meanCount(d, t, p));
    return scratch;
}

std::vector<std::string> Session::classNames(const std::string &interface) const
{
    for (const auto &r : mNetwork->interfaces)
        if (r.interface->name() == interface)
            return r.interface->classNames();
    return {};
}

} // namespace streamlab::session
