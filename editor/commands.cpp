#include "editor/commands.h"

#include <QDateTime>
#include <QRegularExpression>

#include <set>

namespace streamlab::editor {

using spec::Node;

namespace {

std::string str(const QString &s)
{
    return s.toStdString();
}

Node &ensureSection(Node &root, Section section)
{
    if (!sectionNode(root, section))
        root.set(sectionKey(section), Node::map());
    return *sectionNode(root, section);
}

void renameScalar(Node &node, const std::string &from, const std::string &to)
{
    if (node.isScalar() && node.text() == from)
        node = Node::scalar(to, node.quoted(), node.mark());
}

// Every scalar equal to `from` anywhere below `node` (source lists of any nesting).
void renameAll(Node &node, const std::string &from, const std::string &to)
{
    renameScalar(node, from, to);
    for (Node &child : node.items())
        renameAll(child, from, to);
}

} // namespace

// ---- DocumentCommand -----------------------------------------------------------------------

DocumentCommand::DocumentCommand(GraphDocument &document, const QString &text)
    : QUndoCommand(text)
    , mAfter(document.root())
    , mAfterPositions(document.positions())
    , mDocument(document)
    , mBefore(document.root())
    , mBeforePositions(document.positions())
{
}

void DocumentCommand::finish()
{
    mValid = mError.isEmpty() && (mAfter != mBefore || mAfterPositions != mBeforePositions);
}

void DocumentCommand::refuse(const QString &why)
{
    mError = why;
    mValid = false;
}

void DocumentCommand::redo()
{
    mDocument.replace(mAfter, mAfterPositions);
}

void DocumentCommand::undo()
{
    mDocument.replace(mBefore, mBeforePositions);
}

// ---- helpers ---------------------------------------------------------------------------------

std::vector<std::vector<std::string>> synapseSources(const Node &synapsePool)
{
    std::vector<std::vector<std::string>> factors;
    const Node *source = synapsePool.find("source");
    if (!source || !source->isSequence())
        return factors;
    for (const Node &factor : source->items()) {
        if (!factor.isSequence())
            return {};
        std::vector<std::string> names;
        for (const Node &n : factor.items()) {
            if (!n.isScalar())
                return {};
            names.push_back(n.text());
        }
        factors.push_back(std::move(names));
    }
    return factors;
}

Node sourcesNode(const std::vector<std::vector<std::string>> &factors)
{
    Node source = Node::sequence();
    for (const auto &factor : factors) {
        Node list = Node::sequence();
        for (const auto &name : factor)
            list.append(Node::scalar(name));
        source.append(std::move(list));
    }
    return source;
}

void renameReferences(Node &root, const std::string &from, const std::string &to)
{
    if (Node *sps = sectionNode(root, Section::SynapsePools))
        for (auto &[name, sp] : sps->entries()) {
            if (Node *source = sp.find("source"))
                renameAll(*source, from, to);
            if (Node *target = sp.find("target"))
                renameScalar(*target, from, to);
        }
    if (Node *plasticities = sectionNode(root, Section::Plasticities))
        for (auto &[name, p] : plasticities->entries()) {
            for (const char *key : {"source", "target", "mask"})
                if (Node *n = p.find(key))
                    renameScalar(*n, from, to);
            // parameter: [[np|sp, item, parameter], ...]
            if (Node *parameters = p.find("parameter"); parameters && parameters->isSequence())
                for (Node &entry : parameters->items())
                    if (entry.isSequence() && entry.items().size() >= 2)
                        renameScalar(entry.items()[1], from, to);
        }
    if (Node *interfaces = sectionNode(root, Section::Interfaces))
        for (auto &[name, i] : interfaces->entries()) {
            Node *remap = i.find("remap");
            if (remap && remap->isMap())
                for (auto &[topic, target] : remap->entries())
                    renameScalar(target, from, to);
            // A topic read or written without remap names its pool: keep the topic, map it.
            for (const char *key : {"in", "out"}) {
                const Node *topics = i.find(key);
                if (!topics || !topics->isSequence())
                    continue;
                for (const Node &topic : topics->items()) {
                    if (!topic.isScalar() || topic.text() != from
                        || (remap && remap->isMap() && remap->find(from)))
                        continue;
                    if (!remap || !remap->isMap()) {
                        i.set("remap", Node::map());
                        remap = i.find("remap");
                    }
                    remap->set(from, Node::scalar(to));
                }
            }
        }
}

// ---- AddItemCommand --------------------------------------------------------------------------

AddItemCommand::AddItemCommand(GraphDocument &document, Section section, const QString &name,
                               Node value, std::optional<QPointF> position)
    : DocumentCommand(document, QObject::tr("Add %1").arg(name))
{
    if (name.isEmpty() || document.sectionOf(name)) {
        refuse(QObject::tr("an item named '%1' exists already").arg(name));
        return;
    }
    ensureSection(mAfter, section).set(str(name), value.isNull() ? Node::map() : std::move(value));
    if (position)
        mAfterPositions.insert(name, *position);
    finish();
}

// ---- RemoveItemsCommand ----------------------------------------------------------------------

RemoveItemsCommand::RemoveItemsCommand(GraphDocument &document, const QStringList &names)
    : DocumentCommand(document,
                      names.size() == 1 ? QObject::tr("Delete %1").arg(names.front())
                                        : QObject::tr("Delete %1 items").arg(names.size()))
{
    std::set<std::string> removed;
    for (const QString &name : names)
        if (document.sectionOf(name))
            removed.insert(str(name));
    // Synapse pools whose target goes, or all of whose sources go, go too.
    if (const Node *sps = sectionNode(mAfter, Section::SynapsePools))
        for (const auto &[name, sp] : sps->entries()) {
            const Node *target = sp.find("target");
            bool anySource = false;
            for (const auto &factor : synapseSources(sp))
                for (const auto &source : factor)
                    anySource |= !removed.count(source);
            if ((target && target->isScalar() && removed.count(target->text())) || !anySource)
                removed.insert(name);
        }
    // Sources that go are dropped from the synapse pools that stay (empty factors with them).
    if (Node *sps = sectionNode(mAfter, Section::SynapsePools))
        for (auto &[name, sp] : sps->entries()) {
            if (removed.count(name))
                continue;
            auto factors = synapseSources(sp);
            bool changed = false;
            for (auto &factor : factors) {
                const size_t before = factor.size();
                std::erase_if(factor, [&](const std::string &s) { return removed.count(s) > 0; });
                changed |= factor.size() != before;
            }
            if (changed) {
                std::erase_if(factors, [](const auto &f) { return f.empty(); });
                sp.set("source", sourcesNode(factors));
            }
        }
    for (Section s : kSections)
        if (Node *section = sectionNode(mAfter, s))
            for (const std::string &name : removed)
                section->remove(name);
    for (const std::string &name : removed)
        mAfterPositions.remove(QString::fromStdString(name));
    finish();
}

// ---- RenameItemCommand -----------------------------------------------------------------------

RenameItemCommand::RenameItemCommand(GraphDocument &document, const QString &from,
                                     const QString &to)
    : DocumentCommand(document, QObject::tr("Rename %1 to %2").arg(from, to))
{
    const auto section = document.sectionOf(from);
    if (!section) {
        refuse(QObject::tr("there is no item named '%1'").arg(from));
        return;
    }
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (!identifier.match(to).hasMatch()) {
        refuse(QObject::tr("'%1' is not a valid name: letters, digits and _, not starting with "
                           "a digit")
                   .arg(to));
        return;
    }
    if (from != to && document.sectionOf(to)) {
        refuse(QObject::tr("an item named '%1' exists already").arg(to));
        return;
    }
    // Rename in place: the item keeps its position in the file.
    Node &items = *sectionNode(mAfter, *section);
    for (auto &entry : items.entries())
        if (entry.first == str(from))
            entry.first = str(to);
    renameReferences(mAfter, str(from), str(to));
    if (mAfterPositions.contains(from))
        mAfterPositions.insert(to, mAfterPositions.take(from));
    finish();
}

// ---- SetValueCommand -------------------------------------------------------------------------

SetValueCommand::SetValueCommand(GraphDocument &document, const QString &item, const QString &key,
                                 Node value, bool continuous)
    : DocumentCommand(document, QObject::tr("Set %1 %2").arg(item, key))
    , mItem(item)
    , mKey(key)
    , mContinuous(continuous)
    , mTime(QDateTime::currentMSecsSinceEpoch())
{
    if (setItemKeys(document, item, {{key, std::move(value)}}))
        finish();
}

bool DocumentCommand::setItemKeys(const GraphDocument &document, const QString &item,
                                  const std::vector<std::pair<QString, Node>> &values)
{
    const auto section = document.sectionOf(item);
    if (!section) {
        refuse(QObject::tr("there is no item named '%1'").arg(item));
        return false;
    }
    Node *node = sectionNode(mAfter, *section)->find(str(item));
    if (!node->isMap())
        *node = Node::map();
    for (const auto &[key, value] : values) {
        if (value.isNull())
            node->remove(str(key));
        else
            node->set(str(key), value);
    }
    return true;
}

SetValuesCommand::SetValuesCommand(GraphDocument &document, const QString &item,
                                   const std::vector<std::pair<QString, Node>> &values,
                                   const QString &text)
    : DocumentCommand(document, text)
{
    if (setItemKeys(document, item, values))
        finish();
}

bool SetValueCommand::mergeWith(const QUndoCommand *other)
{
    const auto *o = dynamic_cast<const SetValueCommand *>(other);
    if (!o || o->mItem != mItem || o->mKey != mKey || !mContinuous || !o->mContinuous
        || o->mTime - mTime > kGestureGapMs)
        return false;
    mTime = o->mTime;
    mAfter = o->mAfter;
    mAfterPositions = o->mAfterPositions;
    return true;
}

ReplaceTreeCommand::ReplaceTreeCommand(GraphDocument &document, Node root, const QString &text)
    : DocumentCommand(document, text)
{
    mAfter = std::move(root);
    finish();
}

// ---- SetTopLevelCommand ----------------------------------------------------------------------

SetTopLevelCommand::SetTopLevelCommand(GraphDocument &document, const QString &key, Node value)
    : DocumentCommand(document, QObject::tr("Set %1").arg(key))
{
    for (Section s : kSections)
        if (key == QLatin1String(sectionKey(s))) {
            refuse(QObject::tr("'%1' holds items: edit them on the canvas").arg(key));
            return;
        }
    if (value.isNull())
        mAfter.remove(str(key));
    else
        mAfter.set(str(key), std::move(value));
    finish();
}

// ---- MoveItemsCommand ------------------------------------------------------------------------

MoveItemsCommand::MoveItemsCommand(GraphDocument &document, const Positions &to)
    : DocumentCommand(document,
                      to.size() == 1 ? QObject::tr("Move %1").arg(to.begin().key())
                                     : QObject::tr("Move %1 items").arg(to.size()))
    , mTime(QDateTime::currentMSecsSinceEpoch())
{
    for (auto it = to.begin(); it != to.end(); ++it) {
        mAfterPositions.insert(it.key(), it.value());
        mNames << it.key();
    }
    mNames.sort();
    finish();
}

bool MoveItemsCommand::mergeWith(const QUndoCommand *other)
{
    const auto *o = dynamic_cast<const MoveItemsCommand *>(other);
    if (!o || o->mNames != mNames || o->mTime - mTime > kGestureGapMs)
        return false;
    mTime = o->mTime;
    mAfterPositions = o->mAfterPositions;
    return true;
}

// ---- ConnectCommand --------------------------------------------------------------------------

ConnectCommand::ConnectCommand(GraphDocument &document, const QStringList &sources,
                               const QString &target, const QString &name)
    : DocumentCommand(document, QObject::tr("Connect %1 to %2").arg(sources.join(", "), target))
{
    for (const QString &n : sources + QStringList {target})
        if (document.sectionOf(n) != Section::NeuronPools) {
            refuse(QObject::tr("'%1' is not a neuron pool: synapse pools connect neuron pools")
                       .arg(n));
            return;
        }
    if (sources.isEmpty()) {
        refuse(QObject::tr("a synapse pool needs at least one source"));
        return;
    }
    mName
        = name.isEmpty() ? document.uniqueName(sources.front() + QLatin1Char('_') + target) : name;
    if (document.sectionOf(mName)) {
        refuse(QObject::tr("an item named '%1' exists already").arg(mName));
        return;
    }
    std::vector<std::string> factor;
    for (const QString &s : sources)
        factor.push_back(str(s));
    Node sp = Node::map();
    sp.set("source", sourcesNode({factor}));
    sp.set("target", Node::scalar(str(target)));
    ensureSection(mAfter, Section::SynapsePools).set(str(mName), std::move(sp));
    setText(QObject::tr("Connect %1 to %2 (%3)").arg(sources.join(", "), target, mName));
    finish();
}

// ---- AddSourceCommand ------------------------------------------------------------------------

AddSourceCommand::AddSourceCommand(GraphDocument &document, const QString &synapsePool, int factor,
                                   const QString &source)
    : DocumentCommand(document, QObject::tr("Add %1 to %2").arg(source, synapsePool))
{
    const Node *sp = document.item(Section::SynapsePools, synapsePool);
    if (!sp) {
        refuse(QObject::tr("there is no synapse pool named '%1'").arg(synapsePool));
        return;
    }
    if (document.sectionOf(source) != Section::NeuronPools) {
        refuse(QObject::tr("'%1' is not a neuron pool").arg(source));
        return;
    }
    auto factors = synapseSources(*sp);
    if (factor < 0 || factor > static_cast<int>(factors.size())) {
        refuse(QObject::tr("%1 has %2 factors; factor %3 does not exist")
                   .arg(synapsePool)
                   .arg(factors.size())
                   .arg(factor));
        return;
    }
    if (factor == static_cast<int>(factors.size()))
        factors.emplace_back();
    factors[static_cast<size_t>(factor)].push_back(str(source));
    sectionNode(mAfter, Section::SynapsePools)
        ->find(str(synapsePool))
        ->set("source", sourcesNode(factors));
    finish();
}

// ---- copy / paste ----------------------------------------------------------------------------

QString copyItems(const GraphDocument &document, const QStringList &names)
{
    Node root = Node::map();
    for (Section s : kSections) {
        Node section = Node::map();
        for (const QString &name : document.items(s))
            if (names.contains(name))
                section.set(str(name), *document.item(s, name));
        if (!section.entries().empty())
            root.set(sectionKey(s), std::move(section));
    }
    return QString::fromStdString(spec::emit(root));
}

PasteCommand::PasteCommand(GraphDocument &document, const QString &yaml, QPointF offset)
    : DocumentCommand(document, QObject::tr("Paste"))
{
    spec::TreeResult read = spec::readTreeString(str(yaml), "<clipboard>");
    if (!read.root) {
        refuse(QObject::tr("the clipboard holds no st_graph items"));
        return;
    }
    Node pasted = std::move(*read.root);
    // New names first (every clash gets a unique one), then references among the pasted items.
    std::set<std::string> taken;
    for (Section s : kSections)
        for (const QString &name : document.items(s))
            taken.insert(str(name));
    std::vector<std::pair<std::string, std::string>> renames;
    for (Section s : kSections)
        if (const Node *section = sectionNode(pasted, s))
            for (const auto &[name, value] : section->entries()) {
                std::string fresh = name;
                for (int i = 2; taken.count(fresh); ++i)
                    fresh = name + "_" + std::to_string(i);
                taken.insert(fresh);
                if (fresh != name)
                    renames.emplace_back(name, fresh);
            }
    // Two steps so that a -> b, b -> c do not chain.
    for (size_t i = 0; i < renames.size(); ++i)
        renameReferences(pasted, renames[i].first, "\x01" + std::to_string(i));
    for (size_t i = 0; i < renames.size(); ++i)
        renameReferences(pasted, "\x01" + std::to_string(i), renames[i].second);
    auto newName = [&](const std::string &name) {
        for (const auto &[from, to] : renames)
            if (from == name)
                return to;
        return name;
    };
    for (Section s : kSections)
        if (const Node *section = sectionNode(pasted, s))
            for (const auto &[name, value] : section->entries()) {
                const QString fresh = QString::fromStdString(newName(name));
                ensureSection(mAfter, s).set(str(fresh), value);
                mPasted << fresh;
                const QString old = QString::fromStdString(name);
                mAfterPositions.insert(fresh, document.positions().value(old, QPointF()) + offset);
            }
    if (mPasted.isEmpty())
        refuse(QObject::tr("the clipboard holds no st_graph items"));
    else
        finish();
}

} // namespace streamlab::editor
