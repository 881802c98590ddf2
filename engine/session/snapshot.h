// Snapshots: copies of subscribed tensors taken after a frame without stopping the engine
// (architecture.md §2.4). The engine writes the back half of a double buffer and flips an index
// under a short lock; readers copy the front half under the same lock and never wait for a frame.
#pragma once

#include "tensor/tensor.h"

#include <cstdint>
#include <mutex>
#include <string>

namespace streamlab::session {

// What a subscription copies: an NP state ("state"), a parameter ("par", name = parameter name).
struct SnapshotSource
{
    std::string item;
    std::string kind = "state"; // "state" | "par"
    std::string name; // parameter name for kind "par"
};

class SnapshotSlot
{
public:
    // Engine side: called after a frame with the current tensor.
    void publish(const Tensor &value, int64_t frame);
    // Reader side: copies the latest published tensor; false if nothing was published yet.
    bool read(Tensor &out, int64_t *frame = nullptr) const;
    int64_t frame() const;

private:
    mutable std::mutex mMutex;
    Tensor mSlots[2];
    int64_t mFrames[2] = {-1, -1};
    int mFront = 0;
};

} // namespace streamlab::session
