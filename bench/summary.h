#pragma once
// The table printed after the run: each transfer's MiB/s beside the raw baseline's, and each
// small call's latency. A reporter in front of the usual one collects the figures as
// Google Benchmark reports them, so the table shows exactly what the run measured.

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <ostream>
#include <string>

namespace reapi_bench {

class SummaryReporter final : public benchmark::BenchmarkReporter {
 public:
  // Forwards everything to `display`, which prints the usual per-benchmark lines.
  explicit SummaryReporter(std::unique_ptr<benchmark::BenchmarkReporter> display);

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // True if any benchmark reported an error.
  bool any_error() const { return any_error_; }
  // Writes the table; `heading` describes the run (blob size, iterations).
  void print(std::ostream& out, const std::string& heading) const;

 private:
  // Figures of one benchmark, averaged over its repetitions.
  struct Figures {
    double bytes_per_second_sum = 0;
    double seconds_per_call_sum = 0;
    int runs = 0;
    bool has_rate = false;
    std::string error;
  };
  const Figures* find(const std::string& name) const;

  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  std::map<std::string, Figures> figures_;
  std::vector<std::string> order_;
  bool any_error_ = false;
};

}  // namespace reapi_bench
