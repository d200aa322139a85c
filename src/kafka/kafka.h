// Private helpers shared by the ingest and emit modules: RAII owners for librdkafka handles,
// building a librdkafka configuration from dedupd's config, and routing librdkafka's logs.
// Thread-safety: the helpers are stateless; the handles follow librdkafka's rules (rd_kafka_t is
// thread-safe, rd_kafka_conf_t is not).
#ifndef DEDUP_SRC_KAFKA_KAFKA_H_
#define DEDUP_SRC_KAFKA_KAFKA_H_

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace dedup::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

using Properties = std::vector<std::pair<std::string, std::string>>;

// A new configuration with `defaults` applied, then `user` (user settings win), and librdkafka's
// log lines routed to dedupd's logger. Errors name the property and librdkafka's complaint.
absl::StatusOr<ConfPtr> MakeConf(const Properties& defaults, const Properties& user,
                                 std::string_view what);

// Whether a client of `type` can be made from these properties (as MakeConf applies them):
// librdkafka checks some properties only together, when the client is made (fetch.max.bytes
// against message.max.bytes, for one), so properties each accepted by MakeConf can still be
// refused at start. Makes and destroys a client without brokers and without logging: nothing
// is contacted. Errors name `what` and the property or librdkafka's complaint.
absl::Status CheckClient(rd_kafka_type_t type, const Properties& defaults, const Properties& user,
                         std::string_view what);

// rd_kafka_new; takes ownership of `conf` only on success (as librdkafka does).
absl::StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf);

}  // namespace dedup::kafka

#endif  // DEDUP_SRC_KAFKA_KAFKA_H_
