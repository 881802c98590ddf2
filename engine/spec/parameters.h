// Names and shapes of the parameters that neuron pools and synapse pools own (reference §1.4,
// §1.5.1). Used by validation (plasticity `parameter` triples, `share params`, `init <par>`) and
// by whoever allocates parameters, so that both agree on what exists.
#pragma once

#include "spec/networkspec.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::spec {

// "b" unless bias_shape is False, "g" when gain_shape is set.
std::vector<std::string> parameterNames(const NeuronPoolSpec &np);
// W_f_i for every input, P_f_i where ppp > 0, b_f where the factor has a bias shape, M with M;
// none for a functional (`func`) synapse pool.
std::vector<std::string> parameterNames(const SynapsePoolSpec &sp);

// Stored shape of a parameter: b/g [C,X,Y] / [C] / [X,Y] / [1]; W_f_i [Ct,Cs,rx,ry] reduced by
// its weight shape; P_f_i [ppp,Cs,1,1]; b_f by its bias shape; M [Ct,hidden,rf,rf]. Unshared
// parameters get a leading `agents` dimension. Empty when the parameter or a neuron pool it
// depends on does not exist.
std::vector<int> parameterShape(const NetworkSpec &network, const NeuronPoolSpec &np,
                                const std::string &par);
std::vector<int> parameterShape(const NetworkSpec &network, const SynapsePoolSpec &sp,
                                const std::string &par);
// The same with the neuron pools found by `neuronPool` (e.g. an index by name).
using NeuronPoolLookup = std::function<const NeuronPoolSpec *(const std::string &name)>;
std::vector<int> parameterShape(int agents, const SynapsePoolSpec &sp, const std::string &par,
                                const NeuronPoolLookup &neuronPool);

// "[16, 32, 32]"
std::string shapeText(const std::vector<int> &shape);

// An `init <par>` value given as text (reference §1.5.1: "xavier", "id_0.5", "normal_0_0.1",
// "0.5", ...), as live re-initialisation takes it; nullopt with the reason in `error`.
std::optional<InitSpec> parseInitText(const std::string &text, std::string *error);

} // namespace streamlab::spec
