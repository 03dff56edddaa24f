// infeval list tasks|models|metrics|adapters|references
#include <cstdio>

#include <fmt/format.h>

#include "datasets/registry.h"
#include "harness/backend_factory.h"
#include "harness/cli_args.h"
#include "harness/commands/commands.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/text_util.h"
#include "harness/reference_table.h"
#include "harness/task_registry.h"

namespace infeval {

int run_list_command(const std::vector<std::string>& args) {
  CliArgs cli("list", args, {"--config-dir"}, {});
  const std::vector<std::string> kinds = {"tasks", "models", "metrics", "adapters", "backends", "references"};
  if (cli.help() || cli.positionals().empty()) {
    std::printf("usage: infeval list %s\n\nPrints what is registered, one line each.\n", join(kinds, "|").c_str());
    return cli.help() ? 0 : 2;
  }
  const std::string kind = cli.positionals()[0];
  const std::string config_dir = cli.value_or("--config-dir", default_config_dir());
  if (kind == "tasks") {
    for (const auto& name : task_names(config_dir)) {
      const TaskConfig t = load_task(config_dir, name);
      const Scorer& s = find_scorer(t.scorer);
      std::vector<std::string> keys;
      for (const auto& f : t.files) keys.push_back(f.first);
      std::vector<std::string> protocols;
      for (const auto& p : t.protocols) protocols.push_back(p.first);
      std::printf("%-28s %s\n%-28s   files: %s | variants: %s | metrics: %s | protocols: %s\n", name.c_str(),
                  t.description.c_str(), "", join(keys, ", ").c_str(), join(s.variants(), ", ").c_str(),
                  join(s.metric_names(), ", ").c_str(), join(protocols, ", ").c_str());
      // Per variant: the official script it reproduces and the files `infeval score` needs for it.
      for (const auto& variant : s.variants()) {
        const VariantInfo info = s.variant_info(variant);
        if (info.script.empty()) continue;
        std::printf("%-28s   variant %s: %s (%s@%s, Python %s); score needs: %s\n", "", variant.c_str(),
                    info.script.c_str(), info.repository.c_str(), info.commit.c_str(), info.python.c_str(),
                    info.reads.empty() ? "the answers only" : join(info.reads, ", ").c_str());
      }
    }
  } else if (kind == "models") {
    for (const auto& m : model_entries(config_dir)) std::printf("%-28s %s\n", m.name.c_str(), m.description.c_str());
  } else if (kind == "metrics") {
    for (const auto* s : all_scorers())
      std::printf("%-28s %s (variants: %s)\n", s->name().c_str(), s->description().c_str(), join(s->variants(), ", ").c_str());
  } else if (kind == "adapters") {
    for (const auto* a : all_adapters()) std::printf("%-28s %s\n", a->name().c_str(), a->description().c_str());
  } else if (kind == "backends") {
    for (const auto& b : backend_names()) std::printf("%s\n", b.c_str());
  } else if (kind == "references") {
    for (const auto& r : reference_table_names(config_dir)) {
      const ReferenceTable table = load_reference_table(config_dir, r);
      const json source = table.source.is_null() ? json("") : table.source;
      std::printf("%-28s %s\n", r.c_str(), source.is_string() ? source.get<std::string>().c_str() : source.dump().c_str());
    }
  } else {
    throw InputError(unknown_name_message("list kind", kind, kinds, "infeval list --help"));
  }
  return 0;
}

}  // namespace infeval
