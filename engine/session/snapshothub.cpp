// The session's snapshot subscriptions (snapshothub.h).
#include "session/snapshothub.h"

namespace streamlab::session {

SnapshotHub::SnapshotHub(Resolve resolve)
    : mResolve(std::move(resolve))
{
}

std::shared_ptr<SnapshotSlot> SnapshotHub::subscribe(const SnapshotSource &source)
{
    if (!mResolve(source, nullptr))
        return nullptr;
    auto slot = std::make_shared<SnapshotSlot>(source);
    std::lock_guard lock(mMutex);
    mSubscriptions.emplace_back(source, slot);
    return slot;
}

void SnapshotHub::unsubscribe(const std::shared_ptr<SnapshotSlot> &slot)
{
    std::lock_guard lock(mMutex);
    mSubscriptions.remove_if([&](const auto &entry) { return entry.second == slot; });
}

void SnapshotHub::publishNow(const std::shared_ptr<SnapshotSlot> &slot, int64_t frame)
{
    std::lock_guard lock(mMutex);
    for (auto &[source, subscribed] : mSubscriptions)
        if (subscribed == slot)
            publishTo(source, *slot, frame);
}

bool SnapshotHub::deferrable(const SnapshotSource &source)
{
    return source.kind == SnapshotKind::State || source.kind == SnapshotKind::Parameter;
}

SnapshotHub::Subscriptions SnapshotHub::subscriptions(bool deferred) const
{
    std::lock_guard lock(mMutex);
    Subscriptions list;
    for (const auto &[source, slot] : mSubscriptions)
        if (deferrable(source) == deferred)
            list.emplace_back(&source, slot);
    return list;
}

void SnapshotHub::publish(const Subscriptions &list, int64_t frame, WorkerPool &pool)
{
    // Side by side on the workers: the percentile bands of a large pool cost a few tenths of a
    // millisecond each.
    pool.run(static_cast<int>(list.size()), [&](int i) {
        const auto &[source, slot] = list[static_cast<size_t>(i)];
        publishTo(*source, *slot, frame);
    });
}

void SnapshotHub::publishTo(const SnapshotSource &source, SnapshotSlot &slot, int64_t frame) const
{
    thread_local Tensor scratch; // gradients, deltas and interface data are assembled here
    if (const Tensor *t = mResolve(source, &scratch))
        slot.publish(*t, frame);
}

void SnapshotHub::afterFrame(int64_t frame, WorkerPool &pool)
{
    publish(subscriptions(false), frame, pool);
    if (mDefer)
        mDeferredFrame = frame; // taken during the next frame's first batch
    else
        publish(subscriptions(true), frame, pool);
}

std::pair<SnapshotHub::Subscriptions, int64_t> SnapshotHub::takeDeferred()
{
    const int64_t frame = std::exchange(mDeferredFrame, -1);
    if (frame < 0)
        return {{}, -1};
    return {subscriptions(true), frame};
}

void SnapshotHub::setDeferred(bool on, WorkerPool &pool)
{
    if (!on)
        flush(pool);
    mDefer = on;
}

void SnapshotHub::flush(WorkerPool &pool)
{
    if (mDeferredFrame < 0)
        return;
    publish(subscriptions(true), mDeferredFrame, pool);
    mDeferredFrame = -1;
}

} // namespace streamlab::session
