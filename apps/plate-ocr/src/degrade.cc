#include "plate_ocr/degrade.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

constexpr std::int64_t kOne = 1 << 16;  // Q16 fixed point

int between(Rng& rng, int low, int high) {
  return low + static_cast<int>(rng.below(static_cast<std::uint64_t>(high - low + 1)));
}
int symmetric(Rng& rng, int max) { return between(rng, -max, max); }
// `range` scaled by the strength in permille, truncated.
int scaled(int range, int strength_permille) { return range * strength_permille / 1000; }

std::uint8_t clamp_grey(std::int64_t v) { return static_cast<std::uint8_t>(std::clamp<std::int64_t>(v, 0, 255)); }

std::int64_t isqrt(std::int64_t n) {
  std::int64_t r = 0;
  while ((r + 1) * (r + 1) <= n) ++r;
  return r;
}

// Floor division by a positive divisor (C++ division truncates towards zero).
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

DegradeParams draw_degrade_params(double strength, int width, int height, Rng& rng) {
  if (!(strength >= 0.0 && strength <= 1.0)) {
    throw Error(ErrorKind::kInvalid, "degradation", "strength " + std::to_string(strength) + " is not in 0..1");
  }
  const int s = static_cast<int>(std::lround(strength * 1000.0));
  DegradeParams p;
  p.warp.rotation_millirad = symmetric(rng, scaled(70, s));
  p.warp.shear_permille = symmetric(rng, scaled(120, s));
  p.warp.perspective_permille = symmetric(rng, scaled(100, s));
  p.warp.zoom_permille = 1000 + between(rng, -scaled(80, s), scaled(40, s));
  p.warp.shift_x_tenths = symmetric(rng, scaled(30, s));
  p.warp.shift_y_tenths = symmetric(rng, scaled(20, s));
  p.warp.surround_grey = between(rng, 0, 255);
  p.blur_passes = between(rng, 0, (3 * s + 500) / 1000);
  p.contrast_permille = 1000 - between(rng, 0, scaled(600, s));
  const bool dark = static_cast<int>(rng.below(1000)) < 250 && s > 0;
  const int dark_brightness = -between(rng, scaled(40, s), scaled(100, s));
  const int brightness = symmetric(rng, scaled(50, s));
  p.brightness = dark ? dark_brightness : brightness;
  p.noise_sigma_tenths = between(rng, 0, scaled(160, s));

  const bool occluded = static_cast<int>(rng.below(1000)) < scaled(600, s);
  const bool blob = rng.below(2) == 0;
  Occluder o;
  o.x = between(rng, width / 12, width - 1 - width / 12);
  o.y = between(rng, height / 4, height - 1 - height / 4);
  o.radius_x = between(rng, 2, 2 + scaled(2, s));
  o.radius_y = between(rng, 2, 2 + scaled(2, s));
  const int length = between(rng, 6, 6 + scaled(12, s));
  int dx = symmetric(rng, 100);
  const int dy = symmetric(rng, 100);
  if (dx == 0 && dy == 0) dx = 100;
  const std::int64_t norm = isqrt(static_cast<std::int64_t>(dx) * dx + static_cast<std::int64_t>(dy) * dy);
  o.end_x = o.x + static_cast<int>(length * dx / norm);
  o.end_y = o.y + static_cast<int>(length * dy / norm);
  o.thickness = between(rng, 1, 2);
  const bool light = rng.below(2) == 0;
  const int light_grey = between(rng, 200, 250);
  const int dark_grey = between(rng, 30, 90);
  o.grey = light ? light_grey : dark_grey;
  o.opacity_permille = between(rng, 500, 900);
  o.kind = !occluded ? Occluder::Kind::kNone : (blob ? Occluder::Kind::kBlob : Occluder::Kind::kBar);
  p.occluder = o;
  return p;
}

GrayImage apply_degradation(const GrayImage& image, const DegradeParams& params, Rng& rng) {
  GrayImage out = occlude(image, params.occluder);
  out = warp_image(out, params.warp);
  out = adjust_levels(out, params.contrast_permille, params.brightness);
  out = blur_binomial(out, params.blur_passes);
  return add_gaussian_noise(out, params.noise_sigma_tenths, rng);
}

GrayImage degrade(const GrayImage& image, double strength, Rng& rng) {
  const DegradeParams params = draw_degrade_params(strength, image.width, image.height, rng);
  if (strength == 0.0) return image;
  return apply_degradation(image, params, rng);
}

GrayImage warp_image(const GrayImage& image, const Warp& warp) {
  if (warp.zoom_permille <= 0) {
    throw Error(ErrorKind::kInvalid, "warp", "zoom " + std::to_string(warp.zoom_permille) + " permille is not positive");
  }
  if (warp.rotation_millirad < -1500 || warp.rotation_millirad > 1500) {
    throw Error(ErrorKind::kInvalid, "warp", "rotation " + std::to_string(warp.rotation_millirad) + " mrad is not within +-1500");
  }
  GrayImage out(image.width, image.height);
  if (image.empty()) return out;
  // Rotation by the half-angle tangent t = angle / 2 (small angles): cos =
  // (1 - t^2) / (1 + t^2), sin = 2t / (1 + t^2), exactly on the unit circle.
  const std::int64_t m = warp.rotation_millirad;
  const std::int64_t cos_q = (4000000 - m * m) * kOne / (4000000 + m * m);
  const std::int64_t sin_q = 4000 * m * kOne / (4000000 + m * m);
  const std::int64_t centre_x = (image.width - 1) * kOne / 2;
  const std::int64_t centre_y = (image.height - 1) * kOne / 2;
  const std::int64_t shift_x = warp.shift_x_tenths * kOne / 10;
  const std::int64_t shift_y = warp.shift_y_tenths * kOne / 10;
  auto sample = [&](int x, int y) -> std::int64_t {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) return warp.surround_grey;
    return image.at(x, y);
  };
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      // Output pixel -> content coordinates about the centre (Q16).
      std::int64_t dx = x * kOne - centre_x - shift_x;
      std::int64_t dy = y * kOne - centre_y - shift_y;
      dx = dx * 1000 / warp.zoom_permille;
      dy = dy * 1000 / warp.zoom_permille;
      std::int64_t rx = (cos_q * dx + sin_q * dy) / kOne;
      const std::int64_t ry = (cos_q * dy - sin_q * dx) / kOne;
      rx += warp.shear_permille * ry / 1000;
      // Perspective: w = 1 + p * rx / (width / 2); where w > 1 the content looks larger.
      const std::int64_t w = kOne + warp.perspective_permille * rx * 2 / (1000 * std::max(1, image.width));
      const std::int64_t u = rx * kOne / w + centre_x;
      const std::int64_t v = ry * kOne / w + centre_y;
      // Bilinear with 8-bit weights.
      const std::int64_t u8 = floor_div(u, 256), v8 = floor_div(v, 256);
      const int x0 = static_cast<int>(floor_div(u8, 256)), y0 = static_cast<int>(floor_div(v8, 256));
      const std::int64_t fx = u8 - static_cast<std::int64_t>(x0) * 256, fy = v8 - static_cast<std::int64_t>(y0) * 256;
      const std::int64_t top = sample(x0, y0) * (256 - fx) + sample(x0 + 1, y0) * fx;
      const std::int64_t bottom = sample(x0, y0 + 1) * (256 - fx) + sample(x0 + 1, y0 + 1) * fx;
      out.at(x, y) = clamp_grey((top * (256 - fy) + bottom * fy + 32768) / 65536);
    }
  }
  return out;
}

GrayImage blur_binomial(const GrayImage& image, int passes) {
  if (passes < 0) throw Error(ErrorKind::kInvalid, "blur", std::to_string(passes) + " passes is negative");
  GrayImage out = image;
  if (image.empty()) return out;
  GrayImage tmp = image;
  for (int pass = 0; pass < passes; ++pass) {
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {
        const int left = out.at(std::max(0, x - 1), y), right = out.at(std::min(out.width - 1, x + 1), y);
        tmp.at(x, y) = static_cast<std::uint8_t>((left + 2 * out.at(x, y) + right + 2) / 4);
      }
    }
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {
        const int up = tmp.at(x, std::max(0, y - 1)), down = tmp.at(x, std::min(out.height - 1, y + 1));
        out.at(x, y) = static_cast<std::uint8_t>((up + 2 * tmp.at(x, y) + down + 2) / 4);
      }
    }
  }
  return out;
}

GrayImage adjust_levels(const GrayImage& image, int contrast_permille, int brightness) {
  GrayImage out = image;
  for (std::uint8_t& v : out.pixels) {
    v = clamp_grey(128 + (static_cast<std::int64_t>(v) - 128) * contrast_permille / 1000 + brightness);
  }
  return out;
}

GrayImage add_gaussian_noise(const GrayImage& image, int sigma_tenths, Rng& rng) {
  if (sigma_tenths < 0) throw Error(ErrorKind::kInvalid, "noise", "sigma " + std::to_string(sigma_tenths) + " is negative");
  GrayImage out = image;
  if (sigma_tenths == 0) return out;
  for (std::uint8_t& v : out.pixels) {
    // N(0, 1) in Q8 (a multiplication by 256 is exact), then scaled in integers.
    const std::int64_t z = std::lround(rng.normal() * 256.0f);
    const std::int64_t scaled_noise = z * sigma_tenths;
    const std::int64_t noise = (scaled_noise >= 0 ? scaled_noise + 1280 : scaled_noise - 1280) / 2560;
    v = clamp_grey(v + noise);
  }
  return out;
}

GrayImage occlude(const GrayImage& image, const Occluder& o) {
  GrayImage out = image;
  if (o.kind == Occluder::Kind::kNone || image.empty()) return out;
  // Geometry in eighths of a pixel; pixel (x, y) has its centre at (8x + 4, 8y + 4)
  // and its 4 x 4 subsamples at 8x + 1, 3, 5, 7.
  const std::int64_t ax = 8 * o.x + 4, ay = 8 * o.y + 4;
  const std::int64_t bx = 8 * o.end_x + 4, by = 8 * o.end_y + 4;
  const std::int64_t rx = 8 * std::max(0, o.radius_x), ry = 8 * std::max(0, o.radius_y);
  const std::int64_t half_thickness = 4 * std::max(0, o.thickness);
  const bool blob = o.kind == Occluder::Kind::kBlob;
  int x_lo, x_hi, y_lo, y_hi;
  if (blob) {
    x_lo = o.x - o.radius_x - 1, x_hi = o.x + o.radius_x + 1;
    y_lo = o.y - o.radius_y - 1, y_hi = o.y + o.radius_y + 1;
  } else {
    x_lo = std::min(o.x, o.end_x) - o.thickness - 1, x_hi = std::max(o.x, o.end_x) + o.thickness + 1;
    y_lo = std::min(o.y, o.end_y) - o.thickness - 1, y_hi = std::max(o.y, o.end_y) + o.thickness + 1;
  }
  const std::int64_t seg_x = bx - ax, seg_y = by - ay;
  const std::int64_t seg_len2 = seg_x * seg_x + seg_y * seg_y;
  auto inside = [&](std::int64_t px, std::int64_t py) {
    if (blob) {
      const std::int64_t ex = px - ax, ey = py - ay;
      return ex * ex * ry * ry + ey * ey * rx * rx <= rx * rx * ry * ry;
    }
    const std::int64_t qx = px - ax, qy = py - ay;
    const std::int64_t dot = qx * seg_x + qy * seg_y;
    const std::int64_t r2 = half_thickness * half_thickness;
    if (dot <= 0 || seg_len2 == 0) return qx * qx + qy * qy <= r2;
    if (dot >= seg_len2) return (px - bx) * (px - bx) + (py - by) * (py - by) <= r2;
    return (qx * qx + qy * qy) * seg_len2 - dot * dot <= r2 * seg_len2;
  };
  const std::int64_t opacity = std::clamp(o.opacity_permille, 0, 1000);
  for (int y = std::max(0, y_lo); y <= std::min(image.height - 1, y_hi); ++y) {
    for (int x = std::max(0, x_lo); x <= std::min(image.width - 1, x_hi); ++x) {
      std::int64_t hits = 0;
      for (int j = 0; j < 4; ++j) {
        for (int i = 0; i < 4; ++i) hits += inside(8 * x + 2 * i + 1, 8 * y + 2 * j + 1) ? 1 : 0;
      }
      if (hits == 0) continue;
      const std::int64_t alpha = opacity * hits;  // of 16000
      out.at(x, y) = clamp_grey((out.at(x, y) * (16000 - alpha) + o.grey * alpha + 8000) / 16000);
    }
  }
  return out;
}

}  // namespace tinymlops
