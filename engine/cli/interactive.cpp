#include "cli/interactive.h"

#include "cli/editcommands.h"

#include "tensor/tensor.h"

#include <iostream>
#include <sstream>

namespace streamlab::cli {

static const char *kHelp
    = "commands:\n"
      "  stream            stream frames until 'pause'\n"
      "  pause             pause after the current frame\n"
      "  step [N]          run N frames (default 1) and pause\n"
      "  state             network, agents, split, frame, streaming or paused\n"
      "  nps               neuron pools with their shapes\n"
      "  sps               synapse pools with sources and target\n"
      "  split N           hold out agents a < N from learning (0..agents)\n"
      "  on|pause|off ITEM run, freeze or switch off one item\n";
static const char *kHelpEnd = "  exit              stop and quit\n"
                              "  help, ?           this list\n";

// `on|pause|off ITEM`: queue a run-flag change for the next frame.
static void setItemFlag(session::Session &session, std::istream &words, const std::string &command,
                        int value, std::ostream &out)
{
    std::string item;
    if (!(words >> item)) {
        out << command << " needs an item name\n";
        return;
    }
    if (session.flag(item) < 0) {
        out << "no neuron pool, synapse pool, plasticity or interface named '" << item << "'\n";
        return;
    }
    const uint64_t id
        = session.post(session::Command {session::Command::Kind::SetFlag, item, value});
    out << "edit #" << id << ": " << item << " " << command << " from the next frame\n";
}

int runInteractive(session::Session &session, std::istream &in, std::ostream &out,
                   const volatile bool *interrupted)
{
    session::SessionRunner runner(session);
    const auto &spec = session.spec();
    out << "streamlab-run: network '" << spec.name << "' loaded; type 'help' for commands\n";
    std::string line;
    auto reportError = [&] {
        if (const std::string error = runner.takeError(); !error.empty())
            out << "error: " << error << " (paused)\n";
        for (const auto &alert : session.takeAlerts())
            out << "alert: " << alert << " (paused)\n";
        reportEditErrors(session, out);
    };
    while (!*interrupted
           && (reportError(), out << "[" << session.frame() << "] >> " << std::flush,
               std::getline(in, line))) {
        std::istringstream words(line);
        std::string command;
        words >> command;
        if (command.empty())
            continue;
        if (command == "help" || command == "?") {
            out << kHelp << EditHelp << kHelpEnd;
        } else if (runEditCommand(session, command, words, out)) {
            continue;
        } else if (command == "stream") {
            runner.play();
        } else if (command == "pause" && !(words >> std::ws).eof()) {
            setItemFlag(session, words, command, 1, out);
        } else if (command == "pause") {
            runner.pause();
            runner.waitUntilIdle();
            out << "paused at frame " << session.frame() << "\n";
        } else if (command == "step") {
            long long n = 1;
            if (!(words >> n))
                n = 1;
            if (n < 1) {
                out << "step needs a positive number of frames\n";
                continue;
            }
            runner.step(n);
            runner.waitUntilIdle();
            out << "frame " << session.frame() << "\n";
        } else if (command == "state") {
            out << "network " << spec.name << ", agents " << spec.agents << ", split "
                << session.split() << ", " << spec.neuronPools.size() << " neuron pools, "
                << spec.synapsePools.size() << " synapse pools, " << spec.plasticities.size()
                << " plasticities, " << spec.interfaces.size() << " interfaces, frame "
                << session.frame() << ", " << (runner.isStreaming() ? "streaming" : "paused")
                << ", " << session.threads() << " threads\n";
        } else if (command == "nps") {
            for (const auto &np : spec.neuronPools)
                out << "  " << np.name << " " << Tensor::shapeString({np.features, np.x, np.y})
                    << "\n";
        } else if (command == "sps") {
            for (const auto &sp : spec.synapsePools) {
                out << "  " << sp.name << ": ";
                for (size_t f = 0; f < sp.factors.size(); ++f) {
                    out << (f ? " * (" : "(");
                    for (size_t i = 0; i < sp.factors[f].inputs.size(); ++i)
                        out << (i ? " + " : "") << sp.factors[f].inputs[i].source;
                    out << ")";
                }
                out << " -> " << sp.target << "\n";
            }
        } else if (command == "split") {
            int n = -1;
            if (!(words >> n) || n < 0 || n > spec.agents) {
                out << "split needs a number from 0 to " << spec.agents << "\n";
                continue;
            }
            const uint64_t id
                = session.post(session::Command {session::Command::Kind::SetSplit, {}, n});
            out << "edit #" << id << ": split " << n << " from the next frame\n";
        } else if (command == "on" || command == "off") {
            setItemFlag(session, words, command, command == "on" ? 0 : 2, out);
        } else if (command == "exit" || command == "quit") {
            break;
        } else {
            out << "unknown command '" << command << "'; type 'help'\n";
            continue;
        }
    }
    runner.pause();
    runner.waitUntilIdle();
    out << "\nstopped at frame " << session.frame() << "\n";
    return *interrupted ? 130 : 0;
}

} // namespace streamlab::cli
