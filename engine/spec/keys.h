// The st_graph keys Streamlab knows, per item kind (reference §1.3-§1.8), and the "did you mean"
// helper used for unknown keys, names and values. To add a key: add it to the table in keys.cpp
// and read it in the matching validate_*.cpp.
#pragma once

#include "spec/node.h"

#include <string>
#include <vector>

namespace streamlab::spec {

enum class ItemKind { NeuronPool, SynapsePool, Plasticity, Interface };

// "neuron pool", "synapse pool", "plasticity", "interface".
const char *itemKindName(ItemKind kind);
// "neuron_pools", "synapse_pools", "plasticities", "interfaces".
const char *itemKindSection(ItemKind kind);

const std::vector<std::string> &topLevelKeys();
const std::vector<std::string> &commonItemKeys(); // tags, device, period, ...
const std::vector<std::string> &neuronPoolKeys(); // without common keys and `init/min/max <par>`
const std::vector<std::string> &synapsePoolKeys();
const std::vector<std::string> &plasticityKeys(const std::string &type); // type "" = all types

// statestream's docs-only spellings that its code ignores, with the key Streamlab reads instead
// (`noise mean` -> `noise_mean`); accepted with a warning (reference §11).
const std::vector<std::pair<std::string, std::string>> &neuronPoolKeyAliases();

// Allowed values of the enumerated keys (reference §1.4-§1.8), shared by validation and the
// editor's schema.
const std::vector<std::string> &parShapeNames(); // full, feature, spatial, scalar, False
const std::vector<std::string> &layerNormShapeNames(); // full, feature, spatial, False
const std::vector<std::string> &factorShapeNames(); // full, feature, spatial, scalar
const std::vector<std::string> &weightShapeNames(); // full, ..., src_feature, ..., tgt_spatial
const std::vector<std::string> &noiseKindNames(); // normal, uniform, Bernoulli
const std::vector<std::string> &plasticityTypeNames(); // loss, hebbian, L_regularizer
const std::vector<std::string> &lossFunctionNames(); // MSE, MAE, ...
const std::vector<std::string> &optimizerNames(); // grad_desc, adam, rmsprop
const std::vector<std::string> &hebbianModusNames(); // hebbian, anti_hebbian, dt ...
const std::vector<std::string> &coreClientTypeNames(); // lr_scheduler, trainvaltest, save_images

// Why `value` is not a valid `init <par>` value (reference §1.5.1; a neuron pool's b/g take only
// a number or `normal`), or "" when it is. The same check and message as loading a file.
std::string initValueError(const Node &value, const std::string &key, bool neuronPool);

// Levenshtein distance (byte-wise).
int editDistance(const std::string &a, const std::string &b);
// The closest candidate if it is close enough to be a plausible typo, else "".
std::string closestMatch(const std::string &word, const std::vector<std::string> &candidates);
// "; did you mean 'x'?" or "".
std::string didYouMean(const std::string &word, const std::vector<std::string> &candidates);

} // namespace streamlab::spec
