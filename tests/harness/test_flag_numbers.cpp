// The one parser of numbers written on the command line (harness/flag_numbers.h). Every expected value is the
// text read as a number by hand; the refusals are the texts the five parsers it replaced (std::stoi, std::stol,
// std::stod, std::strtod, std::strtoull) accepted in part or not at all: "0.01abc" was read as 0.01 by stod, " 5"
// as 5 by stoi, "-1" as 2^64 - 1 by strtoull.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "harness/cli_args.h"
#include "harness/flag_numbers.h"
#include "tests/support/input_error.h"

using namespace infeval;

TEST(FlagNumbers, WholeNumbersAreReadExactly) {
  EXPECT_EQ(parse_integer("12", "--n"), 12);
  EXPECT_EQ(parse_integer("+3", "--n"), 3);
  EXPECT_EQ(parse_integer("-4", "--n"), -4);
  EXPECT_EQ(parse_integer("0", "--n", 0, 10), 0);
  EXPECT_EQ(parse_integer("9223372036854775807", "--n"), INT64_MAX);
  EXPECT_EQ(parse_unsigned("18446744073709551615", "--seed"), UINT64_MAX);
  EXPECT_EQ(parse_unsigned("20240611", "--seed"), 20240611u);
}

TEST(FlagNumbers, TextThatIsNotWhollyANumberIsRefusedNamingTheFlag) {
  for (const std::string text : {"", " 5", "5 ", "1x", "0x10", "1.5", "--", "+", "+-1", "seven"}) {
    const std::string message = test::input_error_message([&] { parse_integer(text, "--batch-size"); });
    EXPECT_EQ(message, "--batch-size '" + text + "': expected a whole number") << text;
  }
  EXPECT_EQ(test::input_error_message([] { parse_unsigned("-1", "--seed"); }), "--seed '-1': expected a whole number");
  for (const std::string text : {"", "0.01abc", "1,5", "inf", "nan", "-inf", " 1", "1e", "0x1p3"})
    EXPECT_EQ(test::input_error_message([&] { parse_real(text, "--tolerance"); }), "--tolerance '" + text + "': expected a number")
        << text;
}

TEST(FlagNumbers, RealsAreReadExactly) {
  EXPECT_EQ(parse_real("0.05", "--alpha"), 0.05);
  EXPECT_EQ(parse_real("1e-2", "--tolerance"), 0.01);
  EXPECT_EQ(parse_real("+2.5", "--x"), 2.5);
  EXPECT_EQ(parse_real("-0.5", "--x"), -0.5);
  EXPECT_EQ(parse_real("3", "--x"), 3.0);
  EXPECT_EQ(parse_real(".5", "--x"), 0.5);
}

TEST(FlagNumbers, ANumberOutsideItsRangeNamesTheRange) {
  EXPECT_EQ(test::input_error_message([] { parse_integer("-1", "--preprocess-threads", 0, 1000000000); }),
            "--preprocess-threads '-1': expected a whole number in [0, 1000000000]");
  EXPECT_EQ(test::input_error_message([] { parse_integer("-1", "--flips", 0); }), "--flips '-1': expected a whole number >= 0");
  EXPECT_EQ(test::input_error_message([] { parse_integer("99999999999999999999", "--n"); }),
            "--n '99999999999999999999': expected a whole number");  // beyond int64 in either direction
  EXPECT_EQ(test::input_error_message([] { parse_unsigned("18446744073709551616", "--seed"); }),
            "--seed '18446744073709551616': expected a whole number");
  EXPECT_EQ(test::input_error_message([] { parse_real("-0.1", "--tolerance", 0.0); }), "--tolerance '-0.1': expected a number >= 0");
  EXPECT_EQ(test::input_error_message([] { parse_real("1e400", "--x"); }), "--x '1e400': expected a number");
}

TEST(FlagNumbers, CliArgsReadFlagsThroughTheParser) {
  const CliArgs cli("compare", {"--batch-size", "8", "--seed", "18446744073709551615", "--alpha", "0.01"},
                    {"--batch-size", "--seed", "--alpha", "--limit"}, {});
  EXPECT_EQ(cli.int_value("--batch-size", 1), 8);
  EXPECT_EQ(cli.int_value("--limit", 7), 7);  // absent: the fallback
  EXPECT_EQ(cli.unsigned_value("--seed", 1), UINT64_MAX);
  EXPECT_EQ(cli.real_value("--alpha", 0.05, 0.0, 1.0), 0.01);
  const CliArgs big("run", {"--batch-size", "4294967296"}, {"--batch-size"}, {});
  EXPECT_EQ(test::input_error_message([&] { big.int_value("--batch-size", 1); }),
            "--batch-size '4294967296': expected a whole number in [-2147483648, 2147483647]");
}
