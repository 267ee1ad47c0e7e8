#include "summary.h"

#include <algorithm>
#include <cstdio>

namespace reapi_bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), pattern, value);
  return text;
}

}  // namespace

SummaryReporter::SummaryReporter(std::unique_ptr<benchmark::BenchmarkReporter> display)
    : display_(std::move(display)) {}

bool SummaryReporter::ReportContext(const Context& context) {
  display_->SetOutputStream(&GetOutputStream());
  display_->SetErrorStream(&GetErrorStream());
  return display_->ReportContext(context);
}

void SummaryReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    // Aggregates (mean, stddev...) of repetitions are recomputed here from the runs.
    if (run.run_type != Run::RT_Iteration) continue;
    const std::string& name = run.run_name.function_name;
    auto [it, inserted] = figures_.try_emplace(name);
    if (inserted) order_.push_back(name);
    Figures& f = it->second;
    if (run.error_occurred) {
      any_error_ = true;
      f.error = run.error_message;
      continue;
    }
    if (run.iterations <= 0) continue;
    ++f.runs;
    f.seconds_per_call_sum += run.real_accumulated_time / static_cast<double>(run.iterations);
    if (auto rate = run.counters.find("bytes_per_second"); rate != run.counters.end()) {
      f.has_rate = true;
      f.bytes_per_second_sum += rate->second.value;
    }
  }
  display_->ReportRuns(runs);
}

void SummaryReporter::Finalize() { display_->Finalize(); }

const SummaryReporter::Figures* SummaryReporter::find(const std::string& name) const {
  auto it = figures_.find(name);
  return it == figures_.end() ? nullptr : &it->second;
}

void SummaryReporter::print(std::ostream& out, const std::string& heading) const {
  if (order_.empty())
    return;  // nothing ran (--benchmark_list_tests, or a filter that matched none)
  out << "\nSummary: " << heading << "\n";
  std::size_t width = 12;
  for (const std::string& name : order_) width = std::max(width, name.size());
  auto pad = [width](const std::string& s) { return s + std::string(width + 2 - s.size(), ' '); };

  out << pad("benchmark") << "      MiB/s   vs raw   per call\n";
  for (const std::string& name : order_) {
    const Figures& f = *find(name);
    out << pad(name);
    if (!f.error.empty() && f.runs == 0) {
      out << "ERROR: " << f.error << "\n";
      continue;
    }
    const double seconds = f.seconds_per_call_sum / f.runs;
    std::string rate = "-", ratio = "-";
    if (f.has_rate) {
      const double mib_s = f.bytes_per_second_sum / f.runs / kMiB;
      rate = format("%.1f", mib_s);
      // A transfer is compared with the same method on the null server: write with write,
      // read with read.
      const auto slash = name.find('/');
      const std::string method = slash == std::string::npos ? name : name.substr(slash);
      const Figures* raw = name.starts_with("raw/") ? nullptr : find("raw" + method);
      if (raw != nullptr && raw->runs > 0 && raw->has_rate && raw->bytes_per_second_sum > 0) {
        ratio = format("%.2f",
                       (f.bytes_per_second_sum / f.runs) / (raw->bytes_per_second_sum / raw->runs));
      } else if (name.starts_with("raw/")) {
        ratio = "1.00";
      }
    }
    const std::string per_call =
        seconds >= 1e-3 ? format("%.2f ms", seconds * 1e3) : format("%.1f us", seconds * 1e6);
    char line[128];
    std::snprintf(line, sizeof(line), "%11s %8s %10s", rate.c_str(), ratio.c_str(),
                  per_call.c_str());
    out << line;
    if (!f.error.empty()) out << "  (some repetitions failed: " << f.error << ")";
    out << "\n";
  }
}

}  // namespace reapi_bench
