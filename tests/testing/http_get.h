// A minimal blocking HTTP/1.1 GET for tests of the operations endpoint.
#ifndef DEDUP_TESTS_TESTING_HTTP_GET_H_
#define DEDUP_TESTS_TESTING_HTTP_GET_H_

#include <map>
#include <string>

namespace dedup::testing {

struct HttpResult {
  int status = 0;  // 0: no connection or no response
  std::string headers;
  std::string body;
};

// GET (or another method) on 127.0.0.1:port; reads until the server closes.
HttpResult HttpGet(int port, const std::string& path, const std::string& method = "GET");

// Series name with labels -> value, from the Prometheus text format (/metrics).
std::map<std::string, double> ParseMetrics(const std::string& text);

}  // namespace dedup::testing

#endif  // DEDUP_TESTS_TESTING_HTTP_GET_H_
