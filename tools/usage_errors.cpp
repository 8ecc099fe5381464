#include "usage_errors.h"

#include <functional>
#include <string_view>
#include <vector>

#include "common/closest_names.h"

namespace etvision::cli {

namespace {

// Every command defined under `command` (not only those on the command line).
std::vector<const CLI::App*> commandsOf(const CLI::App& command) {
  return command.get_subcommands(std::function<bool(const CLI::App*)>{});
}

// "'a'", "'a' or 'b'", "'a', 'b' or 'c'" (with `last` = " or ").
std::string quoted(const std::vector<std::string>& names, const std::string& last = " or ") {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? last : ", ";
    text += "'" + names[i] + "'";
  }
  return text;
}

std::string didYouMean(const std::vector<std::string>& names) {
  return names.empty() ? "" : " Did you mean " + quoted(names) + "?";
}

// "clasify" among the commands of `command`.
std::string unknownCommand(const CLI::App& command, const std::string& typed) {
  std::vector<std::string> names;
  for (const CLI::App* sub : commandsOf(command)) {
    names.push_back(sub->get_name());
  }
  const std::vector<std::string_view> candidates(names.begin(), names.end());
  std::vector<std::string> close = detail::closestNames(typed, candidates);
  return "unknown command '" + typed + "'." +
         (close.empty() ? " The commands are " + quoted(names, " and ") + "." : didYouMean(close));
}

// "--overlya" (or "--overlya=out.png", "-overlay") among the long options of
// `command`; failing that, the other commands of `root` that have it.
std::string unknownOption(const CLI::App& root, const CLI::App& command, const std::string& typed) {
  const std::string option = typed.substr(0, typed.find('='));
  const std::size_t start = option.find_first_not_of('-');
  const std::string_view bare =
      start == std::string::npos ? std::string_view() : std::string_view(option).substr(start);
  std::vector<std::string_view> candidates;
  for (const CLI::Option* known : command.get_options()) {
    for (const std::string& name : known->get_lnames()) candidates.push_back(name);
  }
  std::vector<std::string> close;
  if (bare.size() > 1) {
    for (const std::string& name : detail::closestNames(bare, candidates)) {
      close.push_back("--" + name);
    }
  }
  std::string message = "unknown option '" + option + "'." + didYouMean(close);
  if (close.empty() && bare.size() > 1) {
    std::vector<std::string> owners;
    for (const CLI::App* other : commandsOf(root)) {
      if (other != &command && other->get_option_no_throw("--" + std::string(bare)) != nullptr) {
        owners.push_back(other->get_name());
      }
    }
    if (!owners.empty()) {
      message += " It is an option of " + quoted(owners) + ".";
    }
  }
  return message;
}

}  // namespace

std::string describeUsageError(const CLI::App& app, const CLI::ParseError& error) {
  // The command line's commands, outermost first: "etvision", "segment".
  std::vector<const CLI::App*> chain{&app};
  while (!chain.back()->get_subcommands().empty()) {
    chain.push_back(chain.back()->get_subcommands().front());
  }
  std::string path = "etvision";
  std::string message;
  const bool noCommand = chain.size() == 1;
  const bool extras = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr;
  if (noCommand || extras) {
    // CLI11 reports the outermost command's unexpected arguments first.
    for (const CLI::App* command : chain) {
      if (command != &app) path += " " + command->get_name();
      const std::vector<std::string> unexpected = command->remaining(false);
      if (unexpected.empty()) continue;
      const std::string& first = unexpected.front();
      if (first.size() > 1 && first.front() == '-') {
        message = unknownOption(app, *command, first);
      } else if (!commandsOf(*command).empty()) {
        message = unknownCommand(*command, first);
      }
      break;
    }
  }
  if (message.empty()) {
    path = "etvision";
    for (std::size_t i = 1; i < chain.size(); ++i) path += " " + chain[i]->get_name();
    message = error.what();
  }
  return path + ": " + message + "\n(run '" + path + " --help' for usage)\n";
}

}  // namespace etvision::cli
