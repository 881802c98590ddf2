// Keras .h5 weights through `external_models` and `init W_0_0: [model, layer, param]` (reference
// §5.4): files written here with the HDF5 C API as Keras lays them out; dense kernels arrive
// transposed to [out, in, 1, 1], conv kernels as stored, float64 converted; a missing file, layer
// or parameter and a shape mismatch are diagnostics of Session::create naming what exists.
#include "io/hdf5handle.h"
#include "io/keras.h"
#include "iotest.h"

#include <hdf5.h>

#include <sys/wait.h>

using namespace streamlab;

namespace {

// Values 0.1 * (i + 1) * sign, distinct and recognisable.
std::vector<double> ramp(size_t n)
{
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = 0.1 * static_cast<double>(i + 1) * (i % 2 ? -1.0 : 1.0);
    return v;
}

// Writes dataset `path` (intermediate groups created) of `dims` and `values`, stored as `type`.
void writeDataset(hid_t file, const std::string &path, const std::vector<hsize_t> &dims,
                  const std::vector<double> &values, hid_t type)
{
    io::Hid links(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(links.get(), 1);
    io::Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    io::Hid set(
        H5Dcreate2(file, path.c_str(), type, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT));
    ASSERT_TRUE(set.valid()) << path;
    ASSERT_GE(H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              0);
}

// A Keras model file: model_weights/<layer>/<layer>/<param> as Keras 2 nests them, or (weights
// only, save_weights) <layer>/<layer>/<param> at the root.
std::string writeKerasFile(const std::string &path, bool weightsOnly = false)
{
    io::Hid file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    EXPECT_TRUE(file.valid());
    const std::string root = weightsOnly ? "" : "model_weights/";
    writeDataset(file.get(), root + "dense_1/dense_1/kernel:0", {4, 3}, ramp(12), H5T_IEEE_F32LE);
    writeDataset(file.get(), root + "dense_1/dense_1/bias:0", {3}, ramp(3), H5T_IEEE_F32LE);
    writeDataset(file.get(), root + "conv_1/conv_1/kernel:0", {3, 2, 3, 3}, ramp(54),
                 H5T_IEEE_F32LE);
    writeDataset(file.get(), root + "dense_2/dense_2/kernel:0", {4, 2}, ramp(8), H5T_IEEE_F64LE);
    return path;
}

// x [4] -> y [3] and z [2] dense; img [2, 5, 5] -> map [3, 5, 5] with a 3x3 conv. `dense`
// replaces the init of the dense SP.
std::string network(const std::string &modelFile,
                    const std::string &dense = "[kmodel, dense_1, dense_1/kernel:0]",
                    const std::string &extra = "")
{
    return R"(
name: keras
agents: 1
external_models:
    kmodel: {type: keras, model_file: )"
        + modelFile + R"(}
neuron_pools:
    x: {shape: [4, 1, 1], init b: normal}
    y: {shape: [3, 1, 1], bias_shape: False}
    z: {shape: [2, 1, 1], bias_shape: False}
    img: {shape: [2, 5, 5], bias_shape: full, init b: normal}
    map: {shape: [3, 5, 5], bias_shape: False}
synapse_pools:
    dense: {source: [[x]], target: y, init W_0_0: )"
        + dense + R"(}
    dense64: {source: [[x]], target: z, init W_0_0: [kmodel, dense_2, dense_2/kernel:0]}
    conv: {source: [[img]], target: map, rf: [[3]], init W_0_0: [kmodel, conv_1, conv_1/kernel:0]}
)" + extra
        + R"(
plasticities: {}
interfaces: {}
)";
}

struct Created
{
    std::unique_ptr<session::Session> session;
    spec::Diagnostics diagnostics;
};

Created create(spec::LoadResult loaded, bool reader = true)
{
    Created c;
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return c;
    session::SessionOptions options;
    options.threads = 1;
    if (reader)
        options.externalReader = io::kerasReader();
    c.session = session::Session::create(std::move(*loaded.network), options, c.diagnostics);
    return c;
}

Created create(const std::string &yaml, bool reader = true)
{
    return create(spec::loadString(yaml, "fixture.st_graph"), reader);
}

// The error of a session that could not be created on `init W_0_0` of `item` (every
// diagnostic is on an `init W_0_0`: a missing file fails all three weights).
std::string createError(const std::string &yaml, const std::string &item = "dense")
{
    auto c = create(yaml);
    EXPECT_FALSE(c.session);
    std::string message;
    for (const auto &d : c.diagnostics) {
        EXPECT_EQ(d.key, "init W_0_0") << d.message;
        if (d.item == item)
            message = d.message;
    }
    EXPECT_FALSE(message.empty()) << spec::formatAll(c.diagnostics);
    return message;
}

// W [out, in, 1, 1] from a dense kernel [in, out] of ramp values.
std::vector<float> transposed(int in, int out)
{
    const auto k = ramp(static_cast<size_t>(in * out));
    std::vector<float> w;
    for (int o = 0; o < out; ++o)
        for (int i = 0; i < in; ++i)
            w.push_back(static_cast<float>(k[static_cast<size_t>(i * out + o)]));
    return w;
}

std::vector<float> asFloats(const std::vector<double> &v)
{
    return {v.begin(), v.end()};
}

void expectValues(session::Session &s, const std::string &sp, const std::vector<int> &dims,
                  const std::vector<float> &expected)
{
    const session::Parameter *p = s.parameter(sp, "W_0_0");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->value.dims(), dims) << sp;
    ASSERT_EQ(p->value.size(), expected.size()) << sp;
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(p->value[i], expected[i]) << sp << " element " << i;
}

void expectImported(session::Session &s)
{
    expectValues(s, "dense", {3, 4, 1, 1}, transposed(4, 3));
    expectValues(s, "dense64", {2, 4, 1, 1}, transposed(4, 2));
    expectValues(s, "conv", {3, 2, 3, 3}, asFloats(ramp(54)));
}

} // namespace

TEST(Keras, ImportsDenseTransposedConvAsStoredAndFloat64)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    auto c = create(network(h5));
    ASSERT_TRUE(c.session) << spec::formatAll(c.diagnostics);
    expectImported(*c.session);
}

TEST(Keras, WeightsOnlyFileWithoutModelWeights)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/weights.h5", true);
    auto c = create(network(h5));
    ASSERT_TRUE(c.session) << spec::formatAll(c.diagnostics);
    expectImported(*c.session);
}

TEST(Keras, RelativeModelFileIsTakenFromTheNetworksFolder)
{
    const std::string dir = test::makeTempDir("keras");
    writeKerasFile(dir + "/model.h5");
    test::writeFile(dir + "/net.st_graph", network("model.h5"));
    auto c = create(spec::load(dir + "/net.st_graph"));
    ASSERT_TRUE(c.session) << spec::formatAll(c.diagnostics);
    expectImported(*c.session);
}

TEST(Keras, StreamsTheImportedDenseWeights)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    auto c = create(network(h5));
    ASSERT_TRUE(c.session) << spec::formatAll(c.diagnostics);
    session::Session &s = *c.session;
    s.step(); // x = its bias (normal draws), y = W x(0) = 0
    const Tensor x = s.state("x");
    s.step(); // y = W x (identity activation, no bias)
    const auto k = ramp(12); // [in 4, out 3]
    for (int o = 0; o < 3; ++o) {
        double expected = 0.0;
        for (int i = 0; i < 4; ++i)
            expected += k[static_cast<size_t>(i * 3 + o)] * x.at(0, i, 0, 0);
        EXPECT_NEAR(s.state("y").at(0, o, 0, 0), expected, 1e-6) << "y[" << o << "]";
    }
    EXPECT_NE(x.at(0, 0, 0, 0), 0.0f);
}

TEST(Keras, ReinitEditReadsTheFileAgain)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    auto c = create(network(h5));
    ASSERT_TRUE(c.session) << spec::formatAll(c.diagnostics);
    session::Session &s = *c.session;
    s.post(session::Edit::tensor("dense", "W_0_0", {}, {session::TensorOp::Kind::Zero, 0.0, {}}));
    s.step();
    EXPECT_EQ(s.parameter("dense", "W_0_0")->value[0], 0.0f);
    s.post(session::Edit::tensor("dense", "W_0_0", {}, {session::TensorOp::Kind::Reinit, 0.0, {}}));
    s.step();
    EXPECT_TRUE(s.takeEditErrors().empty());
    expectValues(s, "dense", {3, 4, 1, 1}, transposed(4, 3));
}

TEST(Keras, UnsharedWeightsGetTheKernelForEveryAgent)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    std::string yaml = network(h5);
    yaml.replace(yaml.find("agents: 1"), 9, "agents: 2");
    yaml.replace(yaml.find("target: y,"), 10, "target: y, unshare: [W_0_0],");
    auto c = create(yaml);
    ASSERT_TRUE(c.session) << spec::formatAll(c.diagnostics);
    std::vector<float> twice = transposed(4, 3);
    twice.insert(twice.end(), twice.begin(), twice.end());
    expectValues(*c.session, "dense", {2, 3, 4, 1, 1}, twice);
}

TEST(Keras, MissingFile)
{
    const std::string h5 = test::makeTempDir("keras") + "/absent.h5";
    EXPECT_EQ(createError(network(h5)),
              "external model 'kmodel': cannot open '" + h5 + "': no such file");
}

TEST(Keras, NotAnHdf5File)
{
    const std::string path = test::makeTempDir("keras") + "/text.h5";
    test::writeFile(path, "not HDF5\n");
    EXPECT_EQ(createError(network(path)),
              "external model 'kmodel': '" + path
                  + "' is not a Keras model: it is not an HDF5 file");
}

TEST(Keras, MissingLayerListsTheLayers)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    EXPECT_EQ(createError(network(h5, "[kmodel, dense_9, dense_9/kernel:0]")),
              "external model 'kmodel': '" + h5
                  + "' has no layer 'dense_9' in model_weights; its layers: conv_1, dense_1, "
                    "dense_2");
}

TEST(Keras, MissingParameterListsTheLayersParameters)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    EXPECT_EQ(createError(network(h5, "[kmodel, dense_1, kernel:0]")),
              "external model 'kmodel': '" + h5
                  + "': layer 'dense_1' has no parameter 'kernel:0'; its parameters: "
                    "dense_1/bias:0, dense_1/kernel:0");
}

TEST(Keras, ShapeMismatchNamesBothShapes)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    // dense_2's kernel [4, 2] on x [4] -> y [3], W [3, 4, 1, 1]
    EXPECT_EQ(createError(network(h5, "[kmodel, dense_2, dense_2/kernel:0]")),
              "external model 'kmodel': model_weights/dense_2/dense_2/kernel:0 has shape [4, 2], "
              "as a dense kernel [in, out] transposed to [out, in, 1, 1]: [2, 4, 1, 1]; W_0_0 "
              "has shape [3, 4, 1, 1]");
    // any other array is used as stored
    EXPECT_EQ(createError(network(h5, "[kmodel, dense_1, dense_1/bias:0]")),
              "external model 'kmodel': model_weights/dense_1/dense_1/bias:0 has shape [3] (used "
              "as stored: only a 2-D dense kernel of a weight W is transposed); W_0_0 has shape "
              "[3, 4, 1, 1]");
}

TEST(Keras, WithoutAReaderTheInitIsAnError)
{
    const std::string h5 = writeKerasFile(test::makeTempDir("keras") + "/model.h5");
    auto c = create(network(h5), false);
    EXPECT_FALSE(c.session);
    ASSERT_FALSE(c.diagnostics.empty());
    EXPECT_NE(c.diagnostics[0].message.find("no Keras reader"), std::string::npos)
        << c.diagnostics[0].message;
}

TEST(Keras, StreamlabRunImportsTheWeights)
{
    const std::string dir = test::makeTempDir("keras-cli");
    writeKerasFile(dir + "/model.h5");
    test::writeFile(dir + "/net.st_graph", network("model.h5"));
    test::writeFile(dir + "/bad.st_graph", network("model.h5", "[kmodel, dense_9, kernel:0]"));
    auto run = [&](const std::string &file) {
        const std::string command = std::string(STREAMLAB_RUN) + " " + dir + "/" + file
            + " --frames 2 -q </dev/null >/dev/null 2>" + dir + "/err.txt";
        const int status = std::system(command.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    EXPECT_EQ(run("net.st_graph"), 0) << test::readFile(dir + "/err.txt");
    EXPECT_EQ(run("bad.st_graph"), 1);
    EXPECT_NE(test::readFile(dir + "/err.txt").find("has no layer 'dense_9' in model_weights"),
              std::string::npos)
        << test::readFile(dir + "/err.txt");
}
