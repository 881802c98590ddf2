#include "cli/editcommands.h"

#include "session/editlog.h"

#include <charconv>
#include <iostream>
#include <sstream>

namespace streamlab::cli {

using session::Edit;
using session::TensorOp;
using session::TensorSelection;

const char *const EditHelp
    = "  params ITEM       the live parameters of an item with values and bounds\n"
      "  set ITEM PARAM V  set a live parameter (lr, dropout, noise_std, period, flag, ...)\n"
      "  edit ITEM TENSOR SELECTION OP [V]\n"
      "                    change a tensor: TENSOR state or a parameter (W_0_0, b, ...);\n"
      "                    SELECTION all | at:I,J,.. | filter:I | map:A,F;\n"
      "                    OP set V | scale V | noise STD | zero | reinit [SCHEME]\n"
      "  undo [ID]         undo an edit (default: the last one not undone)\n"
      "  edits             the edit log\n"
      "  savelog FILE      write the edit log (replay it with --replay FILE)\n";

namespace {

bool parseDouble(const std::string &text, double &out)
{
    auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

// "3,0,1" -> {3, 0, 1}
bool parseIndices(const std::string &text, std::vector<int> &out)
{
    std::istringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int n = 0;
        auto r = std::from_chars(part.data(), part.data() + part.size(), n);
        if (r.ec != std::errc() || r.ptr != part.data() + part.size())
            return false;
        out.push_back(n);
    }
    return !out.empty();
}

bool parseSelection(const std::string &word, TensorSelection &selection, std::string *error)
{
    if (word == "all") {
        selection.kind = TensorSelection::Kind::Whole;
        return true;
    }
    const size_t colon = word.find(':');
    const std::string kind = word.substr(0, colon);
    selection.kind = kind == "at" ? TensorSelection::Kind::Element
        : kind == "filter"        ? TensorSelection::Kind::Filter
                                  : TensorSelection::Kind::FeatureMap;
    if (colon == std::string::npos || (kind != "at" && kind != "filter" && kind != "map")
        || !parseIndices(word.substr(colon + 1), selection.index)) {
        *error = "'" + word + "' is not a selection: all, at:I,J,.., filter:I or map:A,F";
        return false;
    }
    return true;
}

bool parseOp(std::istream &words, TensorOp &op, std::string *error)
{
    std::string name, value;
    words >> name;
    op.kind = name == "set" ? TensorOp::Kind::Set
        : name == "scale"   ? TensorOp::Kind::Scale
        : name == "noise"   ? TensorOp::Kind::AddNoise
        : name == "zero"    ? TensorOp::Kind::Zero
                            : TensorOp::Kind::Reinit;
    if (name != "set" && name != "scale" && name != "noise" && name != "zero" && name != "reinit") {
        *error = "'" + name
            + "' is not an operation: set V, scale V, noise STD, zero or reinit "
              "[SCHEME]";
        return false;
    }
    words >> value;
    if (op.kind == TensorOp::Kind::Reinit) {
        op.init = value;
        return true;
    }
    if (op.kind == TensorOp::Kind::Zero)
        return true;
    if (!parseDouble(value, op.value)) {
        *error = name + " needs a number, got '" + value + "'";
        return false;
    }
    return true;
}

void postChecked(session::Session &session, const Edit &edit, const std::string &what,
                 std::ostream &out)
{
    if (const std::string error = session.check(edit); !error.empty()) {
        out << "error: " << error << "\n";
        return;
    }
    const uint64_t id = session.post(edit);
    out << "edit #" << id << ": " << what << " from frame " << session.frame() + 1 << "\n";
}

void setScalar(session::Session &session, std::istream &words, std::ostream &out)
{
    std::string item, param, value;
    double v = 0.0;
    if (!(words >> item >> param >> value) || !parseDouble(value, v)) {
        out << "usage: set ITEM PARAM VALUE (a number)\n";
        return;
    }
    postChecked(session, Edit::setScalar(item, param, v), item + " " + param + " = " + value, out);
}

void listScalars(session::Session &session, std::istream &words, std::ostream &out)
{
    std::string item;
    words >> item;
    const auto scalars = session.scalars(item);
    if (scalars.empty()) {
        out << "no neuron pool, synapse pool, plasticity or interface named '" << item << "'\n";
        return;
    }
    for (const auto &s : scalars)
        out << "  " << s.name << " " << session::formatNumber(s.value) << "  ["
            << session::formatNumber(s.min) << ", " << session::formatNumber(s.max) << "]\n";
}

void editTensor(session::Session &session, std::istream &words, std::ostream &out)
{
    std::string item, tensor, error;
    if (!(words >> item >> tensor)) {
        out << "usage: edit ITEM TENSOR SELECTION OP [VALUE]\n";
        return;
    }
    auto edit = parseTensorEdit(item, tensor, words, &error);
    if (!edit) {
        out << "error: " << error << "\n";
        return;
    }
    postChecked(session, *edit,
                item + " " + tensor + " " + describe(edit->selection) + ": " + describe(edit->op),
                out);
}

void undo(session::Session &session, std::istream &words, std::ostream &out)
{
    uint64_t id = 0;
    if (!(words >> id)) {
        // The last edit that is not an undo and was not undone.
        const auto log = session.editLog();
        for (auto it = log.rbegin(); it != log.rend() && !id; ++it)
            if (it->edit.kind != Edit::Kind::Undo && !it->undoneBy)
                id = it->id;
        if (!id) {
            out << "nothing to undo\n";
            return;
        }
    }
    postChecked(session, Edit::undoOf(id), "undo #" + std::to_string(id), out);
}

void printLog(session::Session &session, std::ostream &out)
{
    const auto log = session.editLog();
    if (log.empty())
        out << "no edits\n";
    for (const auto &r : log) {
        out << "  #" << r.id << " frame " << r.frame << " "
            << (r.edit.item.empty() ? "session" : r.edit.item) << " " << r.description;
        if (r.undoneBy)
            out << " (undone by #" << r.undoneBy << ")";
        out << "\n";
    }
}

void saveLog(session::Session &session, std::istream &words, std::ostream &out)
{
    std::string path, error;
    if (!(words >> path)) {
        out << "usage: savelog FILE\n";
        return;
    }
    session::EditLog log {session.spec().name, session.options().seed, session.editLog()};
    if (session::writeEditLog(path, log, &error))
        out << "wrote " << log.records.size() << " edits to " << path << "\n";
    else
        out << "error: " << error << "\n";
}

} // namespace

std::optional<Edit> parseTensorEdit(const std::string &item, const std::string &tensor,
                                    std::istream &words, std::string *error)
{
    std::string selectionWord;
    TensorSelection selection;
    TensorOp op;
    if (!(words >> selectionWord)) {
        *error = "edit needs a selection: all, at:I,J,.., filter:I or map:A,F";
        return std::nullopt;
    }
    if (!parseSelection(selectionWord, selection, error) || !parseOp(words, op, error))
        return std::nullopt;
    return Edit::tensor(item, tensor, selection, op);
}

bool runEditCommand(session::Session &session, const std::string &command, std::istream &words,
                    std::ostream &out)
{
    if (command == "set")
        setScalar(session, words, out);
    else if (command == "params")
        listScalars(session, words, out);
    else if (command == "edit")
        editTensor(session, words, out);
    else if (command == "undo")
        undo(session, words, out);
    else if (command == "edits")
        printLog(session, out);
    else if (command == "savelog")
        saveLog(session, words, out);
    else
        return false;
    return true;
}

void reportEditErrors(session::Session &session, std::ostream &out)
{
    for (const auto &e : session.takeEditErrors())
        out << "error: edit #" << e.id << ": " << e.message << "\n";
}

} // namespace streamlab::cli
