// infeval gate --baseline RUN --candidate RUN [--rule ...]: exit 0 when every rule holds, 1 when one fails.
#include <cstdio>
#include <limits>
#include <string>

#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "harness/commands/statistics_flags.h"
#include "core/error.h"
#include "core/json_io.h"
#include "harness/gate_checks.h"
#include "harness/gate_render.h"
#include "harness/task_registry.h"

namespace infeval {

int run_gate_command(const std::vector<std::string>& args) {
  CliArgs cli("gate", args,
              {"--baseline", "--candidate", "--rule", "--tolerance", "--junit", "--json", "--markdown",
               "--config-dir", "--resamples", "--seed", "--confidence", "--alpha", "--flips", "--threads"},
              {});
  if (cli.help()) {
    std::printf(
        "usage: infeval gate --baseline RUN|TABLE.json|ref:NAME --candidate RUN [--rule RULE]...\n"
        "                    [--tolerance X] [--alpha A] [--junit FILE] [--json FILE] [--markdown FILE]\n\n"
        "Checks a candidate run against a baseline for CI. Exit code 0 when every rule holds, 1 when one fails,\n"
        "2 on bad input. Prints a Markdown summary; --junit writes JUnit XML (one testcase per checked metric).\n\n"
        "Rules, TASK:METRIC=KIND:VALUE (TASK and METRIC may be *):\n"
        "  abs:X      fail when candidate < baseline - X (X in the metric's units, e.g. accuracy points)\n"
        "  rel:X      fail when candidate < baseline * (1 - X/100) (X percent of the baseline; rel:2%% also works)\n"
        "  sig:A      fail when the candidate is lower and the paired test (McNemar / bootstrap) gives p < A\n"
        "Without --rule: every metric of every task in both runs fails only on a drop that is both significant\n"
        "(p < --alpha, default 0.05) and larger than --tolerance (default 1.0 point). POPE's yes_ratio metrics are\n"
        "diagnostics and are skipped by the default rule.\n\n"
        "The baseline may be a paper reference table (configs/references/NAME.json, or ref:NAME): it has no\n"
        "per-sample records, so only abs/rel rules apply and the default rule is abs:--tolerance.\n"
        "A task named by a rule that the candidate lacks fails; one the baseline lacks is bad input.\n\n"
        "  --tolerance X       absolute tolerance of the default rule (default 1.0)\n"
        "  --junit FILE        write JUnit XML for CI systems\n"
        "  --json FILE         write the checks as JSON\n"
        "  --markdown FILE     also write the Markdown summary to FILE\n"
        "  --config-dir DIR    where ref:NAME is looked up (default: the source tree's configs/)\n"
        "%s\n"
        "Example (CI): infeval run --model ckpt --task pope --limit 500 --output cand &&\n"
        "              infeval gate --baseline baseline-run --candidate cand --rule pope:f1=abs:1.5 --junit gate.xml\n",
        kStatisticsFlagsHelp);
    return 0;
  }
  if (!cli.positionals().empty())
    throw InputError("gate: unexpected argument '" + cli.positionals()[0] +
                     "'; hint: infeval gate --baseline RUN --candidate RUN");
  GateOptions options;
  options.baseline = cli.required("--baseline");
  options.candidate = cli.required("--candidate");
  for (const auto& rule : cli.values("--rule")) options.rules.push_back(parse_gate_rule(rule));
  options.default_tolerance =
      cli.real_value("--tolerance", options.default_tolerance, 0.0, std::numeric_limits<double>::max());
  read_compare_flags(cli, &options.compare);
  options.default_alpha = options.compare.alpha;
  options.config_dir = cli.value_or("--config-dir", default_config_dir());
  const GateResult result = run_gate(options);
  const std::string markdown = gate_to_markdown(result);
  std::printf("%s", markdown.c_str());
  if (cli.has("--markdown")) write_text_file_atomic(cli.required("--markdown"), markdown);
  if (cli.has("--junit")) write_text_file_atomic(cli.required("--junit"), gate_to_junit_xml(result));
  if (cli.has("--json"))
    write_text_file_atomic(cli.required("--json"),
                           gate_to_json(result).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  return result.exit_code();
}

}  // namespace infeval
