// libFuzzer target: the config loader on arbitrary text; whatever it accepts must be diffable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dedup/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dedup::Config> c = dedup::ParseConfig(text, "fuzz.toml");
  if (c.ok()) (void)dedup::DiffConfigs(dedup::Config{}, *c);
  return 0;
}
