// tinymlops ocr crops (the character-crops training CSV) and ocr segment (one
// plate cut into crops, for looking at the segmenter).
#include <cstdio>
#include <filesystem>

#include "ocr_commands.h"
#include "tinymlops/core/error.h"
#include "plate_ocr/char_crops.h"
#include "plate_ocr/segment.h"

namespace tinymlops::cli {

namespace {

struct CropsFlags {
  std::string plates_dir;
  std::string out;
  CharCropsOptions options;
  std::string digits;
  bool json = false;
  ProgressFlags progress;
};

struct SegmentFlags {
  std::string image;
  std::string out;
  SegmentOptions options;
};

void print_crops_report(const CharCropsReport& r, const CropsFlags& flags) {
  if (flags.json) {
    nlohmann::ordered_json j;
    j["plates"] = r.plates;
    j["segmented"] = r.segmented;
    j["failures"] = r.failures;
    j["crops"] = r.crops;
    j["digit_rows"] = r.digit_rows;
    j["rows"] = r.crops + r.digit_rows;
    j["failure_examples"] = r.failure_examples;
    j["out"] = flags.out;
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("segmented %ld of %ld plates (%ld failed, %.1f%%): %ld character crops\n", r.segmented, r.plates,
              r.failures, r.plates ? 100.0 * static_cast<double>(r.failures) / static_cast<double>(r.plates) : 0.0,
              r.crops);
  for (const std::string& example : r.failure_examples) std::printf("  failed: %s\n", example.c_str());
  if (!flags.digits.empty()) std::printf("added %ld handwritten digits from %s\n", r.digit_rows, flags.digits.c_str());
  std::printf("wrote %s (%ld rows of %dx%d crops)\n", flags.out.c_str(), r.crops + r.digit_rows,
              flags.options.segment.crop_width, flags.options.segment.crop_height);
}

void add_crops(CLI::App& ocr) {
  auto flags = std::make_shared<CropsFlags>();
  CLI::App* command = ocr.add_subcommand("crops", "cut every plate of a plates set into character crops: a training CSV");
  command->footer("Example:\n  tinymlops ocr crops --plates data/plates --out data/chars.csv "
                  "--digits examples/data/digits.csv --digits-label digit");
  command->add_option("--plates", flags->plates_dir, "plates set: a directory with plates.csv and its PGM images")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--out", flags->out, "the crops CSV to write (p0..pN,char)")->required();
  command->add_option("--width", flags->options.segment.crop_width, "crop width in pixels")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  command->add_option("--height", flags->options.segment.crop_height, "crop height in pixels")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  command->add_option("--digits", flags->digits, "also add the handwritten digits of this CSV (8x8, 0..16)")
      ->check(CLI::ExistingFile);
  command->add_option("--digits-label", flags->options.digits_label, "label column of the digits CSV")
      ->capture_default_str();
  command->add_flag("--json", flags->json, "print the report as JSON on stdout");
  flags->progress.add_to(*command);
  command->callback([flags] {
    flags->options.digits_csv = flags->digits;
    auto progress = flags->progress.make();
    const CharCropsReport report = write_char_crops(flags->plates_dir, flags->out, flags->options, progress.get());
    print_crops_report(report, *flags);
  });
}

void add_segment(CLI::App& ocr) {
  auto flags = std::make_shared<SegmentFlags>();
  CLI::App* command = ocr.add_subcommand("segment", "cut one plate image into character crops (to inspect the segmenter)");
  command->footer("Writes DIR/char1.pgm.. and DIR/boxes.pgm (the plate with the boxes drawn). Example:\n"
                  "  tinymlops ocr segment data/plates/plates/000001.pgm --out seg");
  command->add_option("image", flags->image, "plate image (binary PGM)")->required()->check(CLI::ExistingFile);
  command->add_option("--out", flags->out, "directory for the crops (created)");
  command->add_option("--chars", flags->options.expected_chars, "characters on the plate")->capture_default_str()->check(CLI::Range(1, 32));
  command->add_option("--width", flags->options.crop_width, "crop width in pixels")->capture_default_str()->check(CLI::Range(1, 256));
  command->add_option("--height", flags->options.crop_height, "crop height in pixels")->capture_default_str()->check(CLI::Range(1, 256));
  command->callback([flags] {
    const GrayImage plate = read_pgm(flags->image);
    const Segmentation cut = segment_plate(plate, flags->options);
    if (!cut.ok) throw Error(ErrorKind::kInvalid, flags->image, "segmentation failed: " + cut.failure);
    std::printf("%zu characters (skew %.1f degrees%s)\n", cut.boxes.size(), cut.skew_degrees,
                cut.inverted ? ", light on dark" : "");
    for (std::size_t i = 0; i < cut.boxes.size(); ++i) {
      const Box& b = cut.boxes[i];
      std::printf("  %zu: x=%d y=%d w=%d h=%d\n", i + 1, b.x, b.y, b.width, b.height);
    }
    if (flags->out.empty()) return;
    std::filesystem::create_directories(flags->out);
    for (std::size_t i = 0; i < cut.crops.size(); ++i) {
      write_pgm(std::filesystem::path(flags->out) / ("char" + std::to_string(i + 1) + ".pgm"), cut.crops[i]);
    }
    write_pgm(std::filesystem::path(flags->out) / "boxes.pgm", draw_boxes(plate, cut.boxes, cut.inverted ? 255 : 0));
    std::printf("wrote %zu crops and boxes.pgm to %s\n", cut.crops.size(), flags->out.c_str());
  });
}

}  // namespace

void add_ocr_crops_command(CLI::App& ocr) {
  add_crops(ocr);
  add_segment(ocr);
}

}  // namespace tinymlops::cli
