#include "views/tensorpicker.h"

#include "spec/parameters.h"

#include <QComboBox>
#include <QHBoxLayout>

#include <set>

namespace streamlab::views {

QString TensorRef::tensorLabel() const
{
    if (kind == QLatin1String("state"))
        return kind;
    if (kind == QLatin1String("par"))
        return name;
    return kind + QLatin1Char(' ') + name;
}

QString TensorRef::label() const
{
    return item + QLatin1Char(' ') + tensorLabel();
}

session::SnapshotSource TensorRef::source() const
{
    session::SnapshotSource s;
    s.item = item.toStdString();
    // checkTensor() accepts only the kinds there are.
    s.kind = session::parseSnapshotKind(kind.toStdString()).value_or(session::SnapshotKind::State);
    s.name = name.toStdString();
    return s;
}

QVariantMap TensorRef::toVariant() const
{
    QVariantMap map;
    map.insert(QStringLiteral("item"), item);
    map.insert(QStringLiteral("kind"), kind);
    if (!name.isEmpty())
        map.insert(QStringLiteral("name"), name);
    return map;
}

TensorRef TensorRef::fromVariant(const QVariantMap &map)
{
    TensorRef ref;
    ref.item = map.value(QStringLiteral("item")).toString();
    ref.kind = map.value(QStringLiteral("kind"), QStringLiteral("state")).toString();
    ref.name = map.value(QStringLiteral("name")).toString();
    return ref;
}

static std::set<std::pair<std::string, std::string>>
trainedParameters(const spec::NetworkSpec &spec)
{
    std::set<std::pair<std::string, std::string>> trained;
    for (const auto &p : spec.plasticities)
        for (const auto &ref : p.parameters)
            trained.insert({ref.item, ref.par});
    return trained;
}

static void appendParameters(std::vector<TensorRef> &out, const QString &item,
                             const std::vector<std::string> &names,
                             const std::set<std::pair<std::string, std::string>> &trained)
{
    for (const auto &name : names)
        out.push_back({item, QStringLiteral("par"), QString::fromStdString(name)});
    for (const char *kind : {"grad", "update"})
        for (const auto &name : names)
            if (trained.count({item.toStdString(), name}))
                out.push_back({item, QString::fromLatin1(kind), QString::fromStdString(name)});
}

std::vector<TensorRef> tensorsOf(const spec::NetworkSpec &spec, const QString &item)
{
    std::vector<TensorRef> out;
    const std::string name = item.toStdString();
    const auto trained = trainedParameters(spec);
    if (const auto *np = spec.findNeuronPool(name)) {
        out.push_back(TensorRef::state(item));
        appendParameters(out, item, spec::parameterNames(*np), trained);
    } else if (const auto *sp = spec.findSynapsePool(name)) {
        appendParameters(out, item, spec::parameterNames(*sp), trained);
    }
    return out;
}

std::vector<TensorRef> availableTensors(const spec::NetworkSpec &spec)
{
    std::vector<TensorRef> out;
    for (const auto &np : spec.neuronPools) {
        auto t = tensorsOf(spec, QString::fromStdString(np.name));
        out.insert(out.end(), t.begin(), t.end());
    }
    for (const auto &sp : spec.synapsePools) {
        auto t = tensorsOf(spec, QString::fromStdString(sp.name));
        out.insert(out.end(), t.begin(), t.end());
    }
    return out;
}

QString checkTensor(const spec::NetworkSpec *spec, const TensorRef &ref)
{
    if (!spec)
        return QObject::tr("No network is open.");
    if (ref.isNull())
        return QObject::tr("Choose a neuron pool or synapse pool.");
    const std::string item = ref.item.toStdString();
    const bool np = spec->findNeuronPool(item) != nullptr;
    if (!np && !spec->findSynapsePool(item))
        return QObject::tr("There is no neuron pool or synapse pool '%1' in this network.")
            .arg(ref.item);
    for (const auto &t : tensorsOf(*spec, ref.item))
        if (t == ref)
            return QString();
    if (ref.kind == QLatin1String("state"))
        return QObject::tr("'%1' is a synapse pool: it has no state.").arg(ref.item);
    if (ref.kind == QLatin1String("grad") || ref.kind == QLatin1String("update"))
        for (const auto &t : tensorsOf(*spec, ref.item))
            if (t.kind == QLatin1String("par") && t.name == ref.name)
                return QObject::tr("No plasticity trains '%1' of '%2', so it has no %3.")
                    .arg(ref.name, ref.item,
                         ref.kind == QLatin1String("grad") ? QObject::tr("gradient")
                                                           : QObject::tr("update"));
    if (ref.kind != QLatin1String("par") && ref.kind != QLatin1String("grad")
        && ref.kind != QLatin1String("update"))
        return QObject::tr("Unknown tensor kind '%1' (state, par, grad, update).").arg(ref.kind);
    return QObject::tr("'%1' has no parameter '%2'.").arg(ref.item, ref.name);
}

TensorRef defaultTensorFor(const spec::NetworkSpec &spec, const QString &item)
{
    const auto tensors = tensorsOf(spec, item);
    return tensors.empty() ? TensorRef {QString(), QString(), QString()} : tensors.front();
}

TensorRef initialTensor(const spec::NetworkSpec &spec, const QString &selectedItem)
{
    TensorRef ref = defaultTensorFor(spec, selectedItem);
    if (ref.isNull() && !spec.neuronPools.empty())
        ref = TensorRef::state(QString::fromStdString(spec.neuronPools.front().name));
    return ref;
}

TensorPicker::TensorPicker(QWidget *parent)
    : QWidget(parent)
    , mItem(new QComboBox(this))
    , mTensor(new QComboBox(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(mItem, 2);
    layout->addWidget(mTensor, 1);
    mItem->setToolTip(tr("Neuron pool or synapse pool"));
    mTensor->setToolTip(tr("State, parameter, or a parameter's gradient or update"));
    mItem->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    mTensor->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(mItem, &QComboBox::activated, this, &TensorPicker::onItemActivated);
    connect(mTensor, &QComboBox::activated, this, &TensorPicker::onTensorActivated);
}

void TensorPicker::setNetwork(const spec::NetworkSpec *spec)
{
    mSpec = spec;
    mItem->clear();
    if (mSpec) {
        for (const auto &np : mSpec->neuronPools)
            mItem->addItem(QString::fromStdString(np.name));
        for (const auto &sp : mSpec->synapsePools)
            if (!spec::parameterNames(sp).empty())
                mItem->addItem(QString::fromStdString(sp.name));
    }
    setCurrent(mCurrent);
}

void TensorPicker::setCurrent(const TensorRef &ref)
{
    mCurrent = ref;
    int index = mItem->findText(ref.item);
    if (index < 0 && !ref.isNull()) {
        // A configured item the network lacks stays visible, marked, so the message makes sense.
        mItem->addItem(ref.item);
        index = mItem->count() - 1;
    }
    mItem->setCurrentIndex(index);
    fillTensors(ref.item);
    int tensor = -1;
    for (size_t i = 0; i < mTensors.size(); ++i)
        if (mTensors[i] == ref)
            tensor = static_cast<int>(i);
    if (tensor < 0 && !ref.isNull()) {
        mTensor->addItem(mSpec ? ref.tensorLabel() + tr(" (missing)") : ref.tensorLabel());
        tensor = mTensor->count() - 1;
    }
    mTensor->setCurrentIndex(tensor);
}

void TensorPicker::fillTensors(const QString &item)
{
    mTensor->clear();
    mTensors = mSpec ? tensorsOf(*mSpec, item) : std::vector<TensorRef> {};
    for (const auto &t : mTensors)
        mTensor->addItem(t.tensorLabel());
}

void TensorPicker::onItemActivated(int index)
{
    const QString item = mItem->itemText(index);
    if (item == mCurrent.item)
        return;
    fillTensors(item);
    if (mTensors.empty())
        return;
    // Keep the kind of tensor (a state, the same parameter) where the new item has it.
    TensorRef next = mTensors.front();
    for (const auto &t : mTensors)
        if (t.kind == mCurrent.kind && t.name == mCurrent.name)
            next = t;
    setCurrent(next);
    Q_EMIT picked(next);
}

void TensorPicker::onTensorActivated(int index)
{
    if (index < 0 || index >= static_cast<int>(mTensors.size()))
        return;
    if (mTensors[static_cast<size_t>(index)] == mCurrent)
        return;
    mCurrent = mTensors[static_cast<size_t>(index)];
    Q_EMIT picked(mCurrent);
}

} // namespace streamlab::views
