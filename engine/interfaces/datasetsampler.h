// DatasetSampler: which sample of a train/valid/test data set each agent sees next, by the
// interface `mode` (reference §1.7) and the session split (agents a < split are held out).
#pragma once

#include "tensor/random.h"
#include "tensor/statestore.h"

#include <array>
#include <cstdint>
#include <vector>

namespace streamlab::interfaces {

enum class DataSet { Train = 0, Valid = 1, Test = 2 };

struct SamplePick
{
    DataSet set = DataSet::Train;
    int index = 0;
    // Which pass through `set` the sample belongs to (modes 0, 2 and 3; -1 in mode 1). Mode 2
    // and 3: the shuffled walk it was drawn in; mode 0: the count of earlier draws from `set`
    // divided by the set's size, so a "pass" is as many draws as the set has samples.
    int pass = -1;
};

// Mode 0 (batch) and 1 (single; the interface then copies agent 0): uniform draws with
// replacement, held-out agents from the validation set, the others from the training set.
// Mode 2 (epoch): the same sets walked through in shuffled order without replacement,
// reshuffled when exhausted. Mode 3 (test): every agent walks through the shuffled test set.
// An empty set falls back to the training set. Every pick names the pass it belongs to; a
// reset() abandons the passes that were partly drawn, so the next pick starts a new one.
class DatasetSampler
{
public:
    explicit DatasetSampler(std::array<int, 3> counts);

    // Fresh permutations and positions (a new epoch), e.g. after a mode or split change.
    void reset(Rng &rng);
    SamplePick pick(int agent, int split, int mode, Rng &rng);
    int count(DataSet set) const { return mCounts[static_cast<size_t>(set)]; }
    // Completed passes through each set in mode 2/3 (train, valid, test).
    int epochs(DataSet set) const { return mEpochs[static_cast<size_t>(set)]; }
    // The pass the next walk (mode 2/3) pick from `set` belongs to.
    int pass(DataSet set) const { return mPass[static_cast<size_t>(set)]; }

    // Orders, positions and pass counters (interfacestate.cpp).
    void save(StateWriter &out) const;
    void restore(const StateReader &in);

private:
    DataSet usable(DataSet set) const;
    int next(DataSet set, Rng &rng, int &pass);

    std::array<int, 3> mCounts;
    std::array<std::vector<int>, 3> mOrder;
    std::array<size_t, 3> mPosition {};
    std::array<int, 3> mEpochs {};
    std::array<int, 3> mPass {}; // mode 2/3 walk number per set
    std::array<int64_t, 3> mDraws {}; // mode 0 draws per set
    bool mInitialised = false;
};

} // namespace streamlab::interfaces
