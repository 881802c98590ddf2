// Internal to the im2col + GEMM convolutions (gemmconv.cpp, gemmconv_backward.cpp): im2col /
// col2im over the index tables that fold upsampling, stride, dilation and SAME padding into one
// lookup per axis, and the agent chunking of the shared-weight GEMMs.
#pragma once

#include "ops/conv.h"

#include <cstddef>
#include <vector>

namespace streamlab::backend::cpu::gemm {

// For each kernel offset u and output position x: the source index read, or -1 for padding.
std::vector<int> sourceIndexTable(int kernel, int outSize, int stride, int pad, int dil, int up,
                                  int inSize);

bool isPointwise(const ops::ConvGeometry &g);

// Agents per chunk for the shared-weight GEMMs: as many [K, P] column blocks as fit the budget.
int chunkSize(size_t perAgent, size_t columnFloats, int agents);

// Whether every value is exactly 0 / finite. A convolution of an all-zero operand with a finite
// one is all zero, which lets the GEMMs be skipped: states the data has not reached yet, pools
// that are off, a factor that stays 0. The scan stops at the first non-zero value.
bool allZero(const float *values, size_t n);
bool allFinite(const float *values, size_t n);

// Grows a per-thread scratch buffer to at least `n` floats. It never shrinks, so buffers shared by
// convolutions of different sizes are not cleared again on every call.
inline void reserveScratch(std::vector<float> &buffer, size_t n)
{
    if (buffer.size() < n)
        buffer.resize(n);
}

// The column matrix of one agent: row (i, u, v) holds, for every output position, the input value
// that kernel tap (u, v) of input feature i sees there (0 in the padding). Where the valid Y
// indices of a tap are evenly spaced source positions (stride 1 or a plain stride) they are
// copied as one run.
class ConvColumns
{
public:
    explicit ConvColumns(const ops::ConvGeometry &g);
    // The columns of `g`, built once per thread and geometry (a few dozen geometries stay
    // cached): networks of thousands of small pools call this every frame for each.
    static const ConvColumns &cached(const ops::ConvGeometry &g);

    // col rows (`stride` floats apart) = the taps of `src` [inC, inX, inY].
    void gather(const float *src, float *col, int stride) const;
    // dst [inC, inX, inY] += every column entry at the source pixel it was read from (col2im).
    void scatterAdd(const float *col, int stride, float *dst) const;

private:
    struct Run
    {
        int first, last; // the output Y positions that read inside the source
        int step; // source Y index increment between them; 0: irregular (use the table)
        int offset; // gather: where the run starts in a (phase-split) source row
    };
    ops::ConvGeometry mG;
    std::vector<int> mTx, mTy;
    // Short output rows (a few floats per run): one source offset per column entry of a channel
    // (tap, output position), -1 for padding; gather then reads element by element.
    std::vector<int> mTable;
    std::vector<Run> mRuns;
    // Strided Y (stride s > 1): gather first copies every source row into its s phases (values
    // y = p, p + s, ... of length mPhaseLength each), where the strided runs are contiguous.
    int mPhases = 1, mPhaseLength = 0;
};

} // namespace streamlab::backend::cpu::gemm
