#include "kafka/kafka.h"

#include <utility>

#include "dedup/base/log.h"
#include "dedup/base/strings.h"

namespace dedup::kafka {
namespace {

// librdkafka uses syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* buf) {
  const LogLevel l = level <= 3 ? LogLevel::kError
                     : level == 4 ? LogLevel::kWarn
                     : level <= 6 ? LogLevel::kInfo
                                  : LogLevel::kDebug;
  Log(l, buf, {{"component", "librdkafka"}, {"facility", facility}, {"client", rd_kafka_name(rk)}});
}

}  // namespace

absl::StatusOr<ConfPtr> MakeConf(const Properties& defaults, const Properties& user,
                                 std::string_view what) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const Properties* props : {&defaults, &user}) {
    for (const auto& [k, v] : *props) {
      if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), errstr, sizeof(errstr)) !=
          RD_KAFKA_CONF_OK) {
        return absl::InvalidArgumentError(Cat(what, " property ", k, " = \"", v, "\": ", errstr));
      }
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), &LogCallback);
  return conf;
}

absl::Status CheckClient(rd_kafka_type_t type, const Properties& defaults, const Properties& user,
                         std::string_view what) {
  absl::StatusOr<ConfPtr> conf = MakeConf(defaults, user, what);
  if (!conf.ok()) return conf.status();
  char errstr[512];
  for (const auto& [k, v] : {std::pair<const char*, const char*>{"bootstrap.servers", ""},
                             {"log_level", "0"}}) {
    if (rd_kafka_conf_set(conf->get(), k, v, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      return absl::InternalError(Cat(what, ": cannot check the client's properties: ", errstr));
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf->get(), errstr, sizeof(errstr));
  if (rk == nullptr) return absl::InvalidArgumentError(Cat(what, ": ", errstr));
  (void)conf->release();  // owned by rk now
  rd_kafka_destroy(rk);
  return absl::OkStatus();
}

absl::StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) {
    return absl::InvalidArgumentError(
        Cat(type == RD_KAFKA_CONSUMER ? "consumer" : "producer", ": ", errstr));
  }
  (void)conf.release();  // owned by rk now
  return HandlePtr(rk);
}

}  // namespace dedup::kafka
