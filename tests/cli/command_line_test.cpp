// The commands' flag parser (cli/command_line.cpp, over CLI11) on its own:
// what a command sees for each way of giving a flag, the errors, and --help.
#include "command_line.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using switchyard::cli::command_line;
using switchyard::cli::takes;

namespace {

using args = std::vector<std::string>;

/// A command with one flag of each kind, as a command declares them.
command_line route_like() {
  return command_line{
    "route",
    "switchyard route \"TASK\"... [flags]\n\nPrints the routing decision.",
    {
      {"budget", takes::number, "budget for this task in USD"},
      {"context-tokens", takes::integer,
       "tokens of context sent with the task (default 0)"},
      {"config", takes::text,
       "registry YAML (default: the built-in models.yaml)"},
      {"json", takes::nothing, "print JSON instead of a table"},
    }};
}

} // namespace

TEST_CASE("a flag not given has no value: the command applies its default",
          "[cli][command_line]") {
  auto cl = route_like();
  REQUIRE(cl.parse({"say hello"}));
  CHECK(cl.error().empty());
  CHECK_FALSE(cl.help_requested());
  CHECK_FALSE(cl.has("budget"));
  CHECK_FALSE(cl.number("budget"));
  CHECK_FALSE(cl.integer("context-tokens"));
  CHECK(cl.integer("context-tokens").value_or(0) == 0);
  CHECK_FALSE(cl.value("config"));
  CHECK(cl.value("config").value_or("built-in") == "built-in");
  CHECK_FALSE(cl.has("json"));
  CHECK(cl.positional() == args{"say hello"});

  REQUIRE(cl.parse({}));
  CHECK(cl.positional().empty());
}

TEST_CASE("every way of giving a flag reaches the command",
          "[cli][command_line]") {
  auto cl = route_like();
  REQUIRE(cl.parse({"first task", "--budget", "0.5", "--context-tokens=42",
                    "--json", "-5", "--config", "--odd.yaml", "[a,b]", "--",
                    "--budget"}));
  CHECK(cl.number("budget") == 0.5);
  CHECK(cl.integer("context-tokens") == 42);
  CHECK(cl.has("json"));
  CHECK(cl.value("json") == "");
  // A value is the next argument, whatever it looks like.
  CHECK(cl.value("config") == "--odd.yaml");
  // Positionals come verbatim from anywhere on the line: a negative number,
  // brackets and commas, and after `--` what would be a flag.
  CHECK(cl.positional() == args{"first task", "-5", "[a,b]", "--budget"});

  REQUIRE(cl.parse({"--config", "[x,y]"}));
  CHECK(cl.value("config") == "[x,y]");
}

TEST_CASE("a repeated flag's last value wins", "[cli][command_line]") {
  auto cl = route_like();
  REQUIRE(cl.parse({"--budget", "1", "--budget=2", "--json", "--json"}));
  CHECK(cl.number("budget") == 2.0);
  CHECK(cl.has("json"));
}

TEST_CASE("numbers and integers read as std::from_chars reads them",
          "[cli][command_line]") {
  auto cl = route_like();
  REQUIRE(cl.parse({"--budget", "-1e-3", "--context-tokens", "-7"}));
  CHECK(cl.number("budget") == -0.001);
  CHECK(cl.integer("context-tokens") == -7);
}

TEST_CASE("a bad value fails the parse with the flag named",
          "[cli][command_line]") {
  auto cl = route_like();
  CHECK_FALSE(cl.parse({"task", "--budget", "lots"}));
  CHECK(cl.error() == "--budget must be a number, got 'lots'");

  CHECK_FALSE(cl.parse({"--context-tokens", "1.5"}));
  CHECK(cl.error() == "--context-tokens must be an integer, got '1.5'");

  CHECK_FALSE(cl.parse({"--budget", "0.5x"}));
  CHECK(cl.error() == "--budget must be a number, got '0.5x'");

  CHECK_FALSE(cl.parse({"--json=yes"}));
  CHECK(cl.error() == "flag --json takes no value");
  CHECK_FALSE(cl.parse({"--json=false"}));
  CHECK(cl.error() == "flag --json takes no value");

  CHECK_FALSE(cl.parse({"task", "--config"}));
  CHECK(cl.error() == "flag --config needs a value");
  // Nothing after '=' is no value, not the next argument.
  CHECK_FALSE(cl.parse({"--config=", "task"}));
  CHECK(cl.error() == "flag --config needs a value (nothing follows '=')");

  // What a command does with it: the message on stderr, exit code 2.
  std::ostringstream out;
  std::ostringstream err;
  CHECK(cl.parse_or_exit({"--budget", "lots"}, "switchyard route", out, err)
        == 2);
  CHECK(out.str().empty());
  CHECK(err.str()
        == "switchyard route: --budget must be a number, got 'lots'\n");
}

TEST_CASE("an unknown flag fails the parse with the nearest one suggested",
          "[cli][command_line]") {
  auto cl = route_like();
  CHECK_FALSE(cl.parse({"task", "--budjet", "1"}));
  CHECK(cl.error()
        == "unknown flag --budjet; did you mean --budget? (see `switchyard "
           "route --help`)");

  CHECK_FALSE(cl.parse({"--context-tokens=1", "--conifg=x.yaml"}));
  CHECK(cl.error()
        == "unknown flag --conifg; did you mean --config? (see `switchyard "
           "route --help`)");

  CHECK_FALSE(cl.parse({"--frobnicate"}));
  CHECK(cl.error()
        == "unknown flag --frobnicate (see `switchyard route --help`)");

  CHECK_FALSE(cl.parse({"-x"}));
  CHECK(cl.error() == "unknown flag -x (see `switchyard route --help`)");

  std::ostringstream out;
  std::ostringstream err;
  CHECK(cl.parse_or_exit({"--jsn"}, "switchyard route", out, err) == 2);
  CHECK(err.str()
        == "switchyard route: unknown flag --jsn; did you mean --json? (see "
           "`switchyard route --help`)\n");
}

TEST_CASE("the help shows the usage and every flag with what it takes",
          "[cli][command_line]") {
  auto cl = route_like();
  for (const auto* flag : {"--help", "-h"}) {
    INFO(flag);
    std::ostringstream out;
    std::ostringstream err;
    CHECK(cl.parse_or_exit({"task", flag}, "switchyard route", out, err) == 0);
    CHECK(cl.help_requested());
    CHECK(err.str().empty());
    CHECK(out.str() == cl.help());
  }
  CHECK(cl.help()
        == "usage: switchyard route \"TASK\"... [flags]\n"
           "\n"
           "Prints the routing decision.\n"
           "\n"
           "flags:\n"
           "  --budget NUMBER             budget for this task in USD\n"
           "  --context-tokens INTEGER    tokens of context sent with the "
           "task (default 0)\n"
           "  --config TEXT               registry YAML (default: the "
           "built-in models.yaml)\n"
           "  --json                      print JSON instead of a table\n"
           "  -h,--help                   show this help\n");
}

TEST_CASE("the help wraps a long description to 80 columns",
          "[cli][command_line]") {
  command_line cl{
    "serve",
    "switchyard serve [flags]",
    {
      {"decision-log-queue", takes::integer,
       "decision records that may wait for the store before new ones are "
       "dropped and counted (default 16384)"},
    }};
  CHECK(cl.help()
        == "usage: switchyard serve [flags]\n"
           "\n"
           "flags:\n"
           "  --decision-log-queue INTEGER\n"
           "                              decision records that may wait "
           "for the store\n"
           "                              before new ones are dropped and "
           "counted (default\n"
           "                              16384)\n"
           "  -h,--help                   show this help\n");
}
