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

// Printed by bench/kernel_costs on 2026-12-08 (simavr ATmega328P at -Os; QEMU
// mps2-an386 Cortex-M4, microbit Cortex-M0 and virt RV32IMAC at -O2); the
// comment is the fit's worst relative error on one step and the number of
// steps measured. The worst fits are on
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
  {CostTable::kCortexM0, "input", 0.00, 320.80},  // 63%; 32
  {CostTable::kCortexM0, "output", 0.00, 1.58},  // 634%; 32
  {CostTable::kCortexM0, "tml_activation_f32", 0.00, 3906.38},  // 0%; 3
  {CostTable::kCortexM0, "tml_avg_pool_f32", 0.00, 278.56},  // 1%; 3
  {CostTable::kCortexM0, "tml_avg_pool_s16", 0.00, 18.83},  // 0%; 1
  {CostTable::kCortexM0, "tml_avg_pool_s8", 0.00, 24.00},  // 3%; 4
  {CostTable::kCortexM0, "tml_conv2d_codebook_s8", 43.54, 0.00},  // 12%; 4
  {CostTable::kCortexM0, "tml_conv2d_f16w", 218.38, 96.40},  // 2%; 3
  {CostTable::kCortexM0, "tml_conv2d_f32", 193.28, 117.29},  // 1%; 3
  {CostTable::kCortexM0, "tml_conv2d_s16", 19.88, 296.03},  // 40%; 3
  {CostTable::kCortexM0, "tml_conv2d_s4", 19.09, 257.01},  // 36%; 3
  {CostTable::kCortexM0, "tml_conv2d_s8", 18.48, 162.58},  // 46%; 4
  {CostTable::kCortexM0, "tml_conv2d_sparse_s8", 52.62, 0.00},  // 0%; 1
  {CostTable::kCortexM0, "tml_conv2d_w8", 234.66, 280.98},  // 4%; 3
  {CostTable::kCortexM0, "tml_depthwise_conv2d_codebook_s8", 44.36, 0.00},  // 4%; 3
  {CostTable::kCortexM0, "tml_depthwise_conv2d_f16w", 141.51, 419.47},  // 4%; 3
  {CostTable::kCortexM0, "tml_depthwise_conv2d_f32", 124.76, 380.18},  // 3%; 3
  {CostTable::kCortexM0, "tml_depthwise_conv2d_s16", 12.13, 421.69},  // 20%; 3
  {CostTable::kCortexM0, "tml_depthwise_conv2d_s4", 9.62, 402.73},  // 33%; 3
  {CostTable::kCortexM0, "tml_depthwise_conv2d_s8", 20.47, 168.46},  // 39%; 6
  {CostTable::kCortexM0, "tml_depthwise_conv2d_w8", 161.93, 566.93},  // 4%; 3
  {CostTable::kCortexM0, "tml_dequantize_s16", 0.00, 173.07},  // 2%; 4
  {CostTable::kCortexM0, "tml_dequantize_s8", 0.00, 170.99},  // 4%; 16
  {CostTable::kCortexM0, "tml_fully_connected_codebook_s8", 16.47, 166.99},  // 6%; 8
  {CostTable::kCortexM0, "tml_fully_connected_f16w", 200.20, 0.00},  // 13%; 8
  {CostTable::kCortexM0, "tml_fully_connected_f32", 181.03, 0.00},  // 14%; 8
  {CostTable::kCortexM0, "tml_fully_connected_s16", 12.92, 220.62},  // 4%; 8
  {CostTable::kCortexM0, "tml_fully_connected_s4", 18.56, 152.97},  // 9%; 8
  {CostTable::kCortexM0, "tml_fully_connected_s8", 7.92, 155.85},  // 9%; 10
  {CostTable::kCortexM0, "tml_fully_connected_sparse_s8", 9.79, 292.48},  // 37%; 6
  {CostTable::kCortexM0, "tml_fully_connected_w8", 229.30, 127.50},  // 13%; 8
  {CostTable::kCortexM0, "tml_lookup_s16", 0.00, 22.88},  // 0%; 1
  {CostTable::kCortexM0, "tml_lookup_s8", 0.00, 7.88},  // 17%; 4
  {CostTable::kCortexM0, "tml_max_pool_f32", 0.00, 196.08},  // 2%; 6
  {CostTable::kCortexM0, "tml_max_pool_s16", 0.00, 53.93},  // 1%; 2
  {CostTable::kCortexM0, "tml_max_pool_s8", 0.00, 36.55},  // 2%; 8
  {CostTable::kCortexM0, "tml_quantize_s16", 0.00, 443.09},  // 1%; 4
  {CostTable::kCortexM0, "tml_quantize_s8", 0.00, 429.62},  // 4%; 16
  {CostTable::kCortexM0, "tml_softmax_f32", 0.00, 2705.52},  // 8%; 32
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
  {CostTable::kRv32, "input", 0.00, 296.37},  // 60%; 32
  {CostTable::kRv32, "output", 0.00, 2.11},  // 23%; 32
  {CostTable::kRv32, "tml_activation_f32", 0.00, 3334.79},  // 0%; 3
  {CostTable::kRv32, "tml_avg_pool_f32", 0.00, 296.50},  // 0%; 3
  {CostTable::kRv32, "tml_avg_pool_s16", 0.00, 18.67},  // 0%; 1
  {CostTable::kRv32, "tml_avg_pool_s8", 0.00, 17.71},  // 1%; 4
  {CostTable::kRv32, "tml_conv2d_codebook_s8", 25.83, 0.00},  // 6%; 4
  {CostTable::kRv32, "tml_conv2d_f16w", 197.55, 69.78},  // 7%; 3
  {CostTable::kRv32, "tml_conv2d_f32", 186.30, 64.42},  // 7%; 3
  {CostTable::kRv32, "tml_conv2d_s16", 13.83, 105.24},  // 33%; 3
  {CostTable::kRv32, "tml_conv2d_s4", 13.50, 135.68},  // 38%; 3
  {CostTable::kRv32, "tml_conv2d_s8", 12.76, 67.83},  // 42%; 4
  {CostTable::kRv32, "tml_conv2d_sparse_s8", 28.76, 0.00},  // 0%; 1
  {CostTable::kRv32, "tml_conv2d_w8", 227.51, 238.41},  // 8%; 3
  {CostTable::kRv32, "tml_depthwise_conv2d_codebook_s8", 25.56, 0.00},  // 4%; 3
  {CostTable::kRv32, "tml_depthwise_conv2d_f16w", 135.76, 293.06},  // 7%; 3
  {CostTable::kRv32, "tml_depthwise_conv2d_f32", 125.53, 280.21},  // 7%; 3
  {CostTable::kRv32, "tml_depthwise_conv2d_s16", 10.76, 150.87},  // 17%; 3
  {CostTable::kRv32, "tml_depthwise_conv2d_s4", 10.80, 173.26},  // 24%; 3
  {CostTable::kRv32, "tml_depthwise_conv2d_s8", 16.17, 43.99},  // 48%; 6
  {CostTable::kRv32, "tml_depthwise_conv2d_w8", 162.81, 460.79},  // 7%; 3
  {CostTable::kRv32, "tml_dequantize_s16", 0.00, 161.11},  // 0%; 4
  {CostTable::kRv32, "tml_dequantize_s8", 0.00, 160.22},  // 5%; 16
  {CostTable::kRv32, "tml_fully_connected_codebook_s8", 15.40, 57.14},  // 2%; 8
  {CostTable::kRv32, "tml_fully_connected_f16w", 188.64, 0.00},  // 10%; 8
  {CostTable::kRv32, "tml_fully_connected_f32", 176.44, 0.00},  // 12%; 8
  {CostTable::kRv32, "tml_fully_connected_s16", 12.88, 68.00},  // 4%; 8
  {CostTable::kRv32, "tml_fully_connected_s4", 14.70, 66.02},  // 8%; 8
  {CostTable::kRv32, "tml_fully_connected_s8", 7.88, 58.12},  // 6%; 10
  {CostTable::kRv32, "tml_fully_connected_sparse_s8", 10.55, 145.14},  // 36%; 6
  {CostTable::kRv32, "tml_fully_connected_w8", 224.61, 133.01},  // 10%; 8
  {CostTable::kRv32, "tml_lookup_s16", 0.00, 24.25},  // 0%; 1
  {CostTable::kRv32, "tml_lookup_s8", 0.00, 6.38},  // 0%; 4
  {CostTable::kRv32, "tml_max_pool_f32", 0.00, 122.91},  // 2%; 6
  {CostTable::kRv32, "tml_max_pool_s16", 0.00, 40.25},  // 2%; 2
  {CostTable::kRv32, "tml_max_pool_s8", 0.00, 25.80},  // 2%; 8
  {CostTable::kRv32, "tml_quantize_s16", 0.00, 366.17},  // 2%; 4
  {CostTable::kRv32, "tml_quantize_s8", 0.00, 358.33},  // 3%; 16
  {CostTable::kRv32, "tml_softmax_f32", 0.00, 2300.79},  // 9%; 32
};

// True when a board with `features` runs `entry` for its op and dtypes.
bool selectable(const KernelEntry& entry, uint32_t features) {
  return find_kernel(entry.op, entry.input, entry.weights, entry.output, features) == &entry;
}

KernelCost cost_or_throw(CostTable table, std::string_view kernel) {
  const std::optional<KernelCost> cost = measured_kernel_cost(table, kernel);
  if (!cost) {
    throw Error(ErrorKind::kInvalid, std::string(kernel),
                std::string("no measured cost on ") + cost_table_name(table) +
                    " (run bench/kernel_costs)");
  }
  return *cost;
}

}  // namespace

const char* cost_table_name(CostTable table) {
  switch (table) {
    case CostTable::kAvr: return "avr";
    case CostTable::kCortexM0: return "cortex-m0";
    case CostTable::kCortexM4: return "cortex-m4";
    case CostTable::kRv32: return "rv32";
  }
  return "?";
}

std::optional<KernelCost> measured_kernel_cost(CostTable table, std::string_view kernel) {
  for (const MeasuredCost& m : kMeasuredCosts) {
    if (m.table == table && kernel == m.kernel) return KernelCost{m.per_mac, m.per_value};
  }
  return std::nullopt;
}

double estimate_cycles(const DeployModel& model, const Device& device) {
  const CostTable table = device.cost_table;
  const KernelCost input = cost_or_throw(table, "input");
  const KernelCost output = cost_or_throw(table, "output");
  double cycles = input.per_value * static_cast<double>(model.input_size()) +
                  output.per_value * static_cast<double>(model.output_size());
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const DeployOp& op = model.ops[i];
    const KernelEntry& entry = select_kernel(model, op, device.kernel_features);
    const KernelCost cost = cost_or_throw(table, entry.function);
    const double values = static_cast<double>(model.tensors[static_cast<size_t>(op.output)].size());
    cycles += cost.per_mac * static_cast<double>(model.op_macs(i)) + cost.per_value * values;
  }
  return cycles;
}

void check_kernel_costs() {
  for (const Device& device : device_catalogue()) {
    const CostTable table = device.cost_table;
    if (table == CostTable::kCortexM4 && !device.fpu) {
      throw Error(ErrorKind::kInvalid, device.id, "no FPU, but costed on the Cortex-M4F's float figures");
    }
    for (const KernelEntry& entry : kernel_table()) {
      if (selectable(entry, device.kernel_features)) cost_or_throw(table, entry.function);
    }
    cost_or_throw(table, "input");
    cost_or_throw(table, "output");
  }
}

}  // namespace tinymlops
