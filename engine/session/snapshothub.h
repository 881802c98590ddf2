// The session's snapshot subscriptions (a part of Session, session.h): which tensors other threads
// subscribed to, publishing them after a frame, and the deferred snapshots that a frame's first
// parallel batch takes for the frame before. It knows tensors only through the session's resolver.
#pragma once

#include "session/snapshot.h"
#include "session/workerpool.h"

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace streamlab::session {

class SnapshotHub
{
public:
    // The tensor of `source` now, assembled into `scratch` where it has to be (gradients, deltas,
    // interface data); without scratch only whether it exists. Null: no such tensor.
    using Resolve = std::function<const Tensor *(const SnapshotSource &source, Tensor *scratch)>;
    explicit SnapshotHub(Resolve resolve);

    // Thread-safe. Null when the source does not exist.
    std::shared_ptr<SnapshotSlot> subscribe(const SnapshotSource &source);
    void unsubscribe(const std::shared_ptr<SnapshotSlot> &slot);
    // Fills `slot` now with frame `frame`'s data (only while no frame runs).
    void publishNow(const std::shared_ptr<SnapshotSlot> &slot, int64_t frame);

    // Subscriptions copied under the lock (a slot unsubscribed meanwhile stays alive, and
    // harmless, until its publish is done).
    using Subscriptions
        = std::vector<std::pair<const SnapshotSource *, std::shared_ptr<SnapshotSlot>>>;
    void publishTo(const SnapshotSource &source, SnapshotSlot &slot, int64_t frame) const;

    // After frame `frame` ran: publishes every subscription on `pool`'s workers, or, with
    // deferred snapshots on, all but the states and parameters, which takeDeferred() hands to the
    // next frame's first batch (they stay as they are during it).
    void afterFrame(int64_t frame, WorkerPool &pool);
    // The pending deferred subscriptions and their frame (-1 and none: nothing pending); they
    // are no longer pending afterwards.
    std::pair<Subscriptions, int64_t> takeDeferred();
    void setDeferred(bool on, WorkerPool &pool);
    // Publishes what is still pending.
    void flush(WorkerPool &pool);
    bool hasDeferred() const { return mDeferredFrame >= 0; }

private:
    static bool deferrable(const SnapshotSource &source);
    Subscriptions subscriptions(bool deferrable) const;
    void publish(const Subscriptions &list, int64_t frame, WorkerPool &pool);

    Resolve mResolve;
    mutable std::mutex mMutex;
    std::list<std::pair<SnapshotSource, std::shared_ptr<SnapshotSlot>>> mSubscriptions;
    bool mDefer = false; // engine thread only
    int64_t mDeferredFrame = -1; // frame whose deferrable snapshots are pending, -1: none
};

} // namespace streamlab::session
