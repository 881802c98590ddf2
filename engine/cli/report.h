// Progress reports of streamlab-run: a human line or one JSON object per report (docs/cli.md).
#pragma once

#include "session/session.h"

#include <string>

namespace streamlab::cli {

struct Report
{
    int64_t frame = 0;
    double fps = 0.0;
    std::vector<std::pair<std::string, std::vector<interfaces::InterfaceMetric>>> interfaces;
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> plasticities;
    std::vector<session::TrainValTestStatus> trainValTest;
};

Report makeReport(const session::Session &session, double fps);
std::string formatJson(const Report &report);
std::string formatHuman(const Report &report);

} // namespace streamlab::cli
