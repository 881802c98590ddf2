#include "session/snapshot.h"

namespace streamlab::session {

void SnapshotSlot::publish(const Tensor &value, int64_t frame)
{
    // Only the engine thread writes; readers only touch the front slot, so the back slot can be
    // filled without the lock.
    const int back = 1 - mFront;
    if (!mSlots[back].sameShape(value))
        mSlots[back] = Tensor(value.dims());
    std::copy(value.values().begin(), value.values().end(), mSlots[back].values().begin());
    mFrames[back] = frame;
    std::lock_guard lock(mMutex);
    mFront = back;
}

bool SnapshotSlot::read(Tensor &out, int64_t *frame) const
{
    std::lock_guard lock(mMutex);
    if (mFrames[mFront] < 0)
        return false;
    out = mSlots[mFront];
    if (frame)
        *frame = mFrames[mFront];
    return true;
}

int64_t SnapshotSlot::frame() const
{
    std::lock_guard lock(mMutex);
    return mFrames[mFront];
}

} // namespace streamlab::session
