// Deterministic random streams. Every random draw in the engine comes from a stream derived from
// (global seed, item name, purpose), and per frame from (that stream, frame number), so results do
// not depend on thread count or task order (architecture.md §3).
#pragma once

#include <cstdint>
#include <string_view>

namespace streamlab {

// 64-bit FNV-1a of a string, mixed with a seed; used to derive stream keys from names.
uint64_t hashKey(uint64_t seed, std::string_view text);

class Rng
{
public:
    explicit Rng(uint64_t key = 0x5eed);
    // A stream for one purpose of one item: key = hash(seed, item, purpose).
    static Rng forItem(uint64_t seed, std::string_view item, std::string_view purpose);
    // Derive an independent stream for one frame (or any other counter) from this stream's key.
    Rng derive(uint64_t counter) const;

    // Raw 64 bits (xoshiro256**). Inline, like uniform(): per-element draws (noise, dropout) are
    // too cheap to pay for a call.
    uint64_t next()
    {
        const uint64_t result = rotl(mS[1] * 5, 7) * 9;
        const uint64_t t = mS[1] << 17;
        mS[2] ^= mS[0];
        mS[3] ^= mS[1];
        mS[1] ^= mS[2];
        mS[0] ^= mS[3];
        mS[2] ^= t;
        mS[3] = rotl(mS[3], 45);
        return result;
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    int uniformInt(int lo, int hi); // inclusive range
    double normal(); // N(0, 1), Box-Muller with cached second value
    double normal(double mean, double sd) { return mean + sd * normal(); }
    bool bernoulli(double p) { return uniform() < p; }

    uint64_t key() const { return mKey; }

    // The whole stream position (key, xoshiro words, the cached normal), so that a saved model
    // continues with exactly the draws an uninterrupted run would make.
    struct State
    {
        uint64_t key = 0;
        uint64_t s[4] = {};
        double spare = 0.0;
        bool hasSpare = false;
    };
    State state() const { return {mKey, {mS[0], mS[1], mS[2], mS[3]}, mSpare, mHasSpare}; }
    void setState(const State &state)
    {
        mKey = state.key;
        for (int i = 0; i < 4; ++i)
            mS[i] = state.s[i];
        mSpare = state.spare;
        mHasSpare = state.hasSpare;
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    uint64_t mKey;
    uint64_t mS[4];
    double mSpare = 0.0;
    bool mHasSpare = false;
};

} // namespace streamlab
