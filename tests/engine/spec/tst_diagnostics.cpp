// Every diagnostic kind of validation: exact text, severity, line and column. The line is the one
// marked `#@` in the fixture, the column that of `at` on it.
#include "diagnosticcases.h"

using namespace streamlab::spec;
using namespace streamlab::spec::diagtest;

namespace {

TEST_P(DiagnosticTable, TextAndPosition)
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

INSTANTIATE_TEST_SUITE_P(TopLevel, DiagnosticTable, ::testing::ValuesIn(topLevelCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Common, DiagnosticTable, ::testing::ValuesIn(commonCases()), caseName);
INSTANTIATE_TEST_SUITE_P(NeuronPool, DiagnosticTable, ::testing::ValuesIn(neuronPoolCases()),
                         caseName);
INSTANTIATE_TEST_SUITE_P(Interface, DiagnosticTable, ::testing::ValuesIn(interfaceCases()),
                         caseName);
INSTANTIATE_TEST_SUITE_P(Expansion, DiagnosticTable, ::testing::ValuesIn(expansionCases()),
                         caseName);
INSTANTIATE_TEST_SUITE_P(NotesAndMore, DiagnosticTable, ::testing::ValuesIn(noteAndMoreCases()),
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
