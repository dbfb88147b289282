// Seeded degradations that turn a clean rendered plate (plate_render.h) into
// something like a camera crop of a real one, with one strength knob.
//
//   Rng rng(42);
//   GrayImage photo = degrade(clean_plate, 0.5, rng);   // 0 = untouched .. 1 = heavy
//
// degrade() draws a DegradeParams (draw_degrade_params) and applies it, in the
// order light meets a plate: dirt on the plate (occlude), the camera's view
// (warp_image), illumination (adjust_levels), optics (blur_binomial), sensor
// noise (add_gaussian_noise). Each step is public for tests and other uses.
//
// Ranges at strength s (each parameter is drawn uniformly in its range):
//   rotation      about the centre, |angle| <= 70 s milliradians (4.0 degrees at s = 1)
//   shear         horizontal, x shifted by k (y - centre), |k| <= 0.12 s
//   perspective   one side seen nearer: |p| <= 0.10 s, that side up to 1 + p larger
//   zoom          1 - 0.08 s .. 1 + 0.04 s: zoomed out, the surroundings (a uniform
//                 grey 0..255) show at the edges; zoomed in, the border is cut
//   translation   |dx| <= 3 s px, |dy| <= 2 s px (the crop margin's position)
//   blur          0 .. round(3 s) passes of the binomial [1 2 1] filter in x and y
//                 (Gaussian-like, sigma = sqrt(passes / 2) px: up to 1.22 px)
//   contrast      grey levels squeezed towards 128 by a factor 1 - 0.6 s .. 1
//   brightness    +-50 s grey levels; with probability 0.25 (s > 0) a dark plate
//                 (shadow, night) instead: -40 s .. -100 s
//   noise         additive Gaussian, sigma 0 .. 16 s grey levels, clamped to 0..255
//   occlusion     with probability 0.6 s one occluder, a dirt blob (an ellipse, radii
//                 2 .. 2 + 2 s px) or a bar (1..2 px thick, 6 .. 6 + 12 s px long, any
//                 angle), dark (30..90) or light (200..250), 50..90% opaque, placed
//                 over the middle half of the rows: it covers parts of one to three
//                 characters, never a whole character.
// The default strength of `tinymlops ocr make-data` is 0.5: visibly degraded
// but every plate stays readable by a person.
//
// Determinism: every parameter is an integer drawn with Rng::below, and the
// pixel arithmetic is integer fixed point (Q16 coordinates, 8-bit bilinear
// weights), so the same image, strength and Rng state give the same bytes on
// every build, whatever the compiler does with floating point.
#pragma once

#include "tinymlops/core/rng.h"
#include "plate_ocr/image.h"

namespace tinymlops {

// The camera's view: an inverse map from each output pixel to the source, about
// the image centre, sampled bilinearly. All zero (and zoom 1000) is the identity.
struct Warp {
  int rotation_millirad = 0;    // angle in milliradians (positive: content turned clockwise), |.| <= 1500
  int shear_permille = 0;       // k x 1000
  int perspective_permille = 0; // p x 1000 (positive: the right side larger)
  int zoom_permille = 1000;     // content scale x 1000 (> 0)
  int shift_x_tenths = 0;       // content shift, tenths of a pixel
  int shift_y_tenths = 0;
  int surround_grey = 128;      // what shows where the view leaves the source image
};

struct Occluder {
  enum class Kind { kNone, kBlob, kBar };
  Kind kind = Kind::kNone;
  int x = 0, y = 0;             // blob centre or bar start, px
  int radius_x = 0, radius_y = 0;  // blob radii, px
  int end_x = 0, end_y = 0;     // bar end, px
  int thickness = 0;            // bar thickness, px
  int grey = 0;                 // its colour
  int opacity_permille = 0;     // 0 transparent .. 1000 opaque
};

// One drawn degradation (see the ranges above).
struct DegradeParams {
  Warp warp;
  int blur_passes = 0;
  int contrast_permille = 1000;
  int brightness = 0;
  int noise_sigma_tenths = 0;   // sigma in tenths of a grey level
  Occluder occluder;
};

// Draws the parameters for an image of `width` x `height` at `strength`.
// Throws Error(kInvalid) when strength is outside 0..1. Strength 0 draws the
// identity (and still consumes the same number of draws).
DegradeParams draw_degrade_params(double strength, int width, int height, Rng& rng);

// Applies `params` in the order of the overview; the noise draws from `rng`.
GrayImage apply_degradation(const GrayImage& image, const DegradeParams& params, Rng& rng);

// draw_degrade_params + apply_degradation. Strength 0 returns `image` unchanged.
GrayImage degrade(const GrayImage& image, double strength, Rng& rng);

// The steps. Each returns a new image of the same size.
GrayImage warp_image(const GrayImage& image, const Warp& warp);
// `passes` >= 0 passes of [1 2 1] / 4 horizontally and vertically, edges replicated.
GrayImage blur_binomial(const GrayImage& image, int passes);
// v -> 128 + (v - 128) * contrast / 1000 + brightness, clamped to 0..255.
GrayImage adjust_levels(const GrayImage& image, int contrast_permille, int brightness);
// v + round(sigma * N(0, 1)), clamped; one rng.normal() per pixel, row-major.
GrayImage add_gaussian_noise(const GrayImage& image, int sigma_tenths, Rng& rng);
// The occluder blended over the image (edges anti-aliased by 4x4 supersampling).
GrayImage occlude(const GrayImage& image, const Occluder& occluder);

}  // namespace tinymlops
