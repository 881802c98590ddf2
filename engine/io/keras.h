// Keras .h5 weights for `init <par>: [model, layer, param]` (reference §5.4, docs/cli.md
// "Importing Keras weights"): the reader a Session uses for external models.
#pragma once

#include "ops/init.h"
#include "session/network.h"

#include <string>

namespace streamlab::io {

// Reads dataset model_weights/<layer>/<param> of the Keras file `modelFile` (param may contain
// '/', as Keras 2 nests it: dense_1/kernel:0), or <layer>/<param> at the root of a weights-only
// file, converted to float32. False with a message naming the file and what is missing (with
// the layers, or the layer's parameters, that do exist) otherwise.
bool readKerasArray(const std::string &modelFile, const std::string &layer,
                    const std::string &param, ops::ExternalArray &array, std::string *error);

// readKerasArray as a SessionOptions::externalReader.
session::ExternalReader kerasReader();

} // namespace streamlab::io
