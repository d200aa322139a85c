// The part of normalisation (normalize.h) that is not ASCII-only, for the text module's own
// use: HTML entities decoded once, invalid UTF-8 replaced by U+FFFD, and each run of non-ASCII
// characters NFKC-normalised, case-folded and lumped (utf8proc). What is left for NormalizeText
// is ASCII work only: folding 'A'..'Z', control characters to spaces, spaces collapsed, lines
// trimmed, line breaks ('\r\n', '\r', '\n') to one '\n'. AnalyzeText does that ASCII work in
// its own single pass instead (document.cc).
#ifndef DEDUP_TEXT_MAP_NON_ASCII_H_
#define DEDUP_TEXT_MAP_NON_ASCII_H_

#include <string_view>

namespace dedup {

// Returns `raw` itself when it is ASCII without '&' (most articles), else a view of per-thread
// scratch valid until the next call on this thread.
std::string_view MapNonAscii(std::string_view raw);

}  // namespace dedup

#endif  // DEDUP_TEXT_MAP_NON_ASCII_H_
