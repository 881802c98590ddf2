// Live edits (docs/live-edits.md): changes to a streaming network that the session applies
// between two frames, logs and can undo. An Edit is what a user asks for (set a scalar, change a
// tensor, undo an earlier edit); an EditRecord is an applied edit as the edit log keeps it, with
// the values it replaced. Both are plain values: the GUI builds Edits, the session owns records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace streamlab::session {

// Which elements of a tensor a TensorEdit changes. Indices are 0-based.
//   Whole       every element
//   Element     one element; `index` has one entry per axis of the tensor
//   Filter      `index` = {i}: a neuron-pool state's feature i of every agent ([:, i, :, :]);
//               a parameter's first axis after the agent axis (a weight's target feature i:
//               W[i, :, :, :]; b, g: entry i of their first axis), for every agent if unshared
//   FeatureMap  `index` = {a, f}: a state's map [a, f, :, :]; a weight's kernel [i, j, :, :]
//               (target feature i, source feature j), for every agent if unshared
struct TensorSelection
{
    enum class Kind { Whole, Element, Filter, FeatureMap };
    Kind kind = Kind::Whole;
    std::vector<int> index;

    bool operator==(const TensorSelection &) const = default;
};

// What a TensorEdit does to the selected elements. Afterwards a parameter is clamped to its
// `min <par>` / `max <par>` bounds.
//   Set v, Scale v (x *= v), AddNoise v (x += N(0, v), from a stream of the session seed and the
//   edit id), Zero, Reinit (the init scheme `init` of reference §1.5.1, e.g. "xavier", "normal",
//   "id", "0.5"; "" = the tensor's own init from the st_graph, 0 for a state).
struct TensorOp
{
    enum class Kind { Set, Scale, AddNoise, Zero, Reinit };
    Kind kind = Kind::Zero;
    double value = 0.0;
    std::string init;

    bool operator==(const TensorOp &) const = default;
};

// One live edit, posted with Session::post(Edit).
//   SetScalar  item, param, value: a live scalar (Session::scalars(item) lists them; "flag" is
//              the run flag 0 running / 1 paused / 2 off; item "" with param "split" is the
//              session split)
//   Tensor     item, param ("state" for a neuron pool's state, or a parameter name such as
//              W_0_0, b), selection, op
//   Undo       undo: the id of the edit to undo; restores the values it replaced
struct Edit
{
    enum class Kind { SetScalar, Tensor, Undo };
    Kind kind = Kind::SetScalar;
    std::string item;
    std::string param;
    double value = 0.0;
    TensorSelection selection;
    TensorOp op;
    uint64_t undo = 0;

    static Edit setScalar(std::string item, std::string param, double value);
    static Edit tensor(std::string item, std::string param, TensorSelection selection, TensorOp op);
    static Edit undoOf(uint64_t id);

    bool operator==(const Edit &) const = default;
};

// An applied edit. `frame` is the number of frames run before it was applied: frame + 1 is the
// first frame computed with it (replay applies it at the same point).
struct EditRecord
{
    uint64_t id = 0;
    int64_t frame = 0;
    std::string time; // wall time it was applied, ISO 8601 UTC ("2025-01-31T12:00:00Z")
    Edit edit; // for an undo, item and param are those of the undone edit
    std::string description; // "W_0_0 filter 3: zero", "dropout: 0.1 -> 0.25"
    // SetScalar (and the undo of one): the value before and after.
    double oldValue = 0.0, newValue = 0.0;
    // Tensor (and the undo of one): the selected elements' values before, in selection order.
    std::vector<float> oldValues;
    uint64_t undoneBy = 0; // id of the undo that undid this edit, 0 = none
    bool tensorValues = false; // a Tensor edit or the undo of one (oldValues), else a scalar
};

// A live scalar of an item as Session::scalars() lists it.
struct ScalarInfo
{
    std::string name;
    double value = 0.0;
    double min = 0.0, max = 0.0; // values outside are clamped
};

// An edit that failed: the id post() returned and why.
struct EditError
{
    uint64_t id = 0;
    std::string message;
};

// The shortest text that reads back as exactly `value` ("0.1", "2", "1e-05").
std::string formatNumber(double value);
// "[1, 0, 2]"
std::string formatIndex(const std::vector<int> &index);
// "filter 3", "map [0, 2]", "element [1, 0, 2, 2]", "all"
std::string describe(const TensorSelection &selection);
// "zero", "set 0.5", "scale 2", "noise 0.1", "reinit xavier"
std::string describe(const TensorOp &op);

} // namespace streamlab::session
