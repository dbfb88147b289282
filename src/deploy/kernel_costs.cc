#include "tinymlops/deploy/kernel_costs.h"

#include <string>
#include <vector>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {

namespace {

struct MeasuredCost {
  CostTable table;
  const char* kernel;
  double per_mac, per_value;
};

// Printed by bench/kernel_costs on 2026-12-07 (simavr ATmega328P at -Os,
// QEMU mps2-an386 Cortex-M4 at -O2); the comment is the fit's worst relative
// error on one step and the number of steps measured. The worst fits are on
// steps of a few hundred units, where a fixed cost per call is spread over
// few values.
const std::vector<MeasuredCost> kMeasuredCosts = {
  {CostTable::kAvr, "input", 0.00, 611.87},  // 115%; 28
  {CostTable::kAvr, "output", 0.00, 28.45},  // 1%; 28
  {CostTable::kAvr, "tml_activation_f32", 0.00, 3002.54},  // 0%; 3
  {CostTable::kAvr, "tml_avg_pool_f32", 0.00, 1098.44},  // 0%; 3
  {CostTable::kAvr, "tml_avg_pool_s16", 0.00, 1259.17},  // 0%; 1
  {CostTable::kAvr, "tml_avg_pool_s8", 0.00, 1234.04},  // 1%; 4
  {CostTable::kAvr, "tml_conv2d_codebook_s8", 584.45, 0.00},  // 11%; 4
  {CostTable::kAvr, "tml_conv2d_f16w", 759.34, 228.44},  // 0%; 2
  {CostTable::kAvr, "tml_conv2d_f32", 499.14, 0.00},  // 10%; 2
  {CostTable::kAvr, "tml_conv2d_s16", 538.27, 998.06},  // 10%; 3
  {CostTable::kAvr, "tml_conv2d_s4", 593.06, 0.00},  // 10%; 3
  {CostTable::kAvr, "tml_conv2d_s8", 449.59, 315.64},  // 11%; 4
  {CostTable::kAvr, "tml_conv2d_sparse_s8", 594.91, 0.00},  // 0%; 1
  {CostTable::kAvr, "tml_conv2d_w8", 565.80, 58.53},  // 0%; 2
  {CostTable::kAvr, "tml_depthwise_conv2d_codebook_s8", 554.17, 0.00},  // 9%; 3
  {CostTable::kAvr, "tml_depthwise_conv2d_f16w", 501.95, 1727.45},  // 0%; 2
  {CostTable::kAvr, "tml_depthwise_conv2d_f32", 287.56, 1209.66},  // 0%; 2
  {CostTable::kAvr, "tml_depthwise_conv2d_s16", 268.77, 2693.39},  // 5%; 3
  {CostTable::kAvr, "tml_depthwise_conv2d_s4", 348.87, 1998.78},  // 7%; 3
  {CostTable::kAvr, "tml_depthwise_conv2d_s8", 275.45, 1816.52},  // 7%; 6
  {CostTable::kAvr, "tml_depthwise_conv2d_w8", 320.87, 1463.26},  // 0%; 2
  {CostTable::kAvr, "tml_dequantize_s16", 0.00, 225.39},  // 3%; 4
  {CostTable::kAvr, "tml_dequantize_s8", 0.00, 255.64},  // 8%; 16
  {CostTable::kAvr, "tml_fully_connected_codebook_s8", 132.10, 1156.05},  // 1%; 8
  {CostTable::kAvr, "tml_fully_connected_f16w", 625.51, 73.09},  // 5%; 7
  {CostTable::kAvr, "tml_fully_connected_f32", 216.09, 662.61},  // 20%; 4
  {CostTable::kAvr, "tml_fully_connected_s16", 118.47, 1803.40},  // 2%; 8
  {CostTable::kAvr, "tml_fully_connected_s4", 147.48, 1136.26},  // 3%; 8
  {CostTable::kAvr, "tml_fully_connected_s8_avr", 15.75, 593.52},  // 5%; 10
  {CostTable::kAvr, "tml_fully_connected_sparse_s8", 85.42, 2513.16},  // 48%; 6
  {CostTable::kAvr, "tml_fully_connected_w8", 348.32, 264.68},  // 10%; 7
  {CostTable::kAvr, "tml_lookup_s16", 0.00, 288.50},  // 0%; 1
  {CostTable::kAvr, "tml_lookup_s8", 0.00, 28.00},  // 0%; 4
  {CostTable::kAvr, "tml_max_pool_f32", 0.00, 853.67},  // 0%; 3
  {CostTable::kAvr, "tml_max_pool_s16", 0.00, 445.87},  // 1%; 2
  {CostTable::kAvr, "tml_max_pool_s8", 0.00, 400.53},  // 1%; 8
  {CostTable::kAvr, "tml_quantize_s16", 0.00, 719.12},  // 7%; 4
  {CostTable::kAvr, "tml_quantize_s8", 0.00, 668.96},  // 6%; 16
  {CostTable::kAvr, "tml_softmax_f32", 0.00, 4094.72},  // 10%; 28
  {CostTable::kCortexM4, "input", 0.00, 14.98},  // 85%; 36
  {CostTable::kCortexM4, "output", 0.00, 1.03},  // 414%; 36
  {CostTable::kCortexM4, "tml_activation_f32", 0.00, 99.21},  // 0%; 3
  {CostTable::kCortexM4, "tml_avg_pool_f32", 0.00, 12.33},  // 6%; 3
  {CostTable::kCortexM4, "tml_avg_pool_s16", 0.00, 14.17},  // 0%; 1
  {CostTable::kCortexM4, "tml_avg_pool_s8", 0.00, 16.40},  // 7%; 5
  {CostTable::kCortexM4, "tml_conv2d_codebook_s8", 25.47, 0.00},  // 14%; 4
  {CostTable::kCortexM4, "tml_conv2d_f16w", 19.38, 82.50},  // 39%; 3
  {CostTable::kCortexM4, "tml_conv2d_f32", 6.48, 69.03},  // 54%; 3
  {CostTable::kCortexM4, "tml_conv2d_s16", 6.20, 128.38},  // 49%; 3
  {CostTable::kCortexM4, "tml_conv2d_s4", 11.89, 157.14},  // 41%; 3
  {CostTable::kCortexM4, "tml_conv2d_s8", 4.47, 141.46},  // 49%; 3
  {CostTable::kCortexM4, "tml_conv2d_s8_dsp", 0.08, 65.21},  // 36%; 4
  {CostTable::kCortexM4, "tml_conv2d_sparse_s8", 29.08, 0.00},  // 0%; 1
  {CostTable::kCortexM4, "tml_conv2d_w8", 8.06, 80.61},  // 52%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_codebook_s8", 26.27, 0.00},  // 17%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_f16w", 15.81, 130.93},  // 18%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_f32", 6.67, 116.85},  // 45%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_s16", 3.21, 191.81},  // 51%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_s4", 9.82, 207.66},  // 35%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_s8", 3.28, 186.98},  // 53%; 3
  {CostTable::kCortexM4, "tml_depthwise_conv2d_s8_dsp", 3.55, 46.72},  // 50%; 6
  {CostTable::kCortexM4, "tml_depthwise_conv2d_w8", 8.24, 121.71},  // 36%; 3
  {CostTable::kCortexM4, "tml_dequantize_s16", 0.00, 7.64},  // 39%; 4
  {CostTable::kCortexM4, "tml_dequantize_s8", 0.00, 8.50},  // 24%; 20
  {CostTable::kCortexM4, "tml_fully_connected_codebook_s8", 12.94, 67.04},  // 1%; 8
  {CostTable::kCortexM4, "tml_fully_connected_f16w", 16.85, 24.08},  // 6%; 8
  {CostTable::kCortexM4, "tml_fully_connected_f32", 5.96, 14.86},  // 6%; 8
  {CostTable::kCortexM4, "tml_fully_connected_s16", 4.93, 83.09},  // 5%; 8
  {CostTable::kCortexM4, "tml_fully_connected_s4", 14.93, 65.43},  // 5%; 8
  {CostTable::kCortexM4, "tml_fully_connected_s8", 5.93, 64.23},  // 6%; 8
  {CostTable::kCortexM4, "tml_fully_connected_s8_dsp", 1.43, 33.44},  // 41%; 10
  {CostTable::kCortexM4, "tml_fully_connected_sparse_s8", 10.09, 115.01},  // 27%; 6
  {CostTable::kCortexM4, "tml_fully_connected_w8", 7.97, 19.39},  // 3%; 8
  {CostTable::kCortexM4, "tml_lookup_s16", 0.00, 16.25},  // 0%; 1
  {CostTable::kCortexM4, "tml_lookup_s8", 0.00, 3.90},  // 42%; 5
  {CostTable::kCortexM4, "tml_max_pool_f32", 0.00, 39.11},  // 6%; 6
  {CostTable::kCortexM4, "tml_max_pool_s16", 0.00, 33.81},  // 0%; 2
  {CostTable::kCortexM4, "tml_max_pool_s8", 0.00, 18.19},  // 3%; 2
  {CostTable::kCortexM4, "tml_max_pool_s8_dsp", 0.00, 4.69},  // 7%; 8
  {CostTable::kCortexM4, "tml_quantize_s16", 0.00, 29.17},  // 5%; 4
  {CostTable::kCortexM4, "tml_quantize_s8", 0.00, 29.58},  // 8%; 20
  {CostTable::kCortexM4, "tml_softmax_f32", 0.00, 66.75},  // 7%; 36
};

CostTable table_of(const Device& device) { return device.arch == "avr" ? CostTable::kAvr : CostTable::kCortexM4; }

// True when a board with `features` runs `entry` for its op and dtypes.
bool selectable(const KernelEntry& entry, uint32_t features) {
  return find_kernel(entry.op, entry.input, entry.weights, entry.output, features) == &entry;
}

KernelCost cost_or_throw(CostTable table, std::string_view kernel) {
  const std::optional<KernelCost> cost = measured_kernel_cost(table, kernel);
  if (!cost) {
    throw Error(ErrorKind::kInvalid, std::string(kernel),
                std::string("no measured cost on ") + (table == CostTable::kAvr ? "avr" : "cortex-m4") +
                    " (run bench/kernel_costs)");
  }
  return *cost;
}

}  // namespace

std::optional<KernelCost> measured_kernel_cost(CostTable table, std::string_view kernel) {
  for (const MeasuredCost& m : kMeasuredCosts) {
    if (m.table == table && kernel == m.kernel) return KernelCost{m.per_mac, m.per_value};
  }
  return std::nullopt;
}

double estimate_cycles(const DeployModel& model, const Device& device) {
  const CostTable table = table_of(device);
  // Software floating point on a 32-bit core without an FPU (the AVR figures
  // were measured so already).
  const double float_factor = table == CostTable::kCortexM4 && !device.fpu ? kSoftFloatFactor : 1;
  const KernelCost input = cost_or_throw(table, "input");
  const KernelCost output = cost_or_throw(table, "output");
  double cycles = float_factor * input.per_value * static_cast<double>(model.input_size()) +
                  output.per_value * static_cast<double>(model.output_size());
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const DeployOp& op = model.ops[i];
    const KernelEntry& entry = select_kernel(model, op, device.kernel_features);
    const KernelCost cost = cost_or_throw(table, entry.function);
    const bool float_kernel = entry.input == DType::kFloat32 || entry.output == DType::kFloat32;
    const double values = static_cast<double>(model.tensors[static_cast<size_t>(op.output)].size());
    cycles += (float_kernel ? float_factor : 1) *
              (cost.per_mac * static_cast<double>(model.op_macs(i)) + cost.per_value * values);
  }
  return cycles;
}

void check_kernel_costs() {
  for (const Device& device : device_catalogue()) {
    const CostTable table = table_of(device);
    for (const KernelEntry& entry : kernel_table()) {
      if (selectable(entry, device.kernel_features)) cost_or_throw(table, entry.function);
    }
    cost_or_throw(table, "input");
    cost_or_throw(table, "output");
  }
}

}  // namespace tinymlops
