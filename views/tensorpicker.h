// TensorRef names one tensor of a network that a view can subscribe to: a neuron pool's state,
// a parameter of a neuron or synapse pool, or the gradient or update of a trained parameter.
// TensorPicker is the pair of combo boxes (item, tensor) the chart views put in their tool row.
// Both work on the NetworkSpec only; whether a subscription succeeds is the engine's answer.
#pragma once

#include "session/snapshot.h"
#include "spec/networkspec.h"

#include <QString>
#include <QVariantMap>
#include <QWidget>

#include <vector>

class QComboBox;

namespace streamlab::views {

struct TensorRef
{
    QString item;
    QString kind = QStringLiteral("state"); // "state" | "par" | "grad" | "update"
    QString name; // parameter name, empty for "state"

    bool isNull() const { return item.isEmpty(); }
    // "edges state", "image_edges W_0_0", "image_edges grad W_0_0"
    QString label() const;
    // What the tensor combo box shows: "state", "W_0_0", "grad W_0_0"
    QString tensorLabel() const;
    session::SnapshotSource source() const;
    QVariantMap toVariant() const;
    static TensorRef fromVariant(const QVariantMap &map);
    static TensorRef state(const QString &neuronPool)
    {
        return {neuronPool, QStringLiteral("state"), {}};
    }
    bool operator==(const TensorRef &) const = default;
};

// Every tensor of `spec` in spec order: NP state and parameters, SP parameters; "grad" and
// "update" for the parameters a plasticity trains.
std::vector<TensorRef> availableTensors(const spec::NetworkSpec &spec);
// The tensors of one item (same order).
std::vector<TensorRef> tensorsOf(const spec::NetworkSpec &spec, const QString &item);
// Empty when `ref` names a tensor of `spec`, else a message that says what is missing.
QString checkTensor(const spec::NetworkSpec *spec, const TensorRef &ref);
// What a view shows for an item chosen elsewhere (linked selection): an NP's state, the first
// parameter of an SP; null for other items.
TensorRef defaultTensorFor(const spec::NetworkSpec &spec, const QString &item);
// What a new view shows: the selected item's first tensor, else the first neuron pool's state.
TensorRef initialTensor(const spec::NetworkSpec &spec, const QString &selectedItem);

class TensorPicker : public QWidget
{
    Q_OBJECT
public:
    explicit TensorPicker(QWidget *parent = nullptr);

    // Refills the item list from `spec` (null: empty) and shows `current` again.
    void setNetwork(const spec::NetworkSpec *spec);
    // Shows `ref` without emitting picked(); a tensor the network lacks shows as missing.
    void setCurrent(const TensorRef &ref);
    TensorRef current() const { return mCurrent; }

Q_SIGNALS:
    void picked(const TensorRef &ref); // chosen by the user

private:
    void fillTensors(const QString &item);
    void onItemActivated(int index);
    void onTensorActivated(int index);

    const spec::NetworkSpec *mSpec = nullptr;
    QComboBox *mItem;
    QComboBox *mTensor;
    std::vector<TensorRef> mTensors; // of the item shown in mItem
    TensorRef mCurrent;
};

} // namespace streamlab::views
