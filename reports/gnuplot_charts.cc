// Data files, gnuplot scripts and their rendering into SVG.
#include "reports/gnuplot_charts.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "reports/results_file.h"

namespace collabsim::reports {
namespace {

namespace fs = std::filesystem;

// A gnuplot single-quoted string, for the fixed texts of this file only
// (titles, axis labels, paths made of chart numbers). Names that come
// from users (scenarios, engines, results files) never reach a script:
// they are written to the .dat files and read with columnheader / xtic.
std::string GpQuote(const std::string& text) { return "'" + absl::StrReplaceAll(text, {{"'", "''"}}) + "'"; }

// A shell single-quoted word.
std::string ShellQuote(const std::string& text) { return "'" + absl::StrReplaceAll(text, {{"'", "'\\''"}}) + "'"; }

}  // namespace

std::string DataLabel(std::string_view text) {
  // Inside a double-quoted data-file string gnuplot has no escapes, so the
  // bytes that could end it or the line are replaced; the rest is shown
  // as is (the terminal runs noenhanced, so no markup either).
  std::string label = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    label += byte < 0x20 || byte == 0x7f ? '?' : c == '"' ? '\'' : c;
  }
  return label + "\"";
}

namespace {

std::string Number(double value) { return std::isfinite(value) ? absl::StrFormat("%.6g", value) : "NaN"; }

constexpr const char* kPreamble =
    "set terminal svg size 760,420 noenhanced font 'Helvetica,11' background rgb 'white'\n"
    "set grid ytics lc rgb '#dddddd'\n"
    "set key outside right top box\n"
    "set border 3\nset xtics nomirror\nset ytics nomirror\n";

class Renderer {
 public:
  Renderer(const Aggregate& aggregate, std::string out_dir, std::string gnuplot)
      : aggregate_(aggregate), out_dir_(std::move(out_dir)), gnuplot_(std::move(gnuplot)) {}

  bool Available() {
    const std::string command = ShellQuote(gnuplot_) + " --version >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
  }

  // Writes NAME.dat and NAME.gp under charts/ and runs gnuplot. On failure
  // records why and returns false.
  // `plot_title` goes into the script, so it must be a fixed text of this
  // file; `title` (which may name a scenario) only goes to the page.
  bool Draw(const std::string& name, const std::string& data, const std::string& plot, const std::string& plot_title,
            const std::string& title, const std::string& caption, ChartSet* set) {
    const fs::path dir = fs::path(out_dir_) / "charts";
    const std::string base = "charts/" + name;
    if (!WriteTextFile((fs::path(out_dir_) / (base + ".dat")).string(), data).ok()) return Fail(set, "cannot write " + base + ".dat");
    const std::string script = std::string(kPreamble) + absl::StrFormat("set output %s\nset title %s\n", GpQuote(base + ".svg"), GpQuote(plot_title)) +
                               absl::StrReplaceAll(plot, {{"$DATA", GpQuote(base + ".dat")}});
    if (!WriteTextFile((fs::path(out_dir_) / (base + ".gp")).string(), script).ok()) return Fail(set, "cannot write " + base + ".gp");
    const std::string command = "cd " + ShellQuote(out_dir_) + " && " + ShellQuote(gnuplot_) + " " +
                                ShellQuote(base + ".gp") + " > " + ShellQuote(base + ".log") + " 2>&1";
    const fs::path svg = fs::path(out_dir_) / (base + ".svg");
    std::error_code error;
    if (std::system(command.c_str()) != 0 || fs::file_size(svg, error) == 0 || error) {
      return Fail(set, absl::StrFormat("gnuplot failed on %s.gp (see %s.log)", base, base));
    }
    set->charts.push_back(Chart{title, base + ".svg", caption});
    return true;
  }

  std::string Footer(const std::string& scenario_text) const {
    return absl::StrFormat("Seeds %s; collabsim %s. %s", aggregate_.seeds, aggregate_.version, scenario_text);
  }

  std::string ScenarioText(const std::string& name) const {
    const results::ScenarioInfo* info = aggregate_.Scenario(name);
    if (info == nullptr) return "Scenario " + name + ".";
    return absl::StrFormat("Scenario %s: %s (%d users, %g s active). Parameters: %s.", name, info->description(),
                           info->users(), info->active_s(), info->parameters());
  }

 private:
  static bool Fail(ChartSet* set, const std::string& why) {
    if (set->skipped_because.empty()) set->skipped_because = why;
    return false;
  }

  const Aggregate& aggregate_;
  std::string out_dir_;
  std::string gnuplot_;
};

std::string ScenarioTexts(const Renderer& r, const Aggregate& a) {
  std::vector<std::string> texts;
  for (const auto& scenario : a.scenarios) texts.push_back(r.ScenarioText(scenario));
  return absl::StrJoin(texts, " ");
}

// One clustered bar chart: scenarios on x, a bar per engine, 95% CI whiskers.
void DrawBars(Renderer& r, const Aggregate& a, const std::string& name, size_t figure, const std::string& y_label,
              const std::string& title, bool log_scale, const std::string& look_for, ChartSet* set) {
  // Nothing to draw (a figure no run has, e.g. steady latency in an older
  // file): no chart, rather than one gnuplot refuses.
  bool any = false;
  for (const Group& g : a.groups) any = any || g.estimates[figure].count > 0;
  if (!any) return;
  // Row 1 names the columns (read by columnheader), column 1 the scenario
  // of each row (read by xtic).
  std::string data = DataLabel("scenario");
  for (const auto& engine : a.engines) data += " " + DataLabel(engine) + " \"ci\"";
  data += "\n";
  for (const auto& scenario : a.scenarios) {
    data += DataLabel(scenario);
    for (const auto& engine : a.engines) {
      const Group* g = a.Find(scenario, engine);
      data += g == nullptr || g->estimates[figure].count == 0
                  ? " NaN NaN"
                  : " " + Number(g->estimates[figure].mean) + " " + Number(g->estimates[figure].half_width);
    }
    data += "\n";
  }
  std::vector<std::string> series;
  for (size_t k = 0; k < a.engines.size(); ++k) {
    series.push_back(absl::StrFormat("%s using %d:%d%s title columnheader(%d)", k == 0 ? "$DATA" : "''", 2 + 2 * k,
                                     3 + 2 * k, k == 0 ? ":xtic(1)" : "", 2 + 2 * k));
  }
  const std::string plot = absl::StrFormat(
      "set style data histograms\nset style histogram errorbars gap 1 lw 1\nset style fill solid 0.7 border -1\n"
      "%s\nset xlabel 'scenario'\nset ylabel %s\nset xtics rotate by -20\nplot %s\n",
      log_scale ? "set logscale y\nset yrange [*:*]" : "set yrange [0:*]", GpQuote(y_label), absl::StrJoin(series, ", "));
  r.Draw(name, data, plot, title, title,
         look_for + absl::StrFormat(" Bars: mean over seeds per engine; whiskers: 95%% confidence interval. Y axis: %s%s. %s", y_label,
                         log_scale ? " (log scale)" : "",
                         r.Footer(ScenarioTexts(r, a))),
         set);
}

// One chart of each engine's merged latency quantiles (`quantiles`) in the
// scenario; nothing when no engine has any.
void DrawCdf(Renderer& r, const Aggregate& a, const std::string& scenario, const std::string& name,
             std::vector<double> Group::*quantiles, const std::string& plot_title, const std::string& x_label,
             const std::string& what, ChartSet* set) {
  std::string data = DataLabel("quantile");
  std::vector<std::string> series;
  size_t column = 2;
  for (const auto& engine : a.engines) {
    const Group* g = a.Find(scenario, engine);
    if (g == nullptr || (g->*quantiles).size() != 101) continue;
    data += " " + DataLabel(engine);
    series.push_back(absl::StrFormat("$DATA using %d:1 with lines lw 2 title columnheader(%d)", column, column));
    ++column;
  }
  if (series.empty()) return;
  data += "\n";
  for (int q = 0; q <= 100; ++q) {
    data += Number(q / 100.0);
    for (const auto& engine : a.engines) {
      const Group* g = a.Find(scenario, engine);
      if (g != nullptr && (g->*quantiles).size() == 101) data += " " + Number(std::max((g->*quantiles)[q], 0.001));
    }
    data += "\n";
  }
  r.Draw(name, data,
         "set logscale x\nset yrange [0:1]\nset xlabel '" + x_label +
             "'\nset ylabel 'fraction of deliveries'\nplot " + absl::StrJoin(series, ", ") + "\n",
         plot_title, plot_title + ": " + scenario,
         what + " Each line: one engine's latency quantiles, averaged over seeds; X axis: ms from a user's intent "
                "until another user sees it (log scale); Y axis: fraction of (intent, replica) deliveries. " +
             r.Footer(r.ScenarioText(scenario)),
         set);
}

// One line per engine of a per-sample series over simulated time (one data
// block per engine, its first row naming it: columnheader).
void DrawTimeline(Renderer& r, const Aggregate& a, const std::string& scenario, const std::string& name,
                  std::vector<std::pair<double, double>> Group::*series, const std::string& ylabel,
                  const std::string& title, const std::string& what, bool zero_means_unknown, ChartSet* set) {
  std::string data;
  std::vector<std::string> lines;
  int block = 0;
  for (const auto& engine : a.engines) {
    const Group* g = a.Find(scenario, engine);
    if (g == nullptr || (g->*series).empty()) continue;
    // Results written before the series existed read 0 throughout: no line.
    if (zero_means_unknown && (g->*series).back().second == 0) continue;
    data += DataLabel(engine) + " \"KiB\"\n";
    for (const auto& [at, kib] : g->*series) data += Number(at) + " " + Number(kib) + "\n";
    data += "\n\n";
    lines.push_back(absl::StrFormat("$DATA index %d using 1:2 with lines lw 2 title columnheader(1)", block++));
  }
  if (lines.empty()) return;
  r.Draw(name, data,
         "set yrange [0:*]\nset xlabel 'simulated time (s)'\nset ylabel '" + ylabel + "'\nplot " +
             absl::StrJoin(lines, ", ") + "\n",
         title, title + ": " + scenario,
         what + " X axis: simulated seconds; Y axis: KiB. " + r.Footer(r.ScenarioText(scenario)), set);
}

}  // namespace

ChartSet RenderCharts(const Aggregate& a, const std::string& out_dir, const std::string& gnuplot) {
  ChartSet set;
  Renderer r(a, out_dir, gnuplot);
  std::error_code error;
  fs::create_directories(fs::path(out_dir) / "charts", error);
  if (!r.Available()) {
    set.skipped_because = absl::StrFormat(
        "gnuplot was not found (looked for '%s'); install it with `apt-get install gnuplot-nox` "
        "(scripts/bootstrap does) and run `collabsim report` on results.json to add the charts",
        gnuplot);
    return set;
  }
  // Charts per scenario are named by the scenario's number in the report,
  // never by its name (a name is only ever data).
  for (size_t number = 1; number <= a.scenarios.size(); ++number) {
    const std::string& scenario = a.scenarios[number - 1];
    // The algorithm apart from the faults: one CDF of the steady-state
    // deliveries and one of those a fault delayed; results without that
    // split (older files) get one CDF of every delivery.
    bool split = false;
    for (const auto& engine : a.engines) {
      const Group* g = a.Find(scenario, engine);
      split = split || (g != nullptr && (!g->steady_quantiles_ms.empty() || !g->fault_delayed_quantiles_ms.empty()));
    }
    if (split) {
      DrawCdf(r, a, scenario, absl::StrFormat("steady_cdf_%d", number), &Group::steady_quantiles_ms,
              "Steady-state latency CDF", "steady-state latency (ms, log scale)",
              "What the algorithm itself adds: only deliveries whose author and receiver kept every link from the "
              "edit to its showing. Look for the engine whose line rises first and steepest; a long right tail "
              "here is the engine's own (waiting for acks, catch-up), not a fault's.",
              &set);
      DrawCdf(r, a, scenario, absl::StrFormat("fault_cdf_%d", number), &Group::fault_delayed_quantiles_ms,
              "Fault-delayed latency CDF", "fault-delayed latency (ms, log scale)",
              "Deliveries where the author or the receiver lost a link (a drop, reconnect, offline window or crash) "
              "or the server stalled "
              "meanwhile: how each engine recovers. Lines that coincide mean the fault, not the engine, sets the "
              "delay.",
              &set);
    } else {
      DrawCdf(r, a, scenario, absl::StrFormat("latency_cdf_%d", number), &Group::latency_quantiles_ms, "Latency CDF",
              "remote-visible latency (ms, log scale)", "Every remote delivery.", &set);
    }
    DrawTimeline(r, a, scenario, absl::StrFormat("memory_%d", number), &Group::server_memory_kib,
                 "server memory (KiB)", "Server memory over time",
                 "A line that keeps climbing is history or tombstones the engine never frees; compare where the "
                 "lines end. Server memory (content + metadata + tombstones + history), mean over seeds at each "
                 "sample.",
                 false, &set);
    DrawTimeline(r, a, scenario, absl::StrFormat("wire_%d", number), &Group::wire_kib, "wire KiB sent so far",
                 "Bytes on the wire over time",
                 "The slope is the bandwidth an engine needs; a step is a catch-up after a reconnect or an offline "
                 "window. Wire bytes of the engine's messages sent so far (payload + framing; the ideal's line is "
                 "the edits' own size), mean over seeds at each sample.",
                 true, &set);
  }
  auto index_of = [](const std::string& key) {
    for (size_t k = 0; k < SummaryFigures().size(); ++k) {
      if (SummaryFigures()[k].key == key) return k;
    }
    return size_t{0};
  };
  // Latency and bytes span orders of magnitude across scenarios: log axes.
  // The steady-state p99: the overall one mostly shows each scenario's
  // faults (three weeks offline on plane), the same bar for every engine.
  const size_t charts_before = set.charts.size();
  DrawBars(r, a, "steady_p99_latency", index_of("steady_p99_ms"), "steady-state p99 latency (ms)",
           "Steady-state p99 latency by scenario", true,
           "The algorithm's own tail, faults left out (each scenario's fault-delayed CDF shows those): within a "
           "scenario, the lowest bar whose whisker clears the others is the fastest engine.",
           &set);
  if (set.charts.size() == charts_before && set.skipped_because.empty()) {  // results without the split
    DrawBars(r, a, "p99_latency", index_of("p99_ms"), "p99 remote-visible latency (ms)", "p99 latency by scenario",
             true, "Every delivery, the faults' delays included.", &set);
  }
  DrawBars(r, a, "wire_bytes_per_edit", index_of("wire_bytes_per_edit"), "wire bytes per edit (payload + framing)",
           "Bytes on the wire per edit", true,
           "Lower is cheaper on the network; a bar several times its neighbours is an engine that ships whole "
           "states or one copy per peer.",
           &set);
  DrawBars(r, a, "loss_rate", index_of("loss_rate_pct"), "intent loss rate (%)", "Intent loss rate", false,
           "Words typed that no replica shows at the end: anything above zero is lost work, and only an engine "
           "lossy by design should have a bar.",
           &set);
  DrawBars(r, a, "convergence_time", index_of("convergence_s"), "time to converge after heal (s)",
           "Time to convergence after heal", false,
           "How long replicas still disagree after the last fault heals: a tall bar is a slow catch-up.", &set);
  return set;
}

}  // namespace collabsim::reports
