#include "dedup/base/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "dedup/base/block16.h"
#include "dedup/base/swar.h"

namespace dedup {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t ValidUtf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return len;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Printable ASCII other than '"' and '\\' goes out as it is, sixteen bytes at a time
    // (URLs and titles are mostly that), then eight.
    const size_t plain = BlockRunLength(
        s.substr(i),
        [](const Block16& b) {
          return b.ControlOrDel() | b.Equal('"') | b.Equal('\\') | b.NonAscii();
        },
        [](uint64_t v) {
          return swar::BytesBelow(v, 0x20) | swar::BytesEqual(v, '"') |
                 swar::BytesEqual(v, '\\') | swar::BytesEqual(v, 0x7F) | (v & swar::kHighBits);
        },
        [](unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x7F; });
    out.append(s.data() + i, plain);
    i += plain;
    if (i == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = ValidUtf8Length(s, i);
      if (len == 0) {
        out.append("\xEF\xBF\xBD");
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out.append(buf);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void AppendJsonNumber(std::string& out, double v, int decimals) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[400];  // the longest fixed-notation double (~310 digits) and its decimals
  // std::to_chars: the same correctly rounded digits as printf's %.*f, without printf's
  // locale and format parsing (it showed in the daemon's profile).
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, decimals);
  if (r.ec != std::errc()) {
    out.append("null");
    return;
  }
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  if (text.find('.') != std::string_view::npos) {
    while (!text.empty() && text.back() == '0') text.remove_suffix(1);
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  }
  if (text == "-0") text = "0";
  out.append(text);
}

}  // namespace dedup
