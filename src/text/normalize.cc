#include "dedup/text/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "dedup/base/block16.h"
#include "dedup/base/strings.h"
#include "dedup/base/swar.h"
#include "text/for_each_word.h"
#include "text/map_non_ascii.h"

namespace dedup {
namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

constexpr uint32_t kReplacement = 0xFFFD;

const absl::flat_hash_map<std::string_view, uint32_t>& NamedEntities() {
  static const auto* m = new absl::flat_hash_map<std::string_view, uint32_t>{
      {"amp", '&'},       {"lt", '<'},         {"gt", '>'},         {"quot", '"'},
      {"apos", '\''},     {"nbsp", 0xA0},      {"ensp", 0x2002},    {"emsp", 0x2003},
      {"thinsp", 0x2009}, {"shy", 0xAD},       {"lsquo", 0x2018},   {"rsquo", 0x2019},
      {"sbquo", 0x201A},  {"ldquo", 0x201C},   {"rdquo", 0x201D},   {"bdquo", 0x201E},
      {"laquo", 0xAB},    {"raquo", 0xBB},     {"lsaquo", 0x2039},  {"rsaquo", 0x203A},
      {"prime", 0x2032},  {"Prime", 0x2033},   {"ndash", 0x2013},   {"mdash", 0x2014},
      {"minus", 0x2212},  {"hellip", 0x2026},  {"bull", 0x2022},    {"middot", 0xB7},
      {"copy", 0xA9},     {"reg", 0xAE},       {"trade", 0x2122},   {"euro", 0x20AC},
      {"pound", 0xA3},    {"yen", 0xA5},       {"cent", 0xA2},      {"curren", 0xA4},
      {"sect", 0xA7},     {"para", 0xB6},      {"deg", 0xB0},       {"plusmn", 0xB1},
      {"times", 0xD7},    {"divide", 0xF7},    {"frac12", 0xBD},    {"frac14", 0xBC},
      {"frac34", 0xBE},   {"sup1", 0xB9},      {"sup2", 0xB2},      {"sup3", 0xB3},
      {"micro", 0xB5},    {"iexcl", 0xA1},     {"iquest", 0xBF},    {"dagger", 0x2020},
      {"Dagger", 0x2021}, {"permil", 0x2030},  {"ordf", 0xAA},      {"ordm", 0xBA},
      {"Agrave", 0xC0},   {"Aacute", 0xC1},    {"Acirc", 0xC2},     {"Atilde", 0xC3},
      {"Auml", 0xC4},     {"Aring", 0xC5},     {"AElig", 0xC6},     {"Ccedil", 0xC7},
      {"Egrave", 0xC8},   {"Eacute", 0xC9},    {"Ecirc", 0xCA},     {"Euml", 0xCB},
      {"Igrave", 0xCC},   {"Iacute", 0xCD},    {"Icirc", 0xCE},     {"Iuml", 0xCF},
      {"ETH", 0xD0},      {"Ntilde", 0xD1},    {"Ograve", 0xD2},    {"Oacute", 0xD3},
      {"Ocirc", 0xD4},    {"Otilde", 0xD5},    {"Ouml", 0xD6},      {"Oslash", 0xD8},
      {"Ugrave", 0xD9},   {"Uacute", 0xDA},    {"Ucirc", 0xDB},     {"Uuml", 0xDC},
      {"Yacute", 0xDD},   {"THORN", 0xDE},     {"szlig", 0xDF},     {"agrave", 0xE0},
      {"aacute", 0xE1},   {"acirc", 0xE2},     {"atilde", 0xE3},    {"auml", 0xE4},
      {"aring", 0xE5},    {"aelig", 0xE6},     {"ccedil", 0xE7},    {"egrave", 0xE8},
      {"eacute", 0xE9},   {"ecirc", 0xEA},     {"euml", 0xEB},      {"igrave", 0xEC},
      {"iacute", 0xED},   {"icirc", 0xEE},     {"iuml", 0xEF},      {"eth", 0xF0},
      {"ntilde", 0xF1},   {"ograve", 0xF2},    {"oacute", 0xF3},    {"ocirc", 0xF4},
      {"otilde", 0xF5},   {"ouml", 0xF6},      {"oslash", 0xF8},    {"ugrave", 0xF9},
      {"uacute", 0xFA},   {"ucirc", 0xFB},     {"uuml", 0xFC},      {"yacute", 0xFD},
      {"thorn", 0xFE},    {"yuml", 0xFF},      {"OElig", 0x152},    {"oelig", 0x153},
      {"Scaron", 0x160},  {"scaron", 0x161},   {"Yuml", 0x178},     {"zwnj", 0x200C},
      {"zwj", 0x200D},    {"lrm", 0x200E},     {"rlm", 0x200F},
  };
  return *m;
}

// Tries to decode an entity starting at s[i] == '&'. On success sets *code_point and returns the
// entity's length; otherwise returns 0 (and leaves *code_point as it was).
size_t DecodeEntity(std::string_view s, size_t i, uint32_t* code_point) {
  constexpr size_t kMaxEntity = 12;
  const size_t semi = s.find(';', i + 1);
  if (semi == std::string_view::npos || semi - i > kMaxEntity || semi == i + 1) return 0;
  std::string_view name = s.substr(i + 1, semi - i - 1);
  uint32_t cp = 0;
  if (name[0] == '#') {
    std::string_view digits = name.substr(1);
    int base = 10;
    if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) {
      base = 16;
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 8) return 0;
    uint64_t v = 0;
    for (char c : digits) {
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (base == 16 && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (base == 16 && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return 0;
      }
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    // NUL, surrogates and out-of-range values are not characters: decode to U+FFFD.
    cp = (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) ? kReplacement
                                                                     : static_cast<uint32_t>(v);
  } else {
    auto it = NamedEntities().find(name);
    if (it == NamedEntities().end()) return 0;
    cp = it->second;
  }
  *code_point = cp;
  return semi - i + 1;
}

using swar::BytesBelow;
using swar::BytesEqual;
using swar::FirstFlagged;
using swar::FoldAscii8;
using swar::kHighBits;
using swar::Load8;
using swar::RunLength;
using swar::Store8;

// Bytes before the first non-ASCII byte.
size_t AsciiRun(std::string_view s) {
  return RunLength(s, [](uint64_t v) { return v & kHighBits; },
                   [](unsigned char c) { return c >= 0x80; });
}

// Bytes before the first non-ASCII byte or '&' (what entity decoding must look at).
size_t PlainRun(std::string_view s) {
  return BlockRunLength(
      s, [](const Block16& b) { return b.NonAscii() | b.Equal('&'); },
      [](uint64_t v) { return (v & kHighBits) | BytesEqual(v, '&'); },
      [](unsigned char c) { return c >= 0x80 || c == '&'; });
}

bool IsAscii(std::string_view s) { return AsciiRun(s) == s.size(); }

// Maps ASCII control characters: line breaks to '\n', everything else to ' ' (NUL included).
char MapAsciiControl(char c) {
  if (c == '\n') return '\n';
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return ' ';
  return c;
}

// Collapses spaces, trims lines, folds ASCII case, turns \r\n and \r into \n and runs of line
// breaks into one.
void CollapseAsciiInto(std::string_view s, bool fold_case, std::string& out) {
  // The output is never longer than the input: write through a pointer, trim at the end.
  out.resize(s.size());
  char* const begin = out.data();
  char* o = begin;
  bool pending_space = false;
  const auto at_line_start = [&] { return o == begin || o[-1] == '\n'; };
  // Before a visible character: the pending space, unless the line has no text yet.
  const auto emit_pending_space = [&] {
    if (pending_space && !at_line_start()) *o++ = ' ';
    pending_space = false;
  };
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    // Sixteen bytes of prose at a time: no control character, DEL or two spaces in a row, so
    // the block is copied (folded) as it is, except that a space opening it goes where a
    // pending space would (a run of spaces across the edge leaves one; a line's leading space
    // is dropped) and a space closing it becomes the pending one (dropped at a line's end).
    // Storing all sixteen is safe as below: o <= i.
    while (i + 16 <= n) {
      const Block16 b = Block16::Load(s.data() + i);
      const uint32_t spaces = b.Equal(' ');
      if (b.ControlOrDel() != 0 || (spaces & (spaces >> 1)) != 0) break;
      if ((spaces & 1) == 0) {
        emit_pending_space();
      } else if (at_line_start()) {  // leading space: skip it, take a block from the next byte
        ++i;
        pending_space = false;
        continue;
      }  // else the block's own first space stands for the pending one
      pending_space = (spaces >> 15) != 0;
      if (fold_case) {
        b.StoreFolded(o);
      } else {
        std::memcpy(o, s.data() + i, 16);
      }
      o += pending_space ? 15 : 16;
      i += 16;
    }
    // Eight bytes at a time up to the next space, control character or DEL. Writing all eight
    // is safe: o never runs ahead of i (each byte in, at most one out; a pending space stands
    // for at least one byte read), so o + 8 <= begin + n.
    while (i + 8 <= n) {
      const uint64_t v = Load8(s.data() + i);
      const uint64_t stop = BytesBelow(v, ' ' + 1) | BytesEqual(v, 0x7F);
      const size_t k = stop == 0 ? 8 : FirstFlagged(stop);
      if (k == 0) break;
      emit_pending_space();
      Store8(o, fold_case ? FoldAscii8(v) : v);
      o += k;
      i += k;
    }
    if (i >= n) break;
    char c = s[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u > ' ' && u != 0x7F) {  // the common case: a visible character (or a UTF-8 byte)
      emit_pending_space();
      if (fold_case && c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
      *o++ = c;
      continue;
    }
    if (c == '\r') {
      if (i + 1 < n && s[i + 1] == '\n') continue;
      c = '\n';
    }
    if (MapAsciiControl(c) == '\n') {
      pending_space = false;
      // Blank lines carry nothing (lines without words are dropped): one break per run, so how
      // a CR and a following NEL or U+2028 pair up cannot change the result.
      if (o == begin || o[-1] != '\n') *o++ = '\n';
    } else {
      pending_space = true;  // space, tab, other control characters, DEL
    }
  }
  out.resize(static_cast<size_t>(o - begin));
}

std::string CollapseAscii(std::string_view s, bool fold_case) {
  std::string out;
  CollapseAsciiInto(s, fold_case, out);
  return out;
}

// NFKC + case folding + lumping of one segment, with the typographic marks utf8proc does not
// lump unified; appended to `out`. REQUIRES: valid UTF-8.
void MapNonAsciiSegment(std::string_view seg, std::string& out) {
  // NLF2LF turns U+2028/U+2029/NEL into '\n'; LUMP unifies quotes, dashes and spaces.
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                      UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_LUMP | UTF8PROC_NLF2LF);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(seg.data()),
                                          static_cast<utf8proc_ssize_t>(seg.size()), &mapped,
                                          options);
  if (n < 0 || mapped == nullptr) {
    // Cannot happen on repaired UTF-8; keep the text rather than fail.
    std::free(mapped);
    out.append(seg);
    return;
  }
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  const std::string_view m(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  size_t i = 0;
  while (i < m.size()) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(m.data() + i),
                                                  static_cast<utf8proc_ssize_t>(m.size() - i), &cp);
    if (len <= 0) {
      ++i;
      continue;
    }
    switch (cp) {
      case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x00B4:
        out.push_back('\'');
        break;
      case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB: case 0x00BB:
        out.push_back('"');
        break;
      case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
        out.push_back('-');
        break;
      case 0x00A0: case 0x2007: case 0x202F: case 0x3000:
        out.push_back(' ');
        break;
      case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF:
        break;  // invisible: soft hyphen, zero-width characters, BOM
      default:
        out.append(m.substr(i, static_cast<size_t>(len)));
    }
    i += static_cast<size_t>(len);
  }
}

// Whether the first character of `chars` (valid UTF-8) is a combining mark.
bool FirstIsMark(std::string_view chars) {
  utf8proc_int32_t first = 0;
  utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(chars.data()),
                   static_cast<utf8proc_ssize_t>(chars.size()), &first);
  const utf8proc_category_t cat = utf8proc_category(first);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME;
}

// A short segment's MapNonAsciiSegment result and FirstIsMark, remembered per thread: articles
// repeat the same few characters (curly quotes, dashes, no-break spaces, accented letters; most
// runs are one character), and utf8proc_map allocates and decomposes for each (~1,200
// instructions a segment on wire-dev). Both are pure functions of the segment's bytes, which
// with its length make the key (no string is hashed or compared).
struct ShortSegment {
  std::string mapped;
  bool mark = false;
};
constexpr size_t kMaxShortSegment = 7;  // bytes: one to a few characters; the length fits too

// REQUIRES: seg.size() <= kMaxShortSegment, valid UTF-8. The reference is valid until the next
// call.
const ShortSegment& CachedShortSegment(std::string_view seg) {
  constexpr size_t kMaxCacheEntries = 4096;  // then start afresh (bounded memory)
  uint64_t key = uint64_t{seg.size()} << 56;
  for (size_t i = 0; i < seg.size(); ++i) {
    key |= uint64_t{static_cast<unsigned char>(seg[i])} << (8 * i);
  }
  thread_local absl::flat_hash_map<uint64_t, ShortSegment> cache;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  ShortSegment e;
  MapNonAsciiSegment(seg, e.mapped);
  e.mark = FirstIsMark(seg);
  return cache.emplace(key, std::move(e)).first->second;
}

// MapNonAsciiSegment, from the cache for a short segment.
void MapSegment(std::string_view seg, std::string& out) {
  if (seg.size() > kMaxShortSegment) return MapNonAsciiSegment(seg, out);
  out.append(CachedShortSegment(seg).mapped);
}

}  // namespace

namespace {

void DecodeEntitiesAndRepairUtf8Into(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    const size_t plain = PlainRun(raw.substr(i));
    out.append(raw.data() + i, plain);
    i += plain;
    if (i == raw.size()) break;
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '&') {
      uint32_t cp = 0;
      if (const size_t n = DecodeEntity(raw, i, &cp); n > 0) {
        AppendUtf8(out, cp);
        i += n;
        continue;
      }
      out.push_back('&');
      ++i;
      continue;
    }
    // Not plain and not '&': a non-ASCII byte.
    utf8proc_int32_t cp = -1;
    const utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(raw.data() + i),
                                                static_cast<utf8proc_ssize_t>(raw.size() - i), &cp);
    if (n <= 0 || cp < 0) {
      AppendUtf8(out, kReplacement);
      ++i;  // resynchronise on the next byte
      continue;
    }
    out.append(raw.substr(i, static_cast<size_t>(n)));
    i += static_cast<size_t>(n);
  }
}

}  // namespace

std::string DecodeEntitiesAndRepairUtf8(std::string_view raw) {
  std::string out;
  DecodeEntitiesAndRepairUtf8Into(raw, out);
  return out;
}

std::string NormalizeText(std::string_view raw) {
  std::string out;
  NormalizeTextInto(raw, out);
  return out;
}

std::string_view MapNonAscii(std::string_view raw) {
  if (PlainRun(raw) == raw.size()) return raw;
  // One pass doing what DecodeEntitiesAndRepairUtf8 and then the mapping of each maximal run of
  // non-ASCII characters in its output would do: ASCII (plain runs, entities of ASCII
  // characters, a '&' that starts no entity) goes to `out` as it is (the caller folds its case);
  // non-ASCII characters (valid sequences, entities of them, U+FFFD for invalid bytes) gather in
  // `run` until the next ASCII character, then go through utf8proc together (which dominated
  // the cost when it was handed whole articles for a few curly quotes).
  thread_local std::string out, run;
  out.clear();
  out.reserve(raw.size());
  run.clear();
  const auto flush_run = [] {
    if (run.empty()) return;
    // A combining mark composes with the base letter before it (e + U+0301 = é): hand that
    // letter to utf8proc with the run.
    const ShortSegment* cached =
        run.size() <= kMaxShortSegment ? &CachedShortSegment(run) : nullptr;
    if (!out.empty() && (cached != nullptr ? cached->mark : FirstIsMark(run))) {
      run.insert(run.begin(), out.back());
      out.pop_back();
      MapSegment(run, out);
    } else if (cached != nullptr) {
      out.append(cached->mapped);
    } else {
      MapNonAsciiSegment(run, out);
    }
    run.clear();
  };
  size_t i = 0;
  while (i < raw.size()) {
    const size_t plain = PlainRun(raw.substr(i));
    if (plain > 0) {
      flush_run();
      out.append(raw.data() + i, plain);
      i += plain;
      if (i == raw.size()) break;
    }
    if (raw[i] == '&') {
      uint32_t cp = '&';
      const size_t n = DecodeEntity(raw, i, &cp);
      if (cp < 0x80) {
        flush_run();
        out.push_back(static_cast<char>(cp));
      } else {
        AppendUtf8(run, cp);
      }
      i += n > 0 ? n : 1;
      continue;
    }
    // Not plain and not '&': a non-ASCII byte.
    utf8proc_int32_t cp = -1;
    const utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(raw.data() + i),
                         static_cast<utf8proc_ssize_t>(raw.size() - i), &cp);
    if (n <= 0 || cp < 0) {
      AppendUtf8(run, kReplacement);
      ++i;  // resynchronise on the next byte
      continue;
    }
    run.append(raw.data() + i, static_cast<size_t>(n));
    i += static_cast<size_t>(n);
  }
  flush_run();
  return out;  // utf8proc's output has no upper case; the ASCII may
}

void NormalizeTextInto(std::string_view raw, std::string& out) {
  CollapseAsciiInto(MapNonAscii(raw), /*fold_case=*/true, out);
}

std::string NormalizeTextReference(std::string_view raw) {
  if (IsAscii(raw) && raw.find('&') == std::string_view::npos) {
    return CollapseAscii(raw, /*fold_case=*/true);
  }
  std::string decoded = DecodeEntitiesAndRepairUtf8(raw);
  if (IsAscii(decoded)) return CollapseAscii(decoded, /*fold_case=*/true);

  std::string lumped;
  MapNonAsciiSegment(decoded, lumped);
  return CollapseAscii(lumped, /*fold_case=*/false);
}

void Tokenize(std::string_view s, std::vector<std::string_view>& words) {
  ForEachWord(s, [&words](std::string_view w) { words.push_back(w); });
}

}  // namespace dedup
