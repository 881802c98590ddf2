#include "tensor/random.h"

#include <cmath>

namespace streamlab {

static uint64_t splitmix64(uint64_t &x)
{
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t hashKey(uint64_t seed, std::string_view text)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x100000001b3ULL);
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    uint64_t s = h;
    return splitmix64(s);
}

Rng::Rng(uint64_t key)
    : mKey(key)
{
    uint64_t s = key;
    for (auto &v : mS)
        v = splitmix64(s);
}

Rng Rng::forItem(uint64_t seed, std::string_view item, std::string_view purpose)
{
    uint64_t k = hashKey(seed, item);
    k = hashKey(k, "/");
    return Rng(hashKey(k, purpose));
}

Rng Rng::derive(uint64_t counter) const
{
    uint64_t s = mKey ^ (counter * 0xd1342543de82ef95ULL);
    splitmix64(s);
    return Rng(splitmix64(s));
}

int Rng::uniformInt(int lo, int hi)
{
    const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(next() % span);
}

double Rng::normal()
{
    if (mHasSpare) {
        mHasSpare = false;
        return mSpare;
    }
    double u1 = uniform();
    while (u1 <= 0.0)
        u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    mSpare = r * std::sin(2.0 * M_PI * u2);
    mHasSpare = true;
    return r * std::cos(2.0 * M_PI * u2);
}

} // namespace streamlab
