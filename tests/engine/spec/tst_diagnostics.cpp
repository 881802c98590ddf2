// Every diagnostic kind of validation: exact text, severity, line and column. The line is the one
// marked `#@` in the fixture, the column that of `at` on it.
#include "spectest.h"

#include <gtest/gtest.h>

using namespace streamlab::spec;
using streamlab::spec::test::network;

namespace {

using Severity = Diagnostic::Severity;

struct DiagnosticCase
{
    const char *name;
    std::string yaml;
    std::string at;
    std::string message;
    Severity severity = Severity::Error;
    bool prefix = false; // message is only the start of the text (the rest comes from a table)
};

const std::string kSp = "\n    s:\n        source: [[v]]\n        target: w\n";

std::string pool(const std::string &keys)
{
    return "    d:\n        shape: [1, 1, 1]\n" + keys;
}

std::string sp(const std::string &keys)
{
    return "\n    s:\n" + keys;
}

std::string plast(const std::string &keys)
{
    return "\n    p:\n" + keys;
}

std::string iface(const std::string &keys)
{
    return "\n    i:\n" + keys;
}

class Diagnostics : public ::testing::TestWithParam<DiagnosticCase>
{
};

TEST_P(Diagnostics, TextAndPosition)
{
    const DiagnosticCase &c = GetParam();
    const LoadResult r = loadString(c.yaml, "t.st_graph");
    const int line = test::markedLine(c.yaml);
    const int column = test::columnOf(c.yaml, line, c.at);
    ASSERT_GT(line, 0) << "fixture has no #@ marker";
    ASSERT_GT(column, 0) << "'" << c.at << "' is not on the marked line";
    bool found = false;
    for (const Diagnostic &d : r.diagnostics) {
        const bool text = c.prefix ? d.message.rfind(c.message, 0) == 0 : d.message == c.message;
        if (text && d.mark.line == line && d.mark.column == column && d.severity == c.severity
            && d.mark.file == "t.st_graph")
            found = true;
    }
    EXPECT_TRUE(found) << "expected at " << line << ":" << column << ": " << c.message << "\ngot:\n"
                       << test::dump(r) << "\nin:\n"
                       << c.yaml;
    EXPECT_EQ(r.ok(), c.severity != Severity::Error);
    // Sorted by position.
    for (size_t k = 1; k < r.diagnostics.size(); ++k) {
        const Mark &a = r.diagnostics[k - 1].mark, &b = r.diagnostics[k].mark;
        EXPECT_TRUE(a.line < b.line || (a.line == b.line && a.column <= b.column));
    }
}

const std::string kEmpty = "neuron_pools: {}\nsynapse_pools: {}\nplasticities: {}\n"
                           "interfaces: {}\n";

std::vector<DiagnosticCase> topLevelCases()
{
    return {
        {"MissingName", "agents: 4 #@\n" + kEmpty, "agents",
         "missing required top-level key 'name'"},
        {"MissingSection",
         "name: t #@\nagents: 4\nneuron_pools: {}\nsynapse_pools: {}\nplasticities: {}\n", "name",
         "missing required top-level key 'interfaces' (use 'interfaces: {}' when there are "
         "none)"},
        {"AgentsNotInt", "name: t\nagents: two #@\n" + kEmpty, "two",
         "agents must be an integer in [1, 16777216] (the number of parallel streams); got 'two'"},
        {"NameList", "name: [a] #@\nagents: 2\n" + kEmpty, "[a]",
         "name must be a non-empty text; got the list [a]"},
        {"SectionNotMap",
         "name: t\nagents: 4\nneuron_pools: [a] #@\nsynapse_pools: {}\nplasticities: {}\n"
         "interfaces: {}\n",
         "[a]", "neuron_pools must be a map of name -> keys (use {} for none); got the list [a]"},
        {"UnknownTopLevel", network("{}", "{}", "{}", "", "core_client: {} #@\n"), "core_client",
         "unknown top-level key 'core_client' (ignored); did you mean 'core_clients'?",
         Severity::Warning},
        {"Backend", network("{}", "{}", "{}", "", "backend: pytorch #@\n"), "pytorch",
         "backend must be theano or tensorflow; got 'pytorch' (Streamlab ignores it)",
         Severity::Warning},
        {"FileIsList", "- a #@\n- b\n", "-",
         "an st_graph file must be a map of keys (name, agents, neuron_pools, synapse_pools, "
         "plasticities, interfaces); got the list [a, b]"},
        {"FileIsScalar", "hello #@\n", "hello",
         "an st_graph file must be a map of keys (name, agents, neuron_pools, synapse_pools, "
         "plasticities, interfaces); got 'hello'"},
        {"InvalidName", network("{}", "{}", "{}", "    bad-name: #@\n        shape: [1, 1, 1]\n"),
         "bad-name",
         "invalid name 'bad-name': item names may only contain letters, digits and '_'"},
        {"DuplicateAcrossKinds", network("\n    a: #@\n        source: [[b]]\n        target: b\n"),
         "a:",
         "name 'a' is already used by the neuron pool at line 4, column 5; item names must be "
         "unique across neuron pools, synapse pools, plasticities and interfaces"},
        {"EmptyItem", network("{}", "{}", "{}", "    e: #@\n"), "e", "neuron pool 'e' is empty"},
        {"ItemNotMap", network("{}", "{}", "{}", "    e: [1] #@\n"), "[1]",
         "neuron pool 'e' must be a map of keys; got the list [1]"},
    };
}

std::vector<DiagnosticCase> commonCases()
{
    return {
        {"DeviceTypo", network("{}", "{}", "{}", pool("        device: gpu0 #@\n")), "gpu0",
         "device must be 'cpu' or 'gpu:<k>' (e.g. gpu:0); got 'gpu0'; did you mean 'gpu:0'?"},
        {"DeviceUnknown", network("{}", "{}", "{}", pool("        device: tpu #@\n")), "tpu",
         "device must be 'cpu' or 'gpu:<k>' (e.g. gpu:0); got 'tpu'"},
        {"PeriodZero", network("{}", "{}", "{}", pool("        period: 0 #@\n")), "0",
         "period must be an integer in [1, 1073741824]; got 0"},
        {"PeriodOffset",
         network("{}", "{}", "{}", pool("        period: 3\n        period offset: 3 #@\n")), "3",
         "period offset must be an integer in [0, period - 1] = [0, 2]; got 3"},
        {"AtStart", network("{}", "{}", "{}", pool("        at start: 5 #@\n")), "5",
         "at start must be 0 (running), 1 (paused) or 2 (off); got 5"},
        {"Tags", network("{}", "{}", "{}", pool("        tags: hidden #@\n")), "hidden",
         "tags must be a list of tag names, e.g. [hidden]; got 'hidden'"},
        {"UnknownKey", network("{}", "{}", "{}", pool("        tag: [x] #@\n")), "tag",
         "unknown key 'tag' (ignored); did you mean 'tags'?", Severity::Warning},
        {"Bottleneck", network("{}", "{}", "{}", pool("        bottleneck: fast #@\n")), "fast",
         "bottleneck must be a number; got 'fast'"},
    };
}

std::vector<DiagnosticCase> neuronPoolCases()
{
    const std::string shapeText = "shape must be [features, X, Y], 3 integers in [1, 16777216] "
                                  "(use [C, 1, 1] for a vector, [C, L, 1] for 1-D); got ";
    auto np = [](const std::string &keys) { return network("{}", "{}", "{}", "    d:\n" + keys); };
    return {
        {"ShapeScalar", np("        shape: 5 #@\n"), "5", shapeText + "5"},
        {"ShapeTwo", np("        shape: [1, 2] #@\n"), "[", shapeText + "the list [1, 2]"},
        {"ShapeZero", np("        shape: [0, 1, 1] #@\n"), "[", shapeText + "the list [0, 1, 1]"},
        {"MissingShape", network("{}", "{}", "{}", "    d: #@\n        act: relu\n"), "d",
         "neuron pool 'd' needs 'shape' ([features, X, Y], e.g. [16, 32, 32])"},
        {"Features", np("        features: 0 #@\n"), "0",
         "features must be an integer in [1, 16777216]; got 0"},
        {"Spatial", np("        features: 2\n        spatial: [1, 2, 3] #@\n"), "[",
         "spatial must be [X] or [X, Y] with integers in [1, 16777216]; got the list [1, 2, 3]"},
        {"Act", network("{}", "{}", "{}", pool("        act: relux #@\n")), "relux",
         "unknown activation 'relux'; did you mean 'relu'?"},
        {"BiasShape", network("{}", "{}", "{}", pool("        bias_shape: fetaure #@\n")),
         "fetaure",
         "bias_shape must be one of full, feature, spatial, scalar, False; got 'fetaure'; did "
         "you mean 'feature'?"},
        {"LayerNorm", network("{}", "{}", "{}", pool("        layernorm_mean: scalar #@\n")),
         "scalar", "layernorm_mean must be one of full, feature, spatial, False; got 'scalar'"},
        {"InitB", network("{}", "{}", "{}", pool("        init b: uniform #@\n")), "uniform",
         "init b must be a number or 'normal'; got 'uniform'"},
        {"InitGWithoutGain", network("{}", "{}", "{}", pool("        init g: 1.0 #@\n")), "1.0",
         "neuron pool 'd' has no parameter 'g' (no gain_shape)"},
        {"InitW", network("{}", "{}", "{}", pool("        init W_0_0: xavier #@\n")), "xavier",
         "neuron pool 'd' has no parameter 'W_0_0'; neuron pools have b and g"},
        {"Unshare", network("{}", "{}", "{}", pool("        unshare: [g] #@\n")), "[g]",
         "unshare: neuron pool 'd' has no parameter 'g'; it has b"},
        {"MinWithoutPar", network("{}", "{}", "{}", pool("        min g: 0 #@\n")), "0",
         "neuron pool 'd' has no parameter 'g'; it has b"},
        {"Noise", network("{}", "{}", "{}", pool("        noise: gauss #@\n")), "gauss",
         "noise must be one of normal, uniform, Bernoulli; got 'gauss'"},
        {"NoiseAlias", network("{}", "{}", "{}", pool("        noise mean: 0.5 #@\n")),
         "noise mean",
         "'noise mean' is read as 'noise_mean' (statestream's code ignores the spelling with a "
         "space)",
         Severity::Warning},
        {"NoiseMinMax",
         network("{}", "{}", "{}",
                 pool("        noise: uniform\n        noise_min: 2 #@\n        noise_max: 1\n")),
         "noise_min", "noise_min must not be larger than noise_max"},
        {"Dropout", network("{}", "{}", "{}", pool("        dropout: 1.5 #@\n")), "1.5",
         "dropout must be a probability in [0, 1]; got 1.5"},
        {"DropoutNote", network("{}", "{}", "{}", pool("        dropout: 0.5 #@\n")), "0.5",
         "dropout is the drop probability in Streamlab (kept units scaled by 1/(1-p)); "
         "statestream used it as the keep probability",
         Severity::Note},
        {"Binary", network("{}", "{}", "{}", pool("        binary: 1 #@\n")), "1",
         "binary must be True or False; got 1"},
        {"BinaryNotSupported", network("{}", "{}", "{}", pool("        binary: True #@\n")),
         "binary",
         "binary neuron pools (inputs combined as a probabilistic OR, Gaussian propagation through "
         "synapse pools) are not supported yet; remove the key or set it to False"},
        {"FeaturesWithShape", np("        shape: [1, 1, 1]\n        features: 3 #@\n"), "features",
         "features is ignored because shape is given", Severity::Warning},
    };
}

std::vector<DiagnosticCase> synapsePoolCases()
{
    const std::string vw = "        source: [[v]]\n        target: w\n";
    return {
        {"MissingSource", network("\n    s: #@\n        target: a\n"), "s",
         "synapse pool 's' needs 'source' (a list of factors, each a list of neuron pools, e.g. "
         "[[a, b]])"},
        {"SourcesAlias", network(sp("        sources: [[a]] #@\n        target: a\n")), "sources",
         "unknown key 'sources'; did you mean 'source'? (st_graph reads only 'source')"},
        {"FlatSource", network(sp("        source: [a, b] #@\n        target: a\n")), "[a",
         "source must be a list of factors, each a non-empty list of neuron pools, e.g. [[a, b], "
         "[c]]; got the list [a, b]; did you mean [[a, b]]?"},
        {"SourceNotNeuronPool", network(sp("        source: [[aa]] #@\n        target: a\n")), "aa",
         "source 'aa' is not a neuron pool; did you mean 'a'?"},
        {"SourceIsSynapsePool",
         network(kSp + "    s2:\n        source: [[s]] #@\n        target: w\n"), "s]",
         "source 's' is a synapse pool, not a neuron pool"},
        {"MissingTarget", network("\n    s: #@\n        source: [[a]]\n"), "s",
         "synapse pool 's' needs 'target' (the neuron pool this synapse pool feeds)"},
        {"TargetNone", network(sp("        source: [[a]]\n        target: None #@\n")), "None",
         "target 'None' is not a neuron pool"},
        {"RfScalarForTwoInputs",
         network(sp("        source: [[a, a]]\n        target: a\n        rf: 3 #@\n")), "3",
         "rf may be a single integer only when there is one input; this synapse pool has 2 "
         "inputs, so give a list of lists shaped like source [[a, a]]"},
        {"RfShape",
         network(sp("        source: [[a], [a]]\n        target: a\n        rf: [[3]] #@\n")),
         "[[3]]",
         "rf must be a list of lists with one entry per input, shaped like source [[a], [a]]; "
         "got the list [[3]]"},
        {"Dilation", network(sp(vw + "        dilation: [[0]] #@\n")), "0",
         "dilation[0][0] (input 'v') must be an integer in [1, 1048576]; got 0"},
        {"ActPerFactor",
         network(sp("        source: [[v], [v]]\n        target: w\n        act: [relu] #@\n")),
         "[relu]",
         "act must be a list with one activation per factor (2 factors); got the list [relu]"},
        {"FactorShapes", network(sp(vw + "        factor_shapes: [ful] #@\n")), "ful",
         "factor_shapes[0] must be one of full, feature, spatial, scalar; got 'ful'; did you "
         "mean 'full'?"},
        {"BiasShapesFit",
         network(sp(vw + "        factor_shapes: [feature]\n        bias_shapes: [full] #@\n")),
         "full",
         "bias_shapes[0] 'full' does not fit factor 0 of shape 'feature': a feature factor "
         "allows bias shapes feature or scalar"},
        {"TargetShapesFit",
         network(sp(vw
                    + "        factor_shapes: [spatial]\n"
                      "        target_shapes: [[feature]] #@\n")),
         "feature",
         "target_shapes[0][0] (input 'v') 'feature' does not fit factor 0 of shape 'spatial': a "
         "spatial factor allows target shapes spatial or scalar"},
        {"WeightShapes", network(sp(vw + "        weight_shapes: [[src_featur]] #@\n")),
         "src_featur",
         "weight_shapes[0][0] (input 'v') must be one of full, feature, spatial, scalar, "
         "src_feature, tgt_feature, src_spatial, tgt_spatial; got 'src_featur'; did you mean "
         "'src_feature'?"},
        {"M", network(sp(vw + "        M: [4] #@\n")), "[4]",
         "M must be [hidden_features, rf] with hidden_features in [1, 16777216] and rf in [1, "
         "1048576]; got the list [4]"},
        {"MWithAvgout", network(sp(vw + "        avgout: 2\n        M: [4, 1] #@\n")), "[4",
         "M needs avgout = maxout = 1; got avgout 2, maxout 1"},
        {"Avgout", network(sp(vw + "        avgout: 0 #@\n")), "0",
         "avgout must be an integer in [1, 1048576]; got 0"},
        {"SpatialMultiples", network(sp("        source: [[a]] #@\n        target: b\n")), "a]",
         "source 'a' [3, 10, 10] and target 'b' [4, 4, 4]: spatial sizes must be integer "
         "multiples in X and Y with the same factor"},
        {"RfTooLarge", network(sp("        source: [[a]]\n        target: c\n        rf: 21 #@\n")),
         "21",
         "rf 21 does not fit source 'a' [3, 10, 10] and target 'c' [3, 20, 20]: it must be at "
         "most 20"},
        {"RfForVectorTarget",
         network(sp("        source: [[a]]\n        target: v\n        rf: 3 #@\n")), "3",
         "rf 3 for source 'a' [3, 10, 10]: target 'v' [10, 1, 1] has no spatial extent, so rf "
         "must be 0 (dense) or 1"},
        {"RfForVectorSource",
         network(sp("        source: [[v]]\n        target: a\n        rf: [[3]] #@\n")), "3",
         "rf 3: source 'v' [10, 1, 1] has no spatial extent, so rf must be 0 (dense) or 1"},
        {"FeatureNeedsOneByOne",
         network(sp("        source: [[a]]\n        target: a\n        rf: 3 #@\n"
                    "        factor_shapes: [feature]\n")),
         "3",
         "target shape 'feature' of input 'a' (factor 0) needs a 1x1 output: use rf 0 (dense) "
         "for source 'a' [3, 10, 10]"},
        {"InitUnknownParameter", network(sp(vw + "        init W_1_0: xavier #@\n")), "xavier",
         "synapse pool 's' has no parameter 'W_1_0'; it has W_0_0"},
        {"InitValue", network(sp(vw + "        init W_0_0: gauss #@\n")), "gauss",
         "init W_0_0 must be xavier, xavier_<k>, id, Id, -id, -Id, id_<v>, Id_<v>, loc_inh, "
         "bilin, normal, normal_<mean>_<std>, uniform, uniform_<a>_<b>, a number or [model, "
         "layer, parameter]; got 'gauss'"},
        {"InitFactorBias",
         network(sp(vw + "        bias_shapes: [feature]\n        init b_0: normal #@\n")),
         "normal", "init b_0 must be a number (factor biases start constant); got 'normal'"},
        {"InitExternal", network(sp(vw + "        init W_0_0: [m, l, p] #@\n")), "[m",
         "external model 'm' is not defined in external_models"},
        {"UnknownBoundParameter", network(sp(vw + "        max P_0_0: 1 #@\n")), "1",
         "synapse pool 's' has no parameter 'P_0_0'; it has W_0_0"},
        {"Unshare", network(sp(vw + "        unshare: [W_0_1] #@\n")), "[W",
         "unshare: synapse pool 's' has no parameter 'W_0_1'; it has W_0_0"},
        {"ShareUnknownParameter",
         network(kSp
                 + "        share params:\n            W_1_0: [s2, W_0_0] #@\n"
                   "    s2:\n        source: [[v]]\n        target: w\n"),
         "[s2", "share params: synapse pool 's' has no parameter 'W_1_0'; it has W_0_0"},
        {"ShareWithNeuronPool",
         network(kSp + "        share params:\n            W_0_0: [v, W_0_0] #@\n"), "v,",
         "share params: 'v' is a neuron pool, not a synapse pool"},
        {"ShareOwnerParameter",
         network(kSp
                 + "        share params:\n            W_0_0: [s2, W_0_5] #@\n"
                   "    s2:\n        source: [[v]]\n        target: w\n"),
         "W_0_5", "share params: synapse pool 's2' has no parameter 'W_0_5'; it has W_0_0"},
        {"ShareShape",
         network(kSp
                 + "        share params:\n            W_0_0: [s2, W_0_0] #@\n"
                   "    s2:\n        source: [[u]]\n        target: w\n"),
         "[s2",
         "share params: W_0_0 [10, 10, 1, 1] and s2's W_0_0 [10, 5, 1, 1] must have the same "
         "shape"},
        {"FuncSyntax", network(sp(vw + "        func: $00 + #@\n")), "$00",
         "invalid func expression '$00 +': ", Severity::Error, true},
        {"FuncPlaceholder", network(sp(vw + "        func: $10 #@\n")), "$10",
         "func uses $10 but source has no input 0 in factor 1"},
        {"Transformer", network(sp(vw + "        tags: [TRANSFORMER] #@\n")), "[TRANS",
         "spatial-transformer synapse pools (tag TRANSFORMER) are not supported yet"},
        {"BareInit", network(sp(vw + "        init: id #@\n")), "init",
         "unknown key 'init' (ignored); did you mean 'init W_0_0'?", Severity::Warning},
        {"UniformNoiseNote", network(sp(vw + "        noise: uniform #@\n")), "uniform",
         "Streamlab's synapse-pool uniform noise uses the neuron-pool formula and defaults "
         "(noise_min -1, noise_max 1); statestream subtracted noise_min and defaulted to 0/0",
         Severity::Note},
    };
}

std::vector<DiagnosticCase> plasticityCases()
{
    const std::string reg = "        type: L_regularizer\n";
    const std::string weight = "        parameter: [[sp, s, W_0_0]]\n";
    const std::string loss = "        type: loss\n        loss_function: MSE\n"
                             "        source: v\n        source_t: 1\n";
    return {
        {"MissingType", network(kSp, "\n    p: #@\n" + weight), "p",
         "plasticity 'p' needs 'type' (loss, hebbian, L_regularizer)"},
        {"Type", network(kSp, plast("        type: los #@\n" + weight)), "los",
         "type must be one of loss, hebbian, L_regularizer; got 'los'; did you mean 'loss'?"},
        {"MissingParameter", network(kSp, "\n    p: #@\n" + reg), "p",
         "plasticity 'p' needs 'parameter' (a list of [np|sp, item, parameter] triples, e.g. "
         "[[sp, hidden_out, W_0_0]])"},
        {"ParametersAlias", network(kSp, plast(reg + "        parameters: [[sp, s, W_0_0]] #@\n")),
         "parameters",
         "unknown key 'parameters'; did you mean 'parameter'? (st_graph reads only "
         "'parameter')"},
        {"NotATriple", network(kSp, plast(reg + "        parameter: [[sp, s]] #@\n")), "[sp",
         "each parameter entry must be [np|sp, item, parameter], e.g. [sp, hidden_out, W_0_0]; "
         "got the list [sp, s]"},
        {"EntryKind", network(kSp, plast(reg + "        parameter: [[if, s, W_0_0]] #@\n")), "if",
         "parameter entry kind must be np or sp; got 'if'"},
        {"EntryItem", network(kSp, plast(reg + "        parameter: [[sp, t, W_0_0]] #@\n")), "t,",
         "parameter entry: 't' is not a synapse pool; did you mean 's'?"},
        {"EntryParameter", network(kSp, plast(reg + "        parameter: [[sp, s, W]] #@\n")), "W]",
         "parameter 'W' does not exist on synapse pool 's'; it has W_0_0"},
        {"EntryNeuronPoolParameter",
         network(kSp, plast(reg + "        parameter: [[np, w, g]] #@\n")), "g]",
         "parameter 'g' does not exist on neuron pool 'w'; it has b"},
        {"EntryTwice",
         network(kSp, plast(reg + "        parameter: [[sp, s, W_0_0], [sp, s, W_0_0]] #@\n")),
         "[sp, s, W_0_0]]", "parameter [sp, s, W_0_0] is listed twice"},
        {"Optimizer", network(kSp, plast(reg + weight + "        optimizer: sgd #@\n")), "sgd",
         "optimizer must be one of grad_desc, adam, rmsprop; got 'sgd'"},
        {"OtherTypesKey", network(kSp, plast(reg + weight + "        modus: hebbian #@\n")),
         "modus", "key 'modus' is not used by a L_regularizer plasticity (ignored)",
         Severity::Warning},
        {"L1", network(kSp, plast(reg + weight + "        L1: -1 #@\n")), "-1",
         "L1 must be a number >= 0; got -1"},
        {"Samples", network(kSp, plast(reg + weight + "        samples: 4 #@\n")), "4",
         "samples must be an integer larger than agents (4); got 4"},
        {"MissingLossFunction",
         network(kSp,
                 "\n    p: #@\n        type: loss\n        source: v\n        source_t: 1\n"
                 "        target: w\n        target_t: 0\n"
                     + weight),
         "p",
         "plasticity 'p' needs 'loss_function' (MSE, MAE, hinge, negloglikelihood, "
         "categorical_crossentropy, minimize, maximize)"},
        {"LossShapes",
         network(kSp, plast(loss + "        target: u #@\n        target_t: 0\n" + weight)), "u",
         "source 'v' [10, 1, 1] and target 'u' [5, 1, 1] must have the same shape for a loss"},
        {"MissingTargetT", network(kSp, "\n    p: #@\n" + loss + "        target: w\n" + weight),
         "p", "plasticity 'p' needs 'target_t' (the rollout depth of the target, usually 0)"},
        {"Mask",
         network(
             kSp,
             plast(loss + "        target: w\n        target_t: 0\n        mask: s #@\n" + weight)),
         "s #", "mask 's' is a synapse pool, not a neuron pool"},
        {"MinimizeHasNoTarget",
         network(kSp,
                 plast("        type: loss\n        loss_function: minimize\n"
                       "        source: v\n        source_t: 1\n        target: w #@\n"
                       + weight)),
         "w", "target is ignored: loss_function minimize has no target", Severity::Warning},
        {"MissingModus",
         network(kSp,
                 "\n    p: #@\n        type: hebbian\n        source: v\n"
                 "        target: w\n"
                     + weight),
         "p",
         "plasticity 'p' needs 'modus' (hebbian, anti_hebbian, dt hebbian or dt anti_hebbian)"},
        {"HebbianSpatial",
         network(kSp,
                 plast("        type: hebbian\n        modus: hebbian\n"
                       "        source: a #@\n        target: w\n"
                       + weight)),
         "a", "hebbian source 'a' [3, 10, 10] must have no spatial extent ([C, 1, 1])"},
        {"HebbianOneWeight",
         network(kSp,
                 plast("        type: hebbian\n        modus: hebbian\n        source: v\n"
                       "        target: w\n"
                       "        parameter: [[sp, s, W_0_0], [np, w, b]] #@\n")),
         "[[",
         "a hebbian plasticity updates exactly one synapse-pool weight, e.g. [[sp, x, W_0_0]]; "
         "got the list [[sp, s, W_0_0], [np, w, b]]"},
    };
}

std::vector<DiagnosticCase> interfaceCases()
{
    const std::string random = "        type: random\n        in: []\n";
    return {
        {"UnknownType", network("{}", "{}", iface("        type: mnsit #@\n")), "mnsit",
         "unknown interface type 'mnsit'; did you mean 'mnist'? (known: ", Severity::Error, true},
        {"Unsupported", network("{}", "{}", iface("        type: cityscapes #@\n")), "cityscapes",
         "interface type 'cityscapes' is not supported yet: ", Severity::Error, true},
        {"MissingIn", network("{}", "{}", "\n    i: #@\n        type: random\n        out: []\n"),
         "i", "interface 'i' needs 'in' (the topics it reads from the network, may be [])"},
        {"InNotList",
         network("{}", "{}",
                 iface("        type: random\n        in: rn #@\n"
                       "        out: []\n")),
         "rn", "in must be a list of topics, e.g. [rn_image]; got 'rn'"},
        {"UnknownTopic", network("{}", "{}", iface(random + "        out: [randm] #@\n")), "randm",
         "'randm' is not an out topic of interface type 'random' (it has: random); did you mean "
         "'random'?"},
        {"TopicWithoutNeuronPool",
         network("{}", "{}", iface(random + "        out: [random] #@\n")), "[random",
         "topic 'random' needs a neuron pool named 'random' or a remap entry"},
        {"RemapToMissingNeuronPool",
         network(
             "{}", "{}",
             iface(random + "        out: [random]\n        remap:\n            random: vv #@\n")),
         "vv", "topic 'random' is remapped to 'vv', which is not a neuron pool; did you mean 'v'?"},
        {"RemapKey",
         network("{}", "{}",
                 iface(random + "        out: []\n        remap:\n            foo: v #@\n")),
         "foo", "remap key 'foo' is not a topic in in or out"},
        {"Mode", network("{}", "{}", iface(random + "        out: []\n        mode: 5 #@\n")), "5",
         "mode must be 0 (batch), 1 (single), 2 (epoch) or 3 (test); got 5"},
        {"TypeKey",
         network("{}", "{}", iface(random + "        out: []\n        distribtion: normal #@\n")),
         "distribtion", "unknown key 'distribtion' (ignored); did you mean 'distribution'?",
         Severity::Warning},
        {"CoreClientType",
         network("{}", "{}", "{}", "", "core_clients:\n    c:\n        type: lr_schedule #@\n"),
         "lr_schedule",
         "type must be one of lr_scheduler, trainvaltest, save_images; got 'lr_schedule'; did "
         "you mean 'lr_scheduler'?"},
        {"CoreClientPlasticity",
         network("{}", "{}", "{}", "",
                 "core_clients:\n    c:\n        type: lr_scheduler\n        plast: x #@\n"),
         "x", "plast 'x' is not a plasticity"},
        {"CoreClientNotMap", network("{}", "{}", "{}", "", "core_clients:\n    c: 5 #@\n"), "5",
         "core client 'c' must be a map with a 'type'; got 5"},
        {"ExternalModelType",
         network("{}", "{}", "{}", "",
                 "external_models:\n    m:\n        type: torch #@\n        model_file: m.h5\n"),
         "torch", "type must be one of keras; got 'torch'"},
    };
}

std::vector<DiagnosticCase> expansionCases()
{
    auto top = [](const std::string &extra) { return network("{}", "{}", "{}", "", extra); };
    return {
        {"ImportNotList", top("import: lib #@\n"), "lib",
         "import must be a list of [file, what] entries; got 'lib'"},
        {"TagSpecsNotMap", top("tag_specs: [x] #@\n"), "[x]",
         "tag_specs must be a map of tag -> keys; got the list [x]"},
        {"TagSpecNotMap", top("tag_specs:\n    t: relu #@\n"), "relu",
         "tag spec 't' must be a map of keys; got 'relu'"},
        {"GlobalsNotMap", top("globals: 5 #@\n"), "5",
         "globals must be a map of name -> number; got 5"},
        {"ModulesNotMap", top("modules: [a] #@\n"), "[a]",
         "modules must be a map of module name -> item sections; got the list [a]"},
        {"ModuleNamedLikeAKey", top("modules:\n    interfaces: #@\n        neuron_pools: {}\n"),
         "interfaces", "module name 'interfaces' is a top-level st_graph key; rename it"},
        {"ModuleSection", top("modules:\n    M:\n        neuron_pool: {} #@\n"), "neuron_pool",
         "module 'M': unknown section 'neuron_pool' (ignored); did you mean 'neuron_pools'?",
         Severity::Warning},
        {"InstanceNotMap", top("modules:\n    M:\n        neuron_pools: {}\nM:\n    i: 5 #@\n"),
         "5", "instance 'i' of module 'M' must be a map of variables; got 5"},
    };
}

std::vector<DiagnosticCase> noteAndMoreCases()
{
    const std::string random = "        type: random\n        in: []\n        out: [random]\n"
                               "        remap: {random: v}\n";
    const std::string reg = "        type: L_regularizer\n        parameter: [[sp, s, W_0_0]]\n";
    return {
        {"CategoricalCrossentropyNote",
         network(kSp,
                 plast("        type: loss\n        loss_function: "
                       "categorical_crossentropy #@\n        source: v\n        source_t: "
                       "1\n        target: w\n        target_t: 0\n"
                       "        parameter: [[sp, s, W_0_0]]\n")),
         "categorical",
         "Streamlab's categorical_crossentropy sums over the feature axis (statestream's "
         "TensorFlow code summed over the last spatial axis)",
         Severity::Note},
        {"RegularizerOptimizerNote", network(kSp, plast(reg + "        optimizer: adam #@\n")),
         "adam",
         "L_regularizer works with every optimizer in Streamlab (statestream's only worked with "
         "grad_desc)",
         Severity::Note},
        {"RomanNumeralsNote",
         network("{}", "{}",
                 iface("        type: roman_numerals #@\n        in: []\n        out: []\n")),
         "roman",
         "Streamlab draws the first roman numeral (statestream showed a blank first image)",
         Severity::Note},
        {"RandomClampNote", network("{}", "{}", iface(random + "        p: 0.2 #@\n")), "0.2",
         "p is taken as written (statestream clamped it to 1)", Severity::Note},
        {"InterfacePeriodNote", network("{}", "{}", iface(random + "        period: 2 #@\n")), "2",
         "Streamlab runs interfaces with their period (statestream ignored it)", Severity::Note},
        {"RemapValue",
         network("{}", "{}",
                 iface("        type: random\n        in: []\n        out: [random]\n"
                       "        remap:\n            random: [v] #@\n")),
         "[v]", "remap value must be a neuron pool name; got the list [v]"},
        {"ShareNotAPair", network(kSp + "        share params:\n            W_0_0: s2 #@\n"), "s2",
         "share params: W_0_0 must be [synapse pool, parameter]; got 's2'"},
        {"CoreClientMissingType",
         network("{}", "{}", "{}", "", "core_clients:\n    c: #@\n        plast: x\n"), "c",
         "core client 'c' needs 'type' (lr_scheduler, trainvaltest, save_images)"},
        {"ExternalModelFile",
         network("{}", "{}", "{}", "", "external_models:\n    m: #@\n        type: keras\n"), "m",
         "external model 'm' needs 'model_file' (the Keras .h5 file)"},
    };
}

std::string caseName(const ::testing::TestParamInfo<DiagnosticCase> &info)
{
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(TopLevel, Diagnostics, ::testing::ValuesIn(topLevelCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Common, Diagnostics, ::testing::ValuesIn(commonCases()), caseName);
INSTANTIATE_TEST_SUITE_P(NeuronPool, Diagnostics, ::testing::ValuesIn(neuronPoolCases()), caseName);
INSTANTIATE_TEST_SUITE_P(SynapsePool, Diagnostics, ::testing::ValuesIn(synapsePoolCases()),
                         caseName);
INSTANTIATE_TEST_SUITE_P(Plasticity, Diagnostics, ::testing::ValuesIn(plasticityCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Interface, Diagnostics, ::testing::ValuesIn(interfaceCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Expansion, Diagnostics, ::testing::ValuesIn(expansionCases()), caseName);
INSTANTIATE_TEST_SUITE_P(NotesAndMore, Diagnostics, ::testing::ValuesIn(noteAndMoreCases()),
                         caseName);

TEST(Diagnostics, EverythingIsReportedAtOnce)
{
    const std::string text = network("\n    s:\n        source: [[aa]]\n        target: bb\n",
                                     "\n    p:\n        type: loss\n        loss_function: MSE\n   "
                                     "     parameter: [[sp, s, W]]\n",
                                     "{}", "    d:\n        shape: 5\n        device: gpu0\n");
    const LoadResult r = loadString(text, "t.st_graph");
    EXPECT_FALSE(r.ok());
    int errors = 0;
    for (const auto &d : r.diagnostics)
        errors += d.severity == Severity::Error;
    // shape, device, source, target, loss source, source_t, target, target_t, parameter
    EXPECT_EQ(errors, 9) << test::dump(r);
}

TEST(Diagnostics, FormatNamesFileItemAndKey)
{
    const LoadResult r
        = loadString(network("{}", "{}", "{}", pool("        period: 0\n")), "net.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].format(),
              "net.st_graph:18:17: item 'd', key 'period': period must be an integer in [1, "
              "1073741824]; got 0");
}

TEST(Diagnostics, MissingFile)
{
    const LoadResult r = load("/nonexistent/x.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].message, "cannot open '/nonexistent/x.st_graph'");
    EXPECT_FALSE(r.ok());
}

} // namespace
