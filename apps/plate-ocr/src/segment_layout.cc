// Segmentation steps 4-7: interior, text band, columns, resolving the count
// (segment_steps.h).
#include "segment_steps.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace tinymlops::plate_segment {

int row_ink(const Mask& mask, int y, int x0, int x1) {
  int n = 0;
  for (int x = x0; x < x1; ++x) n += mask.at(x, y) ? 1 : 0;
  return n;
}

int column_ink(const Mask& mask, int x, int y0, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) n += mask.at(x, y) ? 1 : 0;
  return n;
}

// Rows of [y0, y1) with ink in any of the columns [x0, x1).
int rows_inked(const Mask& mask, int x0, int x1, int y0, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) n += row_ink(mask, y, std::max(0, x0), std::min(mask.width, x1)) > 0 ? 1 : 0;
  return n;
}

// True when the columns [x0, x1) look like a border side over the rows [y0, y1):
// inked on kLineColumnFraction of the rows, including some of the first and of the
// last kLineEnds of them (a character's stem stops short of the border).
bool is_side_line(const Mask& mask, int x0, int x1, int y0, int y1) {
  const int ends = std::max(1, static_cast<int>(std::ceil(kLineEnds * (y1 - y0))));
  return rows_inked(mask, x0, x1, y0, y1) >= kLineColumnFraction * (y1 - y0) &&
         rows_inked(mask, x0, x1, y0, y0 + ends) > 0 && rows_inked(mask, x0, x1, y1 - ends, y1) > 0;
}

// Step 4. The plate inside its border: below the last line row (border line or
// dark band, inked over kLineRowFraction of the width) in the top region, above the
// first in the bottom region, and inside the border sides found in the side regions
// (is_side_line over a window of kLineColumnWindow columns, as a slanted side spreads
// over a few). Without lines: the whole image.
Rect plate_interior(const Mask& mask) {
  Rect r{0, 0, mask.width, mask.height};
  const double line_row = kLineRowFraction * mask.width;
  for (int y = 0; y < static_cast<int>(mask.height * kTopRegion); ++y)
    if (row_ink(mask, y, 0, mask.width) >= line_row) r.y0 = y + 1;
  for (int y = mask.height - 1; y >= mask.height - static_cast<int>(mask.height * kBottomRegion); --y)
    if (row_ink(mask, y, 0, mask.width) >= line_row) r.y1 = y;
  if (r.y1 <= r.y0) return r;
  const int side = static_cast<int>(mask.width * kSideRegion);
  for (int x = 0; x < side; ++x)
    if (is_side_line(mask, x, x + kLineColumnWindow, r.y0, r.y1)) r.x0 = x + kLineColumnWindow;
  for (int x = mask.width - 1; x >= mask.width - side; --x)
    if (is_side_line(mask, x - kLineColumnWindow + 1, x + 1, r.y0, r.y1)) r.x1 = x - kLineColumnWindow + 1;
  return r;
}

// Step 4b. Erases, inside `interior`, every horizontal run of ink longer than
// kLongRunFraction of the plate's width, and every run touching the interior's left
// or right side longer than kSideRunFraction: no character is that wide or touches
// the border, so it is what is left of a slanted border line or top band. (A
// character touching the border loses those rows.)
void erase_long_runs(Mask& mask, Rect interior) {
  const int longest = static_cast<int>(kLongRunFraction * mask.width);
  const int longest_at_side = static_cast<int>(kSideRunFraction * mask.width);
  for (int y = interior.y0; y < interior.y1; ++y) {
    int start = interior.x0;
    for (int x = interior.x0; x <= interior.x1; ++x) {
      const bool ink = x < interior.x1 && mask.at(x, y);
      if (ink) continue;
      const bool at_side = start == interior.x0 || x == interior.x1;
      if (x - start > longest || (at_side && x - start > longest_at_side))
        for (int k = start; k < x; ++k) mask.ink[static_cast<std::size_t>(y) * static_cast<std::size_t>(mask.width) + static_cast<std::size_t>(k)] = 0;
      start = x + 1;
    }
  }
}

// Step 5. The text band: the run of text rows in `interior` (gaps up to
// kMaxTextRowGap bridged) holding the most ink. Returns false with `why` set when
// there is (almost, kMinInteriorInk) no ink or the run is shorter than kMinTextHeight of the interior.
bool find_text_band(const Mask& mask, Rect interior, Rect* band, std::string* why) {
  std::vector<int> ink(static_cast<std::size_t>(std::max(0, interior.y1 - interior.y0)));
  int peak = 0;
  long total = 0;
  for (int y = interior.y0; y < interior.y1; ++y) {
    ink[static_cast<std::size_t>(y - interior.y0)] = row_ink(mask, y, interior.x0, interior.x1);
    peak = std::max(peak, ink[static_cast<std::size_t>(y - interior.y0)]);
    total += ink[static_cast<std::size_t>(y - interior.y0)];
  }
  const double area = static_cast<double>(interior.x1 - interior.x0) * (interior.y1 - interior.y0);
  if (static_cast<double>(total) < kMinInteriorInk * area || peak < kMinTextRowInk) {
    *why = "plate is blank: no ink inside the plate border";
    return false;
  }
  const double text_row = std::max(static_cast<double>(kMinTextRowInk), kTextRowOfPeak * peak);
  // Runs [first, last] of text rows, gaps of up to kMaxTextRowGap rows bridged.
  std::vector<std::pair<int, int>> runs;
  for (int i = 0; i < static_cast<int>(ink.size()); ++i) {
    if (ink[static_cast<std::size_t>(i)] < text_row) continue;
    if (!runs.empty() && i - runs.back().second - 1 <= kMaxTextRowGap) runs.back().second = i;
    else runs.push_back({i, i});
  }
  long best_ink = -1;
  for (const auto& [first, last] : runs) {
    long run_ink = 0;
    for (int i = first; i <= last; ++i) run_ink += ink[static_cast<std::size_t>(i)];
    if (run_ink > best_ink) {
      best_ink = run_ink;
      band->y0 = interior.y0 + first;
      band->y1 = interior.y0 + last + 1;
    }
  }
  band->x0 = interior.x0;
  band->x1 = interior.x1;
  const int min_height = std::max(2, static_cast<int>(std::ceil(kMinTextHeight * (interior.y1 - interior.y0))));
  if (band->y1 - band->y0 < min_height) {
    *why = "no text band found: the tallest run of inked rows is " + std::to_string(band->y1 - band->y0) +
           " px, characters need at least " + std::to_string(min_height) + " px";
    return false;
  }
  return true;
}

// The rows [top, bottom) of `band` holding ink in columns [x0, x1); top == bottom when none.
void ink_rows(const Mask& mask, Rect band, int x0, int x1, int* top, int* bottom) {
  *top = band.y1;
  *bottom = band.y1;
  for (int y = band.y0; y < band.y1; ++y) {
    if (row_ink(mask, y, x0, x1) == 0) continue;
    if (*top == band.y1) *top = y;
    *bottom = y + 1;
  }
  if (*top == band.y1) *top = *bottom = band.y0;
}

// Rows of `interior` outside the band with ink in the blob's columns: how far a
// blob runs on above and below the characters.
int overhang(const Mask& mask, Rect interior, Rect band, const Blob& blob) {
  return rows_inked(mask, blob.x0, blob.x1, interior.y0, band.y0) + rows_inked(mask, blob.x0, blob.x1, band.y1, interior.y1);
}

// Step 6. Runs of columns with at least kMinColumnInk ink pixels in the band,
// keeping those whose ink spans at least kMinBlobHeight of the band's height, and
// dropping the remains of a border side: a first or last run narrower than
// kEdgeSliver band heights that touches the band's end.
std::vector<Blob> column_blobs(const Mask& mask, Rect band) {
  std::vector<Blob> blobs;
  const int band_height = band.y1 - band.y0;
  int start = -1;
  for (int x = band.x0; x <= band.x1; ++x) {
    const bool inked = x < band.x1 && column_ink(mask, x, band.y0, band.y1) >= kMinColumnInk;
    if (inked && start < 0) start = x;
    if (!inked && start >= 0) {
      int top = 0, bottom = 0;
      ink_rows(mask, band, start, x, &top, &bottom);
      if (bottom - top >= kMinBlobHeight * band_height) blobs.push_back({start, x});
      start = -1;
    }
  }
  auto is_sliver = [&](const Blob& b) {
    return b.width() < kEdgeSliver * band_height && (b.x0 == band.x0 || b.x1 == band.x1);
  };
  if (!blobs.empty() && is_sliver(blobs.back())) blobs.pop_back();
  if (!blobs.empty() && is_sliver(blobs.front())) blobs.erase(blobs.begin());
  return blobs;
}

// `blob` (the first when from_left, else the last) without its outer columns whose
// ink, in a window of kLineColumnWindow columns from there inwards (a leaning side
// crosses a few), runs on at least kTrimOverhang band heights past the band: a
// border side joined to the character next to it.
Blob trim_border_side(const Mask& mask, Rect interior, Rect band, Blob blob, bool from_left) {
  const double least = kTrimOverhang * (band.y1 - band.y0);
  while (blob.width() > 1) {
    const int x = from_left ? blob.x0 : blob.x1 - 1;
    const Blob window = from_left ? Blob{x, std::min(x + kLineColumnWindow, blob.x1)}
                                  : Blob{std::max(x - kLineColumnWindow + 1, blob.x0), x + 1};
    if (overhang(mask, interior, band, window) < least) break;
    if (from_left) ++blob.x0;
    else --blob.x1;
  }
  return blob;
}

// The lower median of the blobs' widths (>= 1).
int median_width(const std::vector<Blob>& blobs) {
  std::vector<int> widths;
  for (const Blob& b : blobs) widths.push_back(b.width());
  std::sort(widths.begin(), widths.end());
  return widths.empty() ? 1 : std::max(1, widths[(widths.size() - 1) / 2]);
}

// `blob` cut into `parts` at the least inked column within kSplitSearch part widths
// of each even cut (ties: the column nearest the even cut). REQUIRES: 2 <= parts <=
// blob.width(); every piece is at least one column wide.
std::vector<Blob> split_blob(const Mask& mask, Rect band, Blob blob, int parts) {
  std::vector<Blob> out;
  const double part = static_cast<double>(blob.width()) / parts;
  int left = blob.x0;
  for (int k = 1; k < parts; ++k) {
    const double even = blob.x0 + k * part;
    const int lowest = left + 1, highest = blob.x1 - (parts - k);  // room for the pieces still to cut
    const int from = std::max(lowest, static_cast<int>(std::ceil(even - kSplitSearch * part)));
    const int to = std::min(highest, static_cast<int>(std::floor(even + kSplitSearch * part)));
    int cut = std::clamp(static_cast<int>(std::lround(even)), lowest, highest);
    int least = column_ink(mask, cut, band.y0, band.y1);
    for (int x = from; x <= to; ++x) {
      const int ink = column_ink(mask, x, band.y0, band.y1);
      if (ink < least || (ink == least && std::abs(x - even) < std::abs(cut - even))) cut = x, least = ink;
    }
    out.push_back({left, cut});
    left = cut;
  }
  out.push_back({left, blob.x1});
  return out;
}

// Step 7. Merges or splits blobs until there are `expected`, in this order:
//   a. with too many, a first or last blob narrower than kEdgeSliver band heights
//      whose ink runs on past the band (a border side; a "J" is kept when the count
//      is right) is dropped, the one running further first;
//   b. with too many, the adjacent pair whose union is narrowest is merged while
//      that union is at most kMaxMergedWidth median widths (broken characters);
//   c. a first or last blob kTrimWidth medians wide loses its outer columns that
//      run on past the band (trim_border_side: a border side joined to it), and
//      `interior` ends there;
//   d. with too few, the widest blob is split into round(width / median) parts (at
//      least 2, at most what is missing + 1) while it is at least kMinSplitWidth
//      medians wide (touching characters);
//   e. no blob may end wider than kMaxCharWidth medians.
// The median is the lower median of the widths after a. Returns false with `why`
// set ("found N character columns, expected M (...)") when that cannot reach
// `expected` plausibly.
bool resolve_count(const Mask& mask, Rect* interior, Rect band, int expected, std::vector<Blob>* blobs,
                   std::string* why) {
  const int found = static_cast<int>(blobs->size());
  const std::string count_failure =
      "found " + std::to_string(found) + " character columns, expected " + std::to_string(expected);
  if (found == 0) {
    *why = count_failure;
    return false;
  }
  const int band_height = band.y1 - band.y0;
  while (static_cast<int>(blobs->size()) > expected && blobs->size() >= 2) {
    const int first = blobs->front().width() < kEdgeSliver * band_height ? overhang(mask, *interior, band, blobs->front()) : 0;
    const int last = blobs->back().width() < kEdgeSliver * band_height ? overhang(mask, *interior, band, blobs->back()) : 0;
    if (first == 0 && last == 0) break;
    if (last >= first) blobs->pop_back();
    else blobs->erase(blobs->begin());
  }
  const int median = median_width(*blobs);
  while (static_cast<int>(blobs->size()) > expected) {
    std::size_t best = 0;
    for (std::size_t i = 1; i + 1 < blobs->size(); ++i)
      if ((*blobs)[i + 1].x1 - (*blobs)[i].x0 < (*blobs)[best + 1].x1 - (*blobs)[best].x0) best = i;
    const Blob merged{(*blobs)[best].x0, (*blobs)[best + 1].x1};
    if (merged.width() > kMaxMergedWidth * median) {
      *why = count_failure + " (too many to be broken characters)";
      return false;
    }
    (*blobs)[best] = merged;
    blobs->erase(blobs->begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  if (blobs->front().width() >= kTrimWidth * median) {
    blobs->front() = trim_border_side(mask, *interior, band, blobs->front(), true);
    interior->x0 = std::max(interior->x0, blobs->front().x0);  // what was cut off is border
  }
  if (blobs->back().width() >= kTrimWidth * median) {
    blobs->back() = trim_border_side(mask, *interior, band, blobs->back(), false);
    interior->x1 = std::min(interior->x1, blobs->back().x1);
  }
  while (static_cast<int>(blobs->size()) < expected) {
    auto widest = std::max_element(blobs->begin(), blobs->end(),
                                   [](const Blob& a, const Blob& b) { return a.width() < b.width(); });
    if (widest->width() < kMinSplitWidth * median || widest->width() < 2) {
      *why = count_failure + " (none wide enough to be touching characters)";
      return false;
    }
    const int missing = expected - static_cast<int>(blobs->size());
    const int parts = std::clamp(static_cast<int>(std::lround(static_cast<double>(widest->width()) / median)), 2,
                                 std::min(missing + 1, widest->width()));
    const std::vector<Blob> pieces = split_blob(mask, band, *widest, parts);
    const auto at = blobs->erase(widest);
    blobs->insert(at, pieces.begin(), pieces.end());
  }
  const int final_median = median_width(*blobs);
  for (std::size_t i = 0; i < blobs->size(); ++i) {
    if ((*blobs)[i].width() > kMaxCharWidth * final_median) {
      *why = count_failure + " (character " + std::to_string(i + 1) + " is " + std::to_string((*blobs)[i].width()) +
             " px wide, the median is " + std::to_string(final_median) + " px)";
      return false;
    }
  }
  return true;
}

// Step 8a. The box of character `i`: its ink in the band and the ink 8-connected
// to it above and below the band (at most kMaxOverhang band heights, in its columns
// widened by kBoxReach but not into a neighbour's), so that a "Q" keeps its tail and
// a "J" its hook. Empty when the blob has no ink.

}  // namespace tinymlops::plate_segment
