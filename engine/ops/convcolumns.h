// Internal to the convolution ops (conv.cpp, conv_backward.cpp): im2col / col2im over the index
// tables that fold upsampling, stride, dilation and SAME padding into one lookup per axis, and the
// agent chunking of the shared-weight GEMMs.
#pragma once

#include "ops/conv.h"

#include <cstddef>
#include <vector>

namespace streamlab::ops::detail {

// For each kernel offset u and output position x: the source index read, or -1 for padding.
std::vector<int> sourceIndexTable(int kernel, int outSize, int stride, int pad, int dil, int up,
                                  int inSize);

bool isPointwise(const ConvGeometry &g);

// Agents per chunk for the shared-weight GEMMs: as many [K, P] column blocks as fit the budget.
int chunkSize(size_t perAgent, size_t columnFloats, int agents);

// The column matrix of one agent: row (i, u, v) holds, for every output position, the input value
// that kernel tap (u, v) of input feature i sees there (0 in the padding). Where the valid Y
// indices of a tap are consecutive source positions they are copied as one run.
class ConvColumns
{
public:
    explicit ConvColumns(const ConvGeometry &g);

    // col rows (`stride` floats apart) = the taps of `src` [inC, inX, inY].
    void gather(const float *src, float *col, int stride) const;
    // dst [inC, inX, inY] += every column entry at the source pixel it was read from (col2im).
    void scatterAdd(const float *col, int stride, float *dst) const;

private:
    struct Run
    {
        int first, last;
        bool consecutive;
    };
    const ConvGeometry &mG;
    std::vector<int> mTx, mTy;
    std::vector<Run> mRuns;
};

} // namespace streamlab::ops::detail
