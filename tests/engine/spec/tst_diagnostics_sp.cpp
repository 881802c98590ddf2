// Diagnostics of synapse pools and plasticities: exact text, severity, line and column (the
// harness is in tst_diagnostics.cpp, the case type in diagnosticcases.h).
#include "diagnosticcases.h"

using namespace streamlab::spec;
using namespace streamlab::spec::diagtest;

namespace {

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
        // statestream's adam defaults, written out or left to default: steps without bound
        {"AdamUnbounded",
         network(kSp,
                 plast(reg + weight
                       + "        optimizer: adam\n        momentum: 0.999 #@\n"
                         "        decay: 0.99\n")),
         "0.999",
         "adam's steps have no bound: momentum (the first moment's decay, 0.999) squared is not "
         "below decay (the second moment's, 0.99), so a weight can run away; write momentum "
         "below sqrt(decay), e.g. momentum: 0.9, decay: 0.999",
         Severity::Warning},
        {"AdamDefaultsUnbounded",
         network(kSp, plast(reg + weight + "        optimizer: adam #@\n")), "adam",
         "adam's steps have no bound: momentum (the first moment's decay, 0.999 (statestream's "
         "default)) squared is not below decay (the second moment's, 0.99 (statestream's "
         "default)), so a weight can run away; write momentum below sqrt(decay), e.g. momentum: "
         "0.9, decay: 0.999",
         Severity::Warning},
        {"AdamDecayTooLow",
         network(kSp, plast(reg + weight + "        optimizer: adam\n        decay: 0.5 #@\n")),
         "0.5",
         "adam's steps have no bound: momentum (the first moment's decay, 0.999 (statestream's "
         "default)) squared is not below decay (the second moment's, 0.5), so a weight can run "
         "away; write momentum below sqrt(decay), e.g. momentum: 0.9, decay: 0.999",
         Severity::Warning},
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

} // namespace

// Bounded settings (the palette's, statestream's own example files') draw no warning, nor do
// other optimizers.
TEST(PlasticityDiagnostics, BoundedAdamAndOtherOptimizersDrawNoWarning)
{
    using streamlab::spec::diagtest::kSp;
    using streamlab::spec::diagtest::plast;
    const std::string reg = "        type: L_regularizer\n        parameter: [[sp, s, W_0_0]]\n";
    for (const std::string keys :
         {"        optimizer: adam\n        momentum: 0.9\n        decay: 0.999\n",
          "        optimizer: adam\n        momentum: 0.99\n        decay: 0.999\n",
          "        optimizer: grad_desc\n        momentum: 0.999\n",
          "        momentum: 0.999\n        decay: 0.5\n"}) {
        const LoadResult r
            = loadString(streamlab::spec::test::network(kSp, plast(reg + keys)), "t.st_graph");
        EXPECT_TRUE(r.ok());
        for (const Diagnostic &d : r.diagnostics)
            EXPECT_EQ(d.message.find("adam"), std::string::npos) << keys << d.message;
    }
}

namespace streamlab::spec::diagtest {
INSTANTIATE_TEST_SUITE_P(SynapsePool, DiagnosticTable, ::testing::ValuesIn(synapsePoolCases()),
                         caseName);
INSTANTIATE_TEST_SUITE_P(Plasticity, DiagnosticTable, ::testing::ValuesIn(plasticityCases()),
                         caseName);
} // namespace streamlab::spec::diagtest
