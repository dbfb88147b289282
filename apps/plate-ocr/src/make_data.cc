#include "plate_ocr/make_data.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/rng.h"
#include "plate_ocr/degrade.h"
#include "plate_ocr/plate_render.h"
#include "plate_ocr/png.h"

namespace fs = std::filesystem;

namespace tinymlops {

namespace {

constexpr char kCsvHeader[] = "file,text,format";
constexpr char kPartialMarker[] = ".make-data-partial";

void check_options(const PlateSetOptions& o) {
  if (o.out.empty()) throw Error(ErrorKind::kUsage, "--out", "the output directory is required");
  if (o.plates < 1 || o.plates > 1000000) {
    throw Error(ErrorKind::kUsage, "--plates", std::to_string(o.plates) + " is not in 1..1000000");
  }
  if (!(o.mercosul_fraction >= 0.0 && o.mercosul_fraction <= 1.0)) {
    throw Error(ErrorKind::kUsage, "--mercosul", std::to_string(o.mercosul_fraction) + " is not a fraction in 0..1");
  }
  if (!(o.degradation >= 0.0 && o.degradation <= 1.0)) {
    throw Error(ErrorKind::kUsage, "--degradation", std::to_string(o.degradation) + " is not a strength in 0..1");
  }
  if (o.sheet_plates < 1) throw Error(ErrorKind::kUsage, "--sheet-plates", std::to_string(o.sheet_plates) + " is not >= 1");
}

// OUT without a trailing slash; refuses ".", ".." and "/".
fs::path normalized_out(const fs::path& out) {
  fs::path path = out.lexically_normal();
  if (!path.has_filename() && path.has_parent_path() && path != path.root_path()) path = path.parent_path();
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") {
    throw Error(ErrorKind::kUsage, "--out", "'" + out.string() + "' does not name a directory to create (e.g. data/plates)");
  }
  return path;
}

fs::path sibling(const fs::path& out, const std::string& suffix) {
  return out.parent_path() / ("." + out.filename().string() + suffix);
}

// Removes `path` when it is our own leftover (has the marker or is a plates
// set); refuses anything else.
void remove_leftover(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return;
  if (fs::is_directory(path, ec) && (fs::exists(path / kPartialMarker, ec) || is_plate_set(path))) {
    fs::remove_all(path, ec);
    if (ec) throw Error(ErrorKind::kIo, path.string(), "cannot remove the leftover of an earlier run: " + ec.message());
    return;
  }
  throw Error(ErrorKind::kInvalid, path.string(),
              "exists and was not made by `ocr make-data`: refusing to touch it (remove it or choose another --out)");
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw Error(ErrorKind::kIo, from.string(), "cannot rename to " + to.string() + ": " + ec.message());
}

// fsync of a directory, so renames in it survive a crash.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw Error(ErrorKind::kIo, dir.string(), "cannot open the directory to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error(ErrorKind::kIo, dir.string(), "cannot sync the directory");
}

// Writes a file inside the partial set. Not atomic on its own: the set becomes
// visible only by the directory rename after sync_filesystem.
void write_plain(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(ErrorKind::kIo, path.string(), "cannot write the file");
}

// Flushes every file of the filesystem holding `dir` to disk (one syncfs rather
// than an fsync per plate).
void sync_filesystem(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw Error(ErrorKind::kIo, dir.string(), "cannot open the directory to sync it");
  const int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) throw Error(ErrorKind::kIo, dir.string(), "cannot sync the written plates to disk");
}

std::string plate_file(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "plates/%06d.pgm", index);
  return name;
}

// Renders and writes the plates and plates.csv into `partial` (invariants 1
// and 2 of the header), counting formats into `summary`.
void write_plates(const fs::path& partial, const PlateSetOptions& options, PlateRenderer& renderer,
                  PlateSetSummary& summary, std::vector<GrayImage>& sheet_images, Progress* progress) {
  std::error_code ec;
  fs::create_directories(partial / "plates", ec);
  if (ec) throw Error(ErrorKind::kIo, partial.string(), "cannot create the directory: " + ec.message());
  write_plain(partial / kPartialMarker, "an interrupted `tinymlops ocr make-data` run; safe to delete\n");

  const auto& formats = brazilian_plate_formats();
  const std::uint64_t mercosul_per_million = static_cast<std::uint64_t>(std::llround(options.mercosul_fraction * 1e6));
  std::string csv = std::string(kCsvHeader) + "\n";
  Rng master(options.seed);
  for (int i = 0; i < options.plates; ++i) {
    Rng rng = master.split();
    const bool mercosul = rng.below(1000000) < mercosul_per_million;
    const PlateFormat& format = formats[mercosul ? 1 : 0];
    const std::string text = random_plate_text(format, rng);
    const GrayImage clean = renderer.render(text, format, rng).image;
    const GrayImage plate = degrade(clean, options.degradation, rng);
    const std::string file = plate_file(i);
    write_plain(partial / file, encode_pgm(plate));
    csv += file + "," + text + "," + format.name + "\n";
    (mercosul ? summary.mercosul : summary.old) += 1;
    if (!options.sheet.empty() && static_cast<int>(sheet_images.size()) < options.sheet_plates) sheet_images.push_back(plate);
    if (progress != nullptr) progress->update(i + 1, options.plates, "plates", {});
  }
  write_plain(partial / "plates.csv", csv);
  fs::remove(partial / kPartialMarker, ec);
  sync_filesystem(partial);
}

}  // namespace

bool is_plate_set(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec) || !fs::is_regular_file(dir / "plates.csv", ec)) return false;
  std::ifstream in(dir / "plates.csv");
  std::string first;
  std::getline(in, first);
  if (!first.empty() && first.back() == '\r') first.pop_back();
  return first == kCsvHeader;
}

PlateSetSummary make_plate_set(const PlateSetOptions& options, Progress* progress) {
  check_options(options);
  const fs::path out = normalized_out(options.out);
  std::error_code ec;
  const bool out_exists = fs::exists(fs::symlink_status(out, ec));
  if (out_exists && !is_plate_set(out)) {
    throw Error(ErrorKind::kInvalid, out.string(),
                "exists and is not a plates set (no plates.csv with header \"file,text,format\"): refusing to replace "
                "it; remove it or choose another --out");
  }
  // The fonts are opened (and checked) before anything is written.
  PlateRenderOptions render_options;
  render_options.fonts = options.fonts;
  render_options.old_dash = options.old_dash;
  PlateRenderer renderer(render_options);

  if (out.has_parent_path()) {
    fs::create_directories(out.parent_path(), ec);
    if (ec) throw Error(ErrorKind::kIo, out.parent_path().string(), "cannot create the directory: " + ec.message());
  }

  // Leftovers of interrupted runs go first (or the run stops before any work).
  const fs::path partial = sibling(out, ".partial");
  const fs::path replaced = sibling(out, ".replaced");
  remove_leftover(partial);
  remove_leftover(replaced);

  PlateSetSummary summary;
  summary.dir = out;
  std::vector<GrayImage> sheet_images;
  try {
    write_plates(partial, options, renderer, summary, sheet_images, progress);
  } catch (...) {
    fs::remove_all(partial, ec);  // ours: it has the marker
    throw;
  }

  // Into place (invariant 3 of the header).
  if (out_exists) {
    rename_or_throw(out, replaced);
    rename_or_throw(partial, out);
    fs::remove_all(replaced, ec);
    summary.replaced = true;
  } else {
    rename_or_throw(partial, out);
  }
  sync_directory(out.parent_path());
  summary.plates = options.plates;
  if (!options.sheet.empty()) {
    if (options.sheet.has_parent_path()) fs::create_directories(options.sheet.parent_path(), ec);
    write_png(options.sheet, contact_sheet(sheet_images, 4, 2, 4));
    summary.sheet = options.sheet;
  }
  if (progress != nullptr) {
    progress->event("plates", {{"plates", summary.plates}, {"mercosul", summary.mercosul}, {"old", summary.old}});
  }
  return summary;
}

}  // namespace tinymlops
