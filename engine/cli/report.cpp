#include "cli/report.h"

#include <cmath>
#include <cstdio>

namespace streamlab::cli {

Report makeReport(const session::Session &session, double fps)
{
    Report r;
    r.frame = session.frame();
    r.fps = fps;
    r.interfaces = session.metrics();
    r.plasticities = session.plasticityMetrics();
    r.trainValTest = session.trainValTestStatus();
    return r;
}

static std::string number(double v)
{
    if (!std::isfinite(v))
        return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

static std::string quoted(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string formatJson(const Report &report)
{
    std::string s = "{\"frame\":" + std::to_string(report.frame) + ",\"fps\":" + number(report.fps);
    s += ",\"plasticities\":{";
    for (size_t p = 0; p < report.plasticities.size(); ++p) {
        const auto &[name, values] = report.plasticities[p];
        s += (p ? "," : "") + quoted(name) + ":{";
        for (size_t i = 0; i < values.size(); ++i)
            s += (i ? "," : "") + quoted(values[i].first) + ":" + number(values[i].second);
        s += "}";
    }
    s += "},\"interfaces\":{";
    bool firstIf = true;
    for (const auto &[name, metrics] : report.interfaces) {
        s += (firstIf ? "" : ",") + quoted(name) + ":{";
        firstIf = false;
        bool firstMetric = true;
        for (const auto &m : metrics) {
            s += (firstMetric ? "" : ",") + quoted(m.name) + ":[";
            firstMetric = false;
            for (size_t i = 0; i < m.values.size(); ++i)
                s += (i ? "," : "") + number(m.values[i]);
            s += "]";
        }
        s += "}";
    }
    s += "}";
    if (!report.trainValTest.empty()) {
        auto optional = [](const std::optional<double> &v) { return v ? number(*v) : "null"; };
        s += ",\"trainvaltest\":{";
        for (size_t i = 0; i < report.trainValTest.size(); ++i) {
            const auto &t = report.trainValTest[i];
            s += (i ? "," : "") + quoted(t.name) + ":{\"phase\":" + quoted(t.phase) + ",\"epoch\":"
                + std::to_string(t.epoch) + ",\"phase_start\":" + std::to_string(t.phaseStart)
                + ",\"delay\":" + std::to_string(t.delay) + ",\"train_accuracy\":"
                + optional(t.trainAccuracy) + ",\"valid_accuracy\":" + optional(t.validAccuracy)
                + ",\"test_accuracy\":" + optional(t.testAccuracy)
                + ",\"file\":" + (t.file.empty() ? std::string("null") : quoted(t.file)) + "}";
        }
        s += "}";
    }
    return s + "}";
}

std::string formatHuman(const Report &report)
{
    char head[64];
    std::snprintf(head, sizeof head, "frame %8lld  %8.1f fps", static_cast<long long>(report.frame),
                  report.fps);
    std::string s = head;
    for (const auto &[name, values] : report.plasticities)
        for (const auto &[key, value] : values) {
            char v[32];
            std::snprintf(v, sizeof v, "%.4g", value);
            s += "  " + name + "." + key + " " + v;
        }
    for (const auto &[name, metrics] : report.interfaces) {
        for (const auto &m : metrics) {
            if (m.values.empty())
                continue;
            s += "  " + name + "." + m.name + " [";
            for (size_t i = 0; i < m.values.size(); ++i) {
                char v[16];
                std::snprintf(v, sizeof v, "%.2f", m.values[i]);
                s += (i ? " " : "") + std::string(v);
            }
            s += "]";
        }
    }
    for (const auto &t : report.trainValTest) {
        s += "  " + t.name + " " + t.phase + " epoch " + std::to_string(t.epoch);
        for (const auto &[label, value] :
             {std::pair {"valid", t.validAccuracy}, std::pair {"test", t.testAccuracy}})
            if (value) {
                char v[16];
                std::snprintf(v, sizeof v, "%.4f", *value);
                s += std::string(" ") + label + " " + v;
            }
    }
    return s;
}

} // namespace streamlab::cli
