// The self-contained HTML report: structure and escaping checked on the text, then rendered in headless Chromium
// (Debian's `chromium`; the test skips when it is not installed): the DOM has the leaderboard table, the SVG
// charts and the comparison, and a screenshot is written.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "core/json_io.h"
#include "core/remove_tree.h"
#include "harness/html_report.h"
#include "harness/leaderboard.h"
#include "run_fixture.h"

namespace infeval {
namespace {

namespace fs = std::filesystem;
using testing_runs::count_of;

std::string find_chromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (fs::exists(candidate)) return candidate;
  return "";
}

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::fresh_test_dir("html");
    std::vector<double> a(40, 0.0), b(40, 0.0);
    for (int i = 0; i <= 24; ++i) a[i] = 1.0;
    for (int i = 2; i <= 36; ++i) b[i] = 1.0;
    const std::map<int, std::string> questions = {{0, "<script>alert('x')</script> & \"what\"?"}};
    testing_runs::write_run(root_ / "run-a", {{"ocr_small", a}, {"ocr_other", a}}, "test-model", questions);
    testing_runs::write_run(root_ / "run-b", {{"ocr_small", b}, {"ocr_other", a}}, "test-model", questions);
    fs::create_directories(root_ / "configs" / "references");
    write_text_file_atomic((root_ / "configs" / "references" / "test-model.json").string(),
                           json({{"model", "test-model"},
                                 {"source", "hand-written for this test"},
                                 {"tasks", {{"ocr_small", {{"accuracy", 70.0}}}}}})
                               .dump());
    options_.runs = {(root_ / "run-a").string(), (root_ / "run-b").string()};
    options_.config_dir = (root_ / "configs").string();
  }
  void TearDown() override { infeval::remove_tree(root_); }

  std::string render() const {
    HtmlReportOptions html;
    html.compare.bootstrap.resamples = 500;
    return build_html_report(options_, build_leaderboard(options_), html);
  }

  fs::path root_;
  LeaderboardOptions options_;
};

TEST_F(HtmlReportTest, SelfContainedAndEscaped) {
  const std::string html = render();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<table id=\"leaderboard\""), std::string::npos);
  EXPECT_GE(count_of(html, "<svg class=\"bar-chart\""), 2u);  // one per leaderboard column (two tasks)
  EXPECT_NE(html.find("<table class=\"comparison\""), std::string::npos);
  EXPECT_NE(html.find("<table class=\"flips\""), std::string::npos);
  // Paper delta of run-a: 62.50 - 70.00.
  EXPECT_NE(html.find("-7.50"), std::string::npos);
  // The comparison row: 62.50 -> 87.50, McNemar.
  EXPECT_NE(html.find("+25.00</span>"), std::string::npos);
  EXPECT_NE(html.find("<td>mcnemar</td>"), std::string::npos);
  // Text from the runs is escaped; the page has no script and loads nothing.
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;what&quot;?"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find(" href="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST_F(HtmlReportTest, RendersInHeadlessChromium) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (apt-get install -y chromium)";
  const fs::path page = root_ / "report.html";
  write_html_report_for_runs(options_, build_leaderboard(options_), page.string());
  const fs::path dom = root_ / "dom.html";
  const fs::path png = root_ / "report.png";
  const fs::path profile = root_ / "chromium-profile";
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
      profile.string();
  const std::string dump = "timeout 120 " + chromium + " " + flags + " --dump-dom file://" + page.string() + " > " +
                           dom.string() + " 2> " + (root_ / "chromium-dump.log").string();
  ASSERT_EQ(std::system(dump.c_str()), 0) << dump << "\n" << read_text_file((root_ / "chromium-dump.log").string());
  const std::string rendered = read_text_file(dom.string());
  // The DOM as Chromium parsed it: the table, its rows, the charts' rectangles, the comparison.
  EXPECT_NE(rendered.find("id=\"leaderboard\""), std::string::npos) << rendered.substr(0, 2000);
  EXPECT_GE(count_of(rendered, "<svg class=\"bar-chart\""), 2u);
  EXPECT_GE(count_of(rendered, "<rect class=\"bar-run\""), 4u);  // 2 runs x 2 columns
  EXPECT_GE(count_of(rendered, "<rect class=\"bar-paper\""), 1u);
  EXPECT_NE(rendered.find("class=\"comparison\""), std::string::npos);
  EXPECT_NE(rendered.find("&lt;script&gt;alert"), std::string::npos);
  EXPECT_EQ(rendered.find("<script"), std::string::npos);

  const std::string shot = "timeout 120 " + chromium + " " + flags + " --window-size=1280,1600 --screenshot=" +
                           png.string() + " file://" + page.string() + " > " +
                           (root_ / "chromium-shot.log").string() + " 2>&1";
  ASSERT_EQ(std::system(shot.c_str()), 0) << shot << "\n" << read_text_file((root_ / "chromium-shot.log").string());
  ASSERT_TRUE(fs::exists(png));
  const std::string bytes = read_text_file(png.string());
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(bytes.size(), 10000u);  // a rendered page, not a blank
  // Keep a copy in the build tree for a human to look at.
  std::error_code ignored;
  fs::copy_file(png, fs::path(INFEVAL_BINARY_DIR) / "html_report_screenshot.png", fs::copy_options::overwrite_existing,
                ignored);
  fs::copy_file(page, fs::path(INFEVAL_BINARY_DIR) / "html_report_example.html", fs::copy_options::overwrite_existing,
                ignored);
}

}  // namespace
}  // namespace infeval
