// The documented layout (docs/hdf5-schema.md), read with the HDF5 C API only - not with our
// reader - so that a file stays readable by h5py, h5dump and other programs.
#include "iotest.h"
#include "session/editlog.h"
#include "spec/load.h"

#include <hdf5.h>

using namespace streamlab;

namespace {

struct File
{
    hid_t id = -1;
    explicit File(const std::string &path)
        : id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT))
    {
    }
    ~File()
    {
        if (id >= 0)
            H5Fclose(id);
    }
};

bool isGroup(hid_t file, const std::string &path)
{
    H5O_info_t info;
    return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0
        && H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT) >= 0
        && info.type == H5O_TYPE_GROUP;
}

// Dimensions and element class/size of a dataset; empty dims and class -1 when missing.
struct DatasetInfo
{
    std::vector<int> dims;
    H5T_class_t typeClass = H5T_NO_CLASS;
    size_t typeSize = 0;
    bool littleEndian = false;
};

DatasetInfo datasetInfo(hid_t file, const std::string &path)
{
    DatasetInfo info;
    if (H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0)
        return info;
    const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    if (d < 0)
        return info;
    const hid_t space = H5Dget_space(d);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    info.dims.assign(dims.begin(), dims.end());
    const hid_t type = H5Dget_type(d);
    info.typeClass = H5Tget_class(type);
    info.typeSize = H5Tget_size(type);
    info.littleEndian = info.typeClass == H5T_STRING || H5Tget_order(type) == H5T_ORDER_LE;
    H5Tclose(type);
    H5Sclose(space);
    H5Dclose(d);
    return info;
}

std::string textAttribute(hid_t file, const std::string &object, const std::string &name)
{
    const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return "<missing>";
    const hid_t type = H5Aget_type(a);
    std::string value = "<not variable-length text>";
    if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
        char *text = nullptr;
        if (H5Aread(a, type, &text) >= 0 && text) {
            value = text;
            H5free_memory(text);
        }
    }
    H5Tclose(type);
    H5Aclose(a);
    return value;
}

// An integer attribute stored as a 64-bit little-endian integer; -999 otherwise.
int64_t intAttribute(hid_t file, const std::string &object, const std::string &name)
{
    const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return -999;
    const hid_t type = H5Aget_type(a);
    int64_t value = -999;
    if (H5Tequal(type, H5T_STD_I64LE) > 0)
        H5Aread(a, H5T_NATIVE_INT64, &value);
    H5Tclose(type);
    H5Aclose(a);
    return value;
}

double realAttribute(hid_t file, const std::string &object, const std::string &name)
{
    const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    double value = -999.0;
    if (a >= 0) {
        H5Aread(a, H5T_NATIVE_DOUBLE, &value);
        H5Aclose(a);
    }
    return value;
}

std::vector<float> readFloats(hid_t file, const std::string &path, size_t n)
{
    std::vector<float> v(n);
    const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    EXPECT_GE(d, 0) << path;
    if (d >= 0) {
        EXPECT_GE(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
        H5Dclose(d);
    }
    return v;
}

} // namespace

TEST(Schema, SavedDemoHasTheDocumentedLayout)
{
    auto s = test::makeSessionFromFile(test::sourcePath("examples/demo.st_graph"), 5, 2);
    ASSERT_TRUE(s);
    s->run(6);
    const std::string path = test::makeTempDir("io-schema") + "/demo.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;

    File f(path);
    ASSERT_GE(f.id, 0);
    // Root attributes and the network text.
    EXPECT_EQ(textAttribute(f.id, "/", "format"), "streamlab-model");
    EXPECT_EQ(intAttribute(f.id, "/", "schema_version"), 1);
    EXPECT_EQ(textAttribute(f.id, "/", "kind"), "model");
    EXPECT_EQ(textAttribute(f.id, "/", "writer").rfind("streamlab ", 0), 0u);
    EXPECT_EQ(textAttribute(f.id, "/", "st_graph_file"),
              test::sourcePath("examples/demo.st_graph"));
    const auto graph = datasetInfo(f.id, "/st_graph");
    EXPECT_EQ(graph.typeClass, H5T_STRING);
    EXPECT_TRUE(graph.dims.empty()); // scalar
    {
        const hid_t d = H5Dopen2(f.id, "/st_graph", H5P_DEFAULT);
        const hid_t type = H5Dget_type(d);
        char *text = nullptr;
        ASSERT_GE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), 0);
        EXPECT_EQ(std::string(text), spec::emit(s->spec()));
        H5free_memory(text);
        H5Tclose(type);
        H5Dclose(d);
    }

    // /session
    ASSERT_TRUE(isGroup(f.id, "/session"));
    EXPECT_EQ(intAttribute(f.id, "/session", "frame"), 6);
    EXPECT_EQ(intAttribute(f.id, "/session", "seed"), 5);
    EXPECT_EQ(intAttribute(f.id, "/session", "split"), 0);
    EXPECT_EQ(intAttribute(f.id, "/session", "agents"), 64);

    // /neuron_pools/<np>: state [A, C, X, Y] float32 little-endian, flag, bias b.
    for (const auto &np : s->spec().neuronPools) {
        const std::string g = "/neuron_pools/" + np.name;
        ASSERT_TRUE(isGroup(f.id, g)) << g;
        EXPECT_EQ(intAttribute(f.id, g, "flag"), 0) << g;
        const auto state = datasetInfo(f.id, g + "/state");
        EXPECT_EQ(state.dims, (std::vector<int> {64, np.features, np.x, np.y})) << g;
        EXPECT_EQ(state.typeClass, H5T_FLOAT);
        EXPECT_EQ(state.typeSize, 4u);
        EXPECT_TRUE(state.littleEndian);
    }
    EXPECT_EQ(datasetInfo(f.id, "/neuron_pools/edges/b").dims,
              s->parameter("edges", "b")->value.dims());
    // One value against the session: the whole state of `prediction`, bit for bit.
    const Tensor &prediction = s->state("prediction");
    const auto stored = readFloats(f.id, "/neuron_pools/prediction/state", prediction.size());
    EXPECT_EQ(0, std::memcmp(stored.data(), prediction.data(), stored.size() * sizeof(float)));

    // /synapse_pools/<sp>/<parameter>
    for (const auto &sp : s->spec().synapsePools) {
        const std::string g = "/synapse_pools/" + sp.name;
        ASSERT_TRUE(isGroup(f.id, g)) << g;
        EXPECT_EQ(datasetInfo(f.id, g + "/W_0_0").dims,
                  s->parameter(sp.name, "W_0_0")->value.dims());
    }
    const Tensor &w = s->parameter("parts_code", "W_0_0")->value;
    const auto storedW = readFloats(f.id, "/synapse_pools/parts_code/W_0_0", w.size());
    EXPECT_EQ(0, std::memcmp(storedW.data(), w.data(), w.size() * sizeof(float)));
    // Deltas computed in frame 6 land in frame 7: stored with the parameter's shape.
    EXPECT_EQ(datasetInfo(f.id, "/synapse_pools/parts_code/pending/W_0_0").dims, w.dims());

    // /plasticities/<p>: optimizer settings and per trained parameter its adam state.
    const std::string p = "/plasticities/classify";
    ASSERT_TRUE(isGroup(f.id, p));
    EXPECT_EQ(textAttribute(f.id, p, "type"), "loss");
    EXPECT_EQ(textAttribute(f.id, p, "optimizer"), "adam");
    EXPECT_DOUBLE_EQ(realAttribute(f.id, p, "lr"), 0.001);
    EXPECT_DOUBLE_EQ(realAttribute(f.id, p, "momentum"), 0.9);
    EXPECT_EQ(intAttribute(f.id, p, "flag"), 0);
    const std::string tp = p + "/parameters/image_edges.W_0_0";
    ASSERT_TRUE(isGroup(f.id, tp));
    EXPECT_EQ(textAttribute(f.id, tp, "kind"), "sp");
    const auto &trained = s->network().plasticities[0].plasticity->parameters()[0];
    ASSERT_EQ(trained.ref.item, "image_edges");
    EXPECT_GT(trained.optimizer.t, 0);
    EXPECT_EQ(intAttribute(f.id, tp, "t"), trained.optimizer.t);
    const int n = static_cast<int>(s->parameter("image_edges", "W_0_0")->value.size());
    for (const char *name : {"m", "v", "grad", "delta"})
        EXPECT_EQ(datasetInfo(f.id, tp + "/" + name).dims, std::vector<int> {n}) << name;

    // /interfaces/<if>: type, flag, the data written last, stimulus timing, random stream.
    const std::string i = "/interfaces/numerals";
    ASSERT_TRUE(isGroup(f.id, i));
    EXPECT_EQ(textAttribute(f.id, i, "type"), "roman_numerals");
    EXPECT_EQ(intAttribute(f.id, i, "agents"), 64);
    EXPECT_EQ(datasetInfo(f.id, i + "/outputs/rn_image").dims, (std::vector<int> {64, 1, 32, 32}));
    EXPECT_EQ(datasetInfo(f.id, i + "/outputs/rn_label").dims, (std::vector<int> {64, 10, 1, 1}));
    EXPECT_EQ(datasetInfo(f.id, i + "/rng").dims, std::vector<int> {5});
    EXPECT_EQ(datasetInfo(f.id, i + "/rng").typeClass, H5T_INTEGER);
    EXPECT_EQ(datasetInfo(f.id, i + "/timing/elapsed").dims, std::vector<int> {64});
    EXPECT_EQ(intAttribute(f.id, i + "/timing", "min_duration"), 6);
    EXPECT_EQ(datasetInfo(f.id, i + "/class").dims, std::vector<int> {64});
    EXPECT_TRUE(isGroup(f.id, i + "/metrics/all"));
    EXPECT_TRUE(isGroup(f.id, "/core_clients"));
}

TEST(Schema, WeightsFileHoldsParametersOnly)
{
    auto s = test::makeSessionFromFile(test::sourcePath("examples/demo.st_graph"), 1, 1);
    ASSERT_TRUE(s);
    s->run(2);
    const std::string path = test::makeTempDir("io-weights") + "/w.h5";
    std::string error;
    ASSERT_TRUE(io::saveWeights(*s, path, {}, &error)) << error;
    File f(path);
    ASSERT_GE(f.id, 0);
    EXPECT_EQ(textAttribute(f.id, "/", "kind"), "weights");
    EXPECT_EQ(datasetInfo(f.id, "/synapse_pools/code_prediction/W_0_0").dims,
              (std::vector<int> {10, 64, 1, 1}));
    EXPECT_EQ(datasetInfo(f.id, "/neuron_pools/code/b").dims,
              s->parameter("code", "b")->value.dims());
    EXPECT_TRUE(datasetInfo(f.id, "/neuron_pools/code/state").dims.empty());
    EXPECT_EQ(H5Lexists(f.id, "/neuron_pools/code/state", H5P_DEFAULT), 0);
    EXPECT_EQ(H5Lexists(f.id, "/plasticities", H5P_DEFAULT), 0);
    EXPECT_EQ(H5Lexists(f.id, "/interfaces", H5P_DEFAULT), 0);
    EXPECT_EQ(H5Lexists(f.id, "/synapse_pools/code_prediction/pending", H5P_DEFAULT), 0);
}

TEST(Schema, EditLogGroup)
{
    using session::Edit;
    auto s = test::makeSessionFromFile(test::sourcePath("examples/demo.st_graph"), 1, 1);
    ASSERT_TRUE(s);
    const std::string path = test::makeTempDir("io-editlog") + "/m.h5";
    std::string error;
    // No edits: no group (files of Streamlab before live edits look the same).
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    {
        File f(path);
        EXPECT_FALSE(isGroup(f.id, "/edit_log"));
    }
    s->post(Edit::setScalar("edges", "dropout", 0.25));
    s->post(Edit::tensor("image_edges", "W_0_0", {session::TensorSelection::Kind::Filter, {3}},
                         {session::TensorOp::Kind::Zero, 0.0, {}}));
    s->step();
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    File f(path);
    ASSERT_TRUE(isGroup(f.id, "/edit_log"));
    EXPECT_EQ(intAttribute(f.id, "/edit_log", "count"), 2);
    EXPECT_EQ(intAttribute(f.id, "/edit_log/0", "id"), 1);
    EXPECT_EQ(intAttribute(f.id, "/edit_log/0", "frame"), 0);
    EXPECT_EQ(textAttribute(f.id, "/edit_log/0", "description"), "dropout: 0 -> 0.25");
    EXPECT_EQ(textAttribute(f.id, "/edit_log/1", "line"),
              session::formatEditRecord(s->editLog()[1]));
    // The filter's 1 x 5 x 5 old values, float32.
    const auto old = datasetInfo(f.id, "/edit_log/1/old");
    EXPECT_EQ(old.dims, std::vector<int> {25});
    EXPECT_EQ(old.typeClass, H5T_FLOAT);
    EXPECT_EQ(old.typeSize, 4u);
    EXPECT_FALSE(isGroup(f.id, "/edit_log/0/old"));
    EXPECT_EQ(realAttribute(f.id, "/edit_log/settings/edges", "dropout"), 0.25);
}
