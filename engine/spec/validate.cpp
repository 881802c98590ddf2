// Top-level checks, item names, and the typed key readers shared by all item kinds.
#include "spec/validate.h"

#include <algorithm>
#include <cctype>

namespace streamlab::spec {

std::string integerRange(long long min, long long max)
{
    return "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

// ---------------------------------------------------------------------------------------------
// ItemReader

ItemReader::ItemReader(Validator &validator, std::string kindName, std::string name,
                       const Node &item)
    : mValidator(validator)
    , mKindName(std::move(kindName))
    , mName(std::move(name))
    , mItem(item)
{
}

void ItemReader::error(const Node &at, const std::string &key, std::string message)
{
    mValidator.report(Diagnostic::Severity::Error, at.mark(), mName, key, std::move(message));
}

void ItemReader::errorAtKey(const std::string &key, std::string message)
{
    const Node *n = mItem.find(key);
    mValidator.report(Diagnostic::Severity::Error, n ? n->keyMark() : mItem.keyMark(), mName, key,
                      std::move(message));
}

void ItemReader::warning(const Node &at, const std::string &key, std::string message)
{
    mValidator.report(Diagnostic::Severity::Warning, at.mark(), mName, key, std::move(message));
}

void ItemReader::note(const Node &at, const std::string &key, std::string message)
{
    mValidator.report(Diagnostic::Severity::Note, at.mark(), mName, key, std::move(message));
}

void ItemReader::missing(const std::string &key, const std::string &what)
{
    mValidator.report(Diagnostic::Severity::Error, mItem.keyMark(), mName, key,
                      mKindName + " '" + mName + "' needs '" + key + "' (" + what + ")");
}

std::optional<long long> ItemReader::integer(const std::string &key, long long min, long long max,
                                             const std::string &expected)
{
    const Node *n = find(key);
    if (!n)
        return std::nullopt;
    auto v = n->toInt();
    if (!v || *v < min || *v > max) {
        error(*n, key, key + " must be " + expected + "; got " + n->describe());
        return std::nullopt;
    }
    return v;
}

std::optional<double> ItemReader::number(const std::string &key, double min, double max,
                                         const std::string &expected)
{
    const Node *n = find(key);
    if (!n)
        return std::nullopt;
    auto v = n->toDouble();
    if (v && !checkFinite(*this, *n, key, *v))
        return std::nullopt;
    if (!v || *v < min || *v > max) {
        error(*n, key, key + " must be " + expected + "; got " + n->describe());
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> ItemReader::text(const std::string &key, const std::string &expected)
{
    const Node *n = find(key);
    if (!n)
        return std::nullopt;
    if (!n->isScalar()) {
        error(*n, key, key + " must be " + expected + "; got " + n->describe());
        return std::nullopt;
    }
    return n->text();
}

std::optional<bool> ItemReader::boolean(const std::string &key)
{
    const Node *n = find(key);
    if (!n)
        return std::nullopt;
    auto v = n->toBool();
    if (!v) {
        error(*n, key, key + " must be True or False; got " + n->describe());
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> ItemReader::choice(const std::string &key,
                                              const std::vector<std::string> &options)
{
    const Node *n = find(key);
    if (!n)
        return std::nullopt;
    std::string value = n->isScalar() ? n->text() : std::string();
    if (auto b = n->toBool(); b && !*b)
        value = "False";
    if (n->isScalar() && std::find(options.begin(), options.end(), value) != options.end())
        return value;
    error(*n, key,
          key + " must be one of " + joinNames(options) + "; got " + n->describe()
              + (n->isScalar() ? didYouMean(n->text(), options) : std::string()));
    return std::nullopt;
}

std::optional<std::vector<std::string>> ItemReader::textList(const std::string &key,
                                                             const std::string &expected)
{
    const Node *n = find(key);
    if (!n)
        return std::nullopt;
    std::vector<std::string> out;
    bool ok = n->isSequence();
    if (ok)
        for (const Node &e : n->items()) {
            ok = ok && e.isScalar();
            out.push_back(e.text());
        }
    if (!ok) {
        error(*n, key, key + " must be " + expected + "; got " + n->describe());
        return std::nullopt;
    }
    return out;
}

void ItemReader::checkUnknownKeys(const std::vector<std::string> &known,
                                  const std::function<bool(const std::string &)> &pattern)
{
    std::vector<std::string> all = known;
    const auto &common = commonItemKeys();
    all.insert(all.end(), common.begin(), common.end());
    for (const auto &[key, value] : mItem.entries()) {
        if (std::find(all.begin(), all.end(), key) != all.end() || (pattern && pattern(key)))
            continue;
        mValidator.report(Diagnostic::Severity::Warning, value.keyMark(), mName, key,
                          "unknown key '" + key + "' (ignored)" + didYouMean(key, all));
    }
}

static std::string suggestDevice(const std::string &d)
{
    std::string digits;
    for (char c : d)
        if (std::isdigit(static_cast<unsigned char>(c)))
            digits += c;
    std::string lower;
    for (char c : d)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((lower.rfind("gpu", 0) == 0 || lower.rfind("cuda", 0) == 0) && !digits.empty())
        return "gpu:" + digits;
    if (lower == "gpu" || lower == "cuda")
        return "gpu:0";
    if (lower == "cpu")
        return "cpu";
    return {};
}

void ItemReader::readCommon(ItemCommon &common)
{
    common.name = mName;
    common.mark = mItem.keyMark();
    if (auto tags = textList("tags", "a list of tag names, e.g. [hidden]"))
        common.tags = *tags;
    if (const Node *n = find("device")) {
        const std::string d = n->isScalar() ? n->text() : std::string();
        bool ok = d == "cpu";
        if (d.rfind("gpu:", 0) == 0 && d.size() > 4)
            ok = std::all_of(d.begin() + 4, d.end(),
                             [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (ok) {
            common.device = d;
        } else {
            const std::string s = suggestDevice(d);
            error(*n, "device",
                  "device must be 'cpu' or 'gpu:<k>' (e.g. gpu:0); got " + n->describe()
                      + (s.empty() ? "" : "; did you mean '" + s + "'?"));
        }
    }
    if (auto p = integer("period", 1, 1LL << 30, integerRange(1, 1LL << 30)))
        common.period = static_cast<int>(*p);
    if (auto o
        = integer("period offset", 0, common.period - 1,
                  "an integer in [0, period - 1] = [0, " + std::to_string(common.period - 1) + "]"))
        common.periodOffset = static_cast<int>(*o);
    if (auto a = integer("at start", 0, 2, "0 (running), 1 (paused) or 2 (off)"))
        common.atStart = static_cast<int>(*a);
    if (auto b = number("bottleneck", -1e300, 1e300, "a number"))
        common.bottleneck = *b;
    if (has("backend"))
        choice("backend", {"theano", "tensorflow"});
}

// ---------------------------------------------------------------------------------------------
// Validator

Validator::Validator(const Node &root, std::string file, Diagnostics &out)
    : mRoot(root)
    , mFile(std::move(file))
    , mOut(out)
{
}

void Validator::report(Diagnostic::Severity severity, const Mark &mark, const std::string &item,
                       const std::string &key, std::string message)
{
    Diagnostic d;
    d.severity = severity;
    d.mark = mark;
    if (d.mark.file.empty())
        d.mark.file = mFile;
    d.item = item;
    d.key = key;
    d.message = std::move(message);
    mOut.push_back(std::move(d));
}

bool Validator::isItem(const std::string &name, ItemKind kind) const
{
    auto it = mNames.find(kind);
    return it != mNames.end() && it->second.count(name);
}

const NeuronPoolSpec *Validator::neuronPool(const std::string &name) const
{
    if (mBadShapes.count(name))
        return nullptr;
    return anyNeuronPool(name);
}

const NeuronPoolSpec *Validator::anyNeuronPool(const std::string &name) const
{
    auto it = mNeuronPoolIndex.find(name);
    return it == mNeuronPoolIndex.end() ? nullptr : &mSpec.neuronPools[it->second];
}

const SynapsePoolSpec *Validator::synapsePool(const std::string &name) const
{
    auto it = mSynapsePoolIndex.find(name);
    return it == mSynapsePoolIndex.end() ? nullptr : &mSpec.synapsePools[it->second];
}

std::vector<std::string> Validator::namesOf(ItemKind kind) const
{
    std::vector<std::string> out;
    if (const Node *items = mRoot.find(itemKindSection(kind)); items && items->isMap())
        for (const auto &e : items->entries())
            out.push_back(e.first);
    return out;
}

std::string Validator::notAn(const std::string &name, ItemKind expected, bool which) const
{
    const std::string subject = "'" + name + (which ? "', which" : "'");
    for (ItemKind k :
         {ItemKind::NeuronPool, ItemKind::SynapsePool, ItemKind::Plasticity, ItemKind::Interface})
        if (k != expected && isItem(name, k) && !isItem(name, expected))
            return subject + " is a " + itemKindName(k) + ", not a " + itemKindName(expected);
    return subject + " is not a " + itemKindName(expected) + didYouMean(name, namesOf(expected));
}

void Validator::checkTopLevel()
{
    const Mark start {mFile, 1, 1};
    for (const char *key :
         {"name", "agents", "neuron_pools", "synapse_pools", "plasticities", "interfaces"})
        if (!mRoot.has(key)) {
            const bool section = std::string(key).find('_') != std::string::npos
                || std::string(key) == "plasticities" || std::string(key) == "interfaces";
            report(Diagnostic::Severity::Error, mRoot.isMap() ? mRoot.mark() : start, {}, key,
                   std::string("missing required top-level key '") + key + "'"
                       + (section ? std::string(" (use '") + key + ": {}' when there are none)"
                                  : std::string()));
        }
    if (const Node *n = mRoot.find("name")) {
        if (n->isScalar() && !n->text().empty())
            mSpec.name = n->text();
        else
            report(Diagnostic::Severity::Error, n->mark(), {}, "name",
                   "name must be a non-empty text; got " + n->describe());
    }
    if (const Node *n = mRoot.find("agents")) {
        auto v = n->toInt();
        if (v && *v >= 1 && *v <= (1 << 24))
            mSpec.agents = static_cast<int>(*v);
        else
            report(Diagnostic::Severity::Error, n->mark(), {}, "agents",
                   "agents must be " + integerRange(1, 1 << 24)
                       + " (the number of parallel streams); got " + n->describe());
    }
    for (const char *key : {"neuron_pools", "synapse_pools", "plasticities", "interfaces",
                            "core_clients", "external_models"})
        if (const Node *n = mRoot.find(key); n && !n->isMap())
            report(Diagnostic::Severity::Error, n->mark(), {}, key,
                   std::string(key) + " must be a map of name -> keys (use {} for none); got "
                       + n->describe());
    if (const Node *n = mRoot.find("backend")) {
        if (!n->isScalar() || (n->text() != "theano" && n->text() != "tensorflow"))
            report(Diagnostic::Severity::Warning, n->mark(), {}, "backend",
                   "backend must be theano or tensorflow; got " + n->describe()
                       + " (Streamlab ignores it)");
    }
    const auto &known = topLevelKeys();
    for (const auto &[key, value] : mRoot.entries())
        if (std::find(known.begin(), known.end(), key) == known.end())
            report(Diagnostic::Severity::Warning, value.keyMark(), {}, key,
                   "unknown top-level key '" + key + "' (ignored)" + didYouMean(key, known));
}

static bool validName(const std::string &name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

void Validator::registerNames()
{
    std::map<std::string, std::pair<ItemKind, Mark>> first;
    for (ItemKind kind :
         {ItemKind::NeuronPool, ItemKind::SynapsePool, ItemKind::Plasticity, ItemKind::Interface}) {
        const Node *items = mRoot.find(itemKindSection(kind));
        if (!items || !items->isMap())
            continue;
        for (const auto &[name, item] : items->entries()) {
            mNames[kind].insert(name);
            const Mark &mark = item.keyMark();
            if (!validName(name))
                report(Diagnostic::Severity::Error, mark, name, {},
                       "invalid name '" + name
                           + "': item names may only contain letters, digits and '_'");
            auto [it, inserted] = first.emplace(name, std::make_pair(kind, mark));
            if (!inserted) {
                const Mark &m = it->second.second;
                report(Diagnostic::Severity::Error, mark, name, {},
                       "name '" + name + "' is already used by the "
                           + itemKindName(it->second.first) + " at "
                           + (m.file != mark.file ? m.file + ":" : std::string()) + "line "
                           + std::to_string(m.line) + ", column " + std::to_string(m.column)
                           + "; item names must be unique across neuron pools, synapse pools, "
                             "plasticities and interfaces");
            }
            if (item.isNull())
                report(Diagnostic::Severity::Error, mark, name, {},
                       std::string(itemKindName(kind)) + " '" + name + "' is empty");
            else if (!item.isMap())
                report(Diagnostic::Severity::Error, item.mark(), name, {},
                       std::string(itemKindName(kind)) + " '" + name
                           + "' must be a map of keys; got " + item.describe());
        }
    }
}

NetworkSpec Validator::run()
{
    if (!mRoot.isMap() && !mRoot.isNull()) {
        report(Diagnostic::Severity::Error, mRoot.mark().line ? mRoot.mark() : Mark {mFile, 1, 1},
               {}, {},
               "an st_graph file must be a map of keys (name, agents, neuron_pools, "
               "synapse_pools, plasticities, interfaces); got "
                   + mRoot.describe());
        return mSpec;
    }
    checkTopLevel();
    registerNames();
    if (const Node *models = mRoot.find("external_models"); models && models->isMap())
        validateExternalModels(*this, *models);

    auto forEach = [&](const char *section, auto &&fn) {
        const Node *items = mRoot.find(section);
        if (!items || !items->isMap())
            return;
        for (const auto &[name, item] : items->entries())
            if (item.isMap())
                fn(name, item);
    };
    forEach("neuron_pools", [&](const std::string &name, const Node &item) {
        ItemReader reader(*this, "neuron pool", name, item);
        NeuronPoolSpec np;
        validateNeuronPool(reader, np);
        mNeuronPoolIndex.emplace(np.name, mSpec.neuronPools.size());
        mSpec.neuronPools.push_back(std::move(np));
    });
    forEach("synapse_pools", [&](const std::string &name, const Node &item) {
        ItemReader reader(*this, "synapse pool", name, item);
        SynapsePoolSpec sp;
        validateSynapsePool(reader, sp);
        mSynapsePoolIndex.emplace(sp.name, mSpec.synapsePools.size());
        mSpec.synapsePools.push_back(std::move(sp));
    });
    size_t index = 0;
    forEach("synapse_pools", [&](const std::string &name, const Node &item) {
        ItemReader reader(*this, "synapse pool", name, item);
        validateSharedParameters(reader, mSpec.synapsePools[index++]);
    });
    forEach("plasticities", [&](const std::string &name, const Node &item) {
        ItemReader reader(*this, "plasticity", name, item);
        PlasticitySpec plast;
        validatePlasticity(reader, plast);
        mSpec.plasticities.push_back(std::move(plast));
    });
    forEach("interfaces", [&](const std::string &name, const Node &item) {
        ItemReader reader(*this, "interface", name, item);
        InterfaceSpec iface;
        iface.node = item;
        validateInterface(reader, iface);
        mSpec.interfaces.push_back(std::move(iface));
    });
    if (const Node *clients = mRoot.find("core_clients"); clients && clients->isMap())
        validateCoreClients(*this, *clients);
    checkMemory(*this, mMemoryLimit);
    return mSpec;
}

} // namespace streamlab::spec
