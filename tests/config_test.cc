// Tests config/config.h: the shipped config/scrapewatch.toml against the
// built-in defaults, parsing over a base, the "file:line: key" error messages
// for every kind of bad input, loading files, and the effective User-Agent.
#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "config/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scrapewatch {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kShippedConfig[] = SCRAPEWATCH_SOURCE_DIR "/config/scrapewatch.toml";

// A directory of its own for each test, removed afterwards.
class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("config_test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST(ConfigTest, ShippedFileEqualsBuiltInDefaults) {
  absl::StatusOr<AuditConfig> loaded = LoadConfigFile(kShippedConfig);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  // Start from a base that differs from the defaults everywhere, so a key
  // missing from the shipped file shows up as a mismatch below.
  AuditConfig scrambled;
  scrambled.crawl = {.max_pages = 1,
                     .delay_seconds = 99,
                     .user_agent = "x",
                     .robots_token = "x",
                     .contact_url = "x",
                     .allow_private_addresses = true,
                     .timeout_seconds = 99,
                     .max_page_bytes = 1,
                     .max_image_bytes = 1,
                     .max_redirects = 99};
  scrambled.detect = {.max_image_pixels = 1,
                      .max_image_dimension = 1,
                      .face_score_threshold = 5,
                      .face_backend = "yunet",
                      .face_model = "x",
                      .yunet_score_threshold = 0.5};
  scrambled.output = {.store_dir = "x", .out_dir = "x"};
  scrambled.profiles = {.robots_tokens = {"x"}};
  absl::StatusOr<AuditConfig> over_scrambled = LoadConfigFile(kShippedConfig, scrambled);
  ASSERT_TRUE(over_scrambled.ok()) << over_scrambled.status();

  const AuditConfig defaults;
  for (const AuditConfig* config : {&*loaded, &*over_scrambled}) {
    EXPECT_EQ(config->crawl.max_pages, defaults.crawl.max_pages);
    EXPECT_EQ(config->crawl.delay_seconds, defaults.crawl.delay_seconds);
    EXPECT_EQ(config->crawl.user_agent, defaults.crawl.user_agent);
    EXPECT_EQ(config->crawl.robots_token, defaults.crawl.robots_token);
    EXPECT_EQ(config->crawl.contact_url, defaults.crawl.contact_url);
    EXPECT_EQ(config->crawl.allow_private_addresses, defaults.crawl.allow_private_addresses);
    EXPECT_EQ(config->crawl.timeout_seconds, defaults.crawl.timeout_seconds);
    EXPECT_EQ(config->crawl.max_page_bytes, defaults.crawl.max_page_bytes);
    EXPECT_EQ(config->crawl.max_image_bytes, defaults.crawl.max_image_bytes);
    EXPECT_EQ(config->crawl.max_redirects, defaults.crawl.max_redirects);
    EXPECT_EQ(config->detect.max_image_pixels, defaults.detect.max_image_pixels);
    EXPECT_EQ(config->detect.max_image_dimension, defaults.detect.max_image_dimension);
    EXPECT_EQ(config->detect.face_score_threshold, defaults.detect.face_score_threshold);
    EXPECT_EQ(config->detect.face_backend, defaults.detect.face_backend);
    EXPECT_EQ(config->detect.face_model, defaults.detect.face_model);
    EXPECT_EQ(config->detect.yunet_score_threshold, defaults.detect.yunet_score_threshold);
    EXPECT_EQ(config->output.store_dir, defaults.output.store_dir);
    EXPECT_EQ(config->output.out_dir, defaults.output.out_dir);
    EXPECT_EQ(config->profiles.robots_tokens, defaults.profiles.robots_tokens);
  }
}

TEST(ConfigTest, ProfileTokensAreAListOfValidProductTokens) {
  absl::StatusOr<AuditConfig> config =
      ParseConfig("[profiles]\nrobots_tokens = [\"CCBot\", \"*\"]\n", "site.toml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->profiles.robots_tokens, (std::vector<std::string>{"CCBot", "*"}));
  for (const char* bad : {"robots_tokens = \"CCBot\"", "robots_tokens = [1]",
                          "robots_tokens = [\"Bad Bot\"]"}) {
    absl::StatusOr<AuditConfig> rejected =
        ParseConfig(std::string("[profiles]\n") + bad + "\n", "site.toml");
    ASSERT_FALSE(rejected.ok()) << bad;
    EXPECT_THAT(std::string(rejected.status().message()),
                ::testing::StartsWith("site.toml:2: profiles.robots_tokens: "));
  }
}

// ToToml is what a run records: parsing it back gives the same configuration.
TEST(ConfigTest, ToTomlRoundTrips) {
  AuditConfig config;
  config.crawl.max_pages = 17;
  config.crawl.delay_seconds = 0.25;
  config.crawl.user_agent = "a \"quoted\" agent";
  config.detect.face_score_threshold = -0.5;
  config.profiles.robots_tokens = {"CCBot", "*"};
  absl::StatusOr<AuditConfig> parsed = ParseConfig(ToToml(config), "effective.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << ToToml(config);
  EXPECT_EQ(ToToml(*parsed), ToToml(config));
  EXPECT_EQ(parsed->crawl.max_pages, 17);
  EXPECT_EQ(parsed->crawl.user_agent, "a \"quoted\" agent");
  EXPECT_EQ(parsed->profiles.robots_tokens, config.profiles.robots_tokens);
}

TEST(ConfigTest, FaceBackendIsOneOfTheBackends) {
  for (const std::string backend : {"auto", "hog", "yunet", "ensemble"}) {
    absl::StatusOr<AuditConfig> config =
        ParseConfig("[detect]\nface_backend = \"" + backend + "\"\n", "site.toml");
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_EQ(config->detect.face_backend, backend);
  }
  for (const std::string other : {"cnn", "Ensemble", "yunet+hog", ""}) {
    absl::StatusOr<AuditConfig> config =
        ParseConfig("[detect]\nface_backend = \"" + other + "\"\n", "site.toml");
    ASSERT_FALSE(config.ok()) << other;
    EXPECT_THAT(std::string(config.status().message()),
                ::testing::StartsWith("site.toml:2: detect.face_backend: must be one of "))
        << other;
    EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr("\"ensemble\""));
  }
}

TEST(ConfigTest, EmptyTextKeepsEveryBaseValue) {
  AuditConfig base;
  base.crawl.max_pages = 7;
  base.output.out_dir = "elsewhere";
  absl::StatusOr<AuditConfig> config = ParseConfig("", "empty.toml", base);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->crawl.max_pages, 7);
  EXPECT_EQ(config->output.out_dir, "elsewhere");
}

TEST(ConfigTest, ValuesOverrideBaseAndAbsentKeysKeepIt) {
  AuditConfig base;
  base.crawl.max_pages = 7;
  base.crawl.user_agent = "base-agent";
  base.detect.max_image_dimension = 1234;
  base.output.store_dir = "base-store";
  absl::StatusOr<AuditConfig> config = ParseConfig(R"toml(
[crawl]
delay = 2                      # an integer widens to a double
timeout = 2.5
allow_private_addresses = true
robots_token = "auditbot"
max_redirects = 0

[detect]
face_score_threshold = -0.5

[output]
out = "reports-here"
)toml",
                                                   "site.toml", base);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->crawl.delay_seconds, 2.0);
  EXPECT_EQ(config->crawl.timeout_seconds, 2.5);
  EXPECT_TRUE(config->crawl.allow_private_addresses);
  EXPECT_EQ(config->crawl.robots_token, "auditbot");
  EXPECT_EQ(config->crawl.max_redirects, 0);
  EXPECT_EQ(config->detect.face_score_threshold, -0.5);
  EXPECT_EQ(config->output.out_dir, "reports-here");
  // Absent keys keep the base, not the built-in defaults.
  EXPECT_EQ(config->crawl.max_pages, 7);
  EXPECT_EQ(config->crawl.user_agent, "base-agent");
  EXPECT_EQ(config->detect.max_image_dimension, 1234);
  EXPECT_EQ(config->output.store_dir, "base-store");
  EXPECT_EQ(config->crawl.contact_url, AuditConfig().crawl.contact_url);
}

TEST(ConfigTest, DottedKeysAndInlineTablesAreTheSameKeys) {
  absl::StatusOr<AuditConfig> config =
      ParseConfig("crawl.max_pages = 3\ndetect = { max_image_pixels = 4 }\n", "dotted.toml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->crawl.max_pages, 3);
  EXPECT_EQ(config->detect.max_image_pixels, 4);
}

// Each bad input, and the exact "file:line: key: " prefix its error must carry.
struct BadInput {
  const char* what;
  const char* toml;
  const char* prefix;
  const char* problem;
};

void PrintTo(const BadInput& input, std::ostream* os) { *os << input.what; }

class BadConfigTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadConfigTest, IsInvalidArgumentNamingFileLineAndKey) {
  absl::StatusOr<AuditConfig> config = ParseConfig(GetParam().toml, "site.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()), StartsWith(GetParam().prefix));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr(GetParam().problem));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadConfigTest,
    ::testing::Values(
        BadInput{"UnknownKey", "[crawl]\nmax_pages = 5\nmax_pagez = 3\n",
                 "site.toml:3: crawl.max_pagez: ", "unknown key"},
        BadInput{"UnknownTopLevelKey", "\nmax_pages = 3\n",
                 "site.toml:2: max_pages: ", "unknown key"},
        BadInput{"UnknownSection", "[crawls]\n\nmax_pages = 3\n",
                 "site.toml:1: crawls: ", "unknown section"},
        BadInput{"UnknownSubsection", "[crawl.limits]\nmax_pages = 3\n",
                 "site.toml:1: crawl.limits: ", "unknown key"},
        BadInput{"EmptyUnknownSection", "[crawl]\nmax_pages = 3\n\n[ouptut]\n",
                 "site.toml:4: ouptut: ", "unknown"},
        BadInput{"StringForInteger", "[crawl]\nmax_pages = \"200\"\n",
                 "site.toml:2: crawl.max_pages: ", "must be an integer"},
        BadInput{"FloatForInteger", "[detect]\n\n\nmax_image_pixels = 2.5\n",
                 "site.toml:4: detect.max_image_pixels: ", "must be an integer"},
        BadInput{"StringForNumber", "[crawl]\ndelay = \"fast\"\n",
                 "site.toml:2: crawl.delay: ", "must be a number"},
        BadInput{"BooleanForNumber", "[crawl]\ntimeout = true\n",
                 "site.toml:2: crawl.timeout: ", "must be a number"},
        BadInput{"IntegerForString", "[output]\nstore = 5\n",
                 "site.toml:2: output.store: ", "must be a string"},
        BadInput{"StringForBoolean", "[crawl]\nallow_private_addresses = \"yes\"\n",
                 "site.toml:2: crawl.allow_private_addresses: ", "must be true or false"},
        BadInput{"IntegerBelowMinimum", "[crawl]\nmax_pages = 0\n",
                 "site.toml:2: crawl.max_pages: ", "must be >= 1"},
        BadInput{"ByteLimitBelowMinimum", "[crawl]\nmax_image_bytes = 1023\n",
                 "site.toml:2: crawl.max_image_bytes: ", "must be >= 1024"},
        BadInput{"NegativeRedirects", "[crawl]\nmax_redirects = -1\n",
                 "site.toml:2: crawl.max_redirects: ", "must be >= 0"},
        BadInput{"DoubleBelowMinimum", "[crawl]\ndelay = -0.5\n",
                 "site.toml:2: crawl.delay: ", "must be >= 0"},
        BadInput{"ThresholdBelowMinimum", "[detect]\nface_score_threshold = -11\n",
                 "site.toml:2: detect.face_score_threshold: ", "must be >= -10"},
        // Non-finite numbers are valid TOML but no delay or timeout: NaN passes
        // every ">= minimum" comparison unless rejected explicitly.
        BadInput{"NanDelay", "[crawl]\ndelay = nan\n", "site.toml:2: crawl.delay: ", "must be"},
        BadInput{"InfiniteTimeout", "[crawl]\ntimeout = inf\n",
                 "site.toml:2: crawl.timeout: ", "must be"},
        BadInput{"NanThreshold", "[detect]\nface_score_threshold = nan\n",
                 "site.toml:2: detect.face_score_threshold: ", "must be"},
        // A syntax error has no key to name; the file and line still lead.
        BadInput{"SyntaxError", "[crawl]\nmax_pages = 200\ndelay = = 1\n", "site.toml:3: ", ""},
        BadInput{"UnterminatedString", "[output]\nstore = \"abc\n", "site.toml:2: ", ""},
        BadInput{"DuplicateKey", "[crawl]\nmax_pages = 1\nmax_pages = 2\n",
                 "site.toml:3: ", "max_pages"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.what; });

TEST_F(ConfigFileTest, LoadConfigFileReadsAFile) {
  std::string path = WriteFile("site.toml", "[crawl]\nmax_pages = 42\n");
  absl::StatusOr<AuditConfig> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->crawl.max_pages, 42);
  EXPECT_EQ(config->crawl.delay_seconds, AuditConfig().crawl.delay_seconds);
}

TEST_F(ConfigFileTest, LoadConfigFileErrorsNameThePath) {
  std::string path = WriteFile("bad.toml", "[crawl]\n\ndelay = -1\n");
  absl::StatusOr<AuditConfig> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              StartsWith(path + ":3: crawl.delay: must be >= 0"));
}

TEST_F(ConfigFileTest, MissingFileIsNotFoundNamingThePath) {
  std::string path = (dir_ / "no-such.toml").string();
  absl::StatusOr<AuditConfig> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr(path));
}

TEST(EffectiveUserAgentTest, DefaultNamesToolVersionAndContact) {
  CrawlConfig crawl;
  EXPECT_EQ(EffectiveUserAgent(crawl), std::string("scrapewatch/") + kToolVersion +
                                           " (+https://github.com/scrapewatch/scrapewatch)");
  crawl.contact_url = "https://audits.example.org/why";
  EXPECT_EQ(EffectiveUserAgent(crawl),
            std::string("scrapewatch/") + kToolVersion + " (+https://audits.example.org/why)");
}

TEST(EffectiveUserAgentTest, ConfiguredStringIsSentAsIs) {
  absl::StatusOr<AuditConfig> config =
      ParseConfig("[crawl]\nuser_agent = \"MyAuditor/2.0 (+mailto:me@example.org)\"\n", "ua.toml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(EffectiveUserAgent(config->crawl), "MyAuditor/2.0 (+mailto:me@example.org)");
}

}  // namespace
}  // namespace scrapewatch
