#include "deploy/targets.h"

#include <numeric>

#include "tinymlops/deploy/devices.h"

namespace tinymlops {

namespace {

// Every platform header defines: harness_init(), harness_counter() (a
// monotonically increasing 32-bit count, 0 where there is none; see
// TargetToolchain::counter_scale), HARNESS_SP() (the stack pointer as an
// address), HARNESS_STACK_LOW (lowest address the stack may grow to; 0: no stack
// measurement) and harness_exit(). Output goes through printf.

const char* kHostPlatform = R"(#include <stdio.h>
#define HARNESS_SP() ((uintptr_t)0)
#define HARNESS_STACK_LOW(sp) ((uintptr_t)0)
static void harness_init(void) {}
static uint32_t harness_counter(void) { return 0; }
static int harness_exit(void) { fflush(stdout); return 0; }
)";

// The Cortex-M cores run under QEMU with -icount shift=0, which executes one
// instruction per virtual nanosecond: SysTick on the CPU clock of the emulated
// board then ticks once per (1000 / MHz) instructions. Wraps of its 24-bit
// counter are counted by startup.c. HARNESS_STACK_WINDOW (defined before this
// text) is how far below the stack pointer the stack is painted at most.
const char* kCortexMPlatform = R"(#include <stdio.h>
#define SYST_CSR (*(volatile uint32_t*)0xE000E010)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018)
extern volatile uint32_t tml_systick_wraps;
extern void initialise_monitor_handles(void);
static uintptr_t harness_sp_value(void) {
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}
#define HARNESS_SP() harness_sp_value()
/* HARNESS_STACK_WINDOW below the stack pointer, but never below the end of
 * the heap: on a small RAM the window would reach the static data. */
extern void* _sbrk(int increment);
static uintptr_t harness_stack_low(uintptr_t sp) {
  const uintptr_t heap_end = (uintptr_t)_sbrk(0);
  return sp - heap_end > HARNESS_STACK_WINDOW ? sp - HARNESS_STACK_WINDOW : heap_end;
}
#define HARNESS_STACK_LOW(sp) harness_stack_low(sp)
static void harness_init(void) {
  initialise_monitor_handles();
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7; /* processor clock, interrupt on wrap, enabled */
}
static uint32_t harness_counter(void) {
  uint32_t wraps, value;
  do {
    wraps = tml_systick_wraps;
    value = 0xFFFFFFu - SYST_CVR;
  } while (wraps != tml_systick_wraps);
  return (wraps << 24) + value;
}
static int harness_exit(void) { return 0; }
)";

const char* kCortexMStartup = R"(/* Minimal Cortex-M startup for QEMU: copy .data, zero .bss, enable the FPU
 * where the core has one, run main, exit through semihosting. */
#include <stdint.h>
#include <stdlib.h>
extern uint32_t __stack_top, __data_start__, __data_end__, __data_load__, __bss_start__, __bss_end__;
extern int main(void);
volatile uint32_t tml_systick_wraps;
void _init(void) {}
void _fini(void) {}
static void reset_handler(void) {
  uint32_t* src = &__data_load__;
  uint32_t* dst;
  for (dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
#if defined(__ARM_FP)
  *(volatile uint32_t*)0xE000ED88 |= (0xFu << 20); /* CPACR: full access to CP10, CP11 */
  __asm__ volatile("dsb\n isb");
#endif
  exit(main());
}
static void fault_handler(void) { exit(3); }
static void systick_handler(void) { ++tml_systick_wraps; }
typedef void (*handler)(void);
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[16] = {
    (uintptr_t)&__stack_top, (uintptr_t)reset_handler, (uintptr_t)fault_handler, (uintptr_t)fault_handler,
    (uintptr_t)fault_handler, (uintptr_t)fault_handler, (uintptr_t)fault_handler, 0, 0, 0, 0,
    (uintptr_t)fault_handler, (uintptr_t)fault_handler, 0, (uintptr_t)fault_handler, (uintptr_t)systick_handler};
)";

// The sections of every Cortex-M program; MEMORY (FLASH and RAM) comes first.
const char* kCortexMSections = R"(ENTRY(reset_handler)
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text*) KEEP(*(.init)) KEEP(*(.fini)) . = ALIGN(4); } > FLASH
  .rodata : { *(.rodata*) . = ALIGN(4); } > FLASH
  .ARM.exidx : { *(.ARM.exidx*) } > FLASH
  __data_load__ = LOADADDR(.data);
  .data : { __data_start__ = .; *(.data*) . = ALIGN(4); __data_end__ = .; } > RAM AT > FLASH
  .bss : { __bss_start__ = .; *(.bss*) *(COMMON) . = ALIGN(4); __bss_end__ = .; end = .; __end__ = .; } > RAM
  __stack_top = ORIGIN(RAM) + LENGTH(RAM);
}
)";

// One emulated Cortex-M board: its core, QEMU machine and memory map.
struct CortexMBoard {
  std::vector<std::string> cpu_flags;  // -mcpu, -mthumb, the float ABI
  std::string machine;                 // qemu-system-arm -M
  std::string device;                  // its entry in the device catalogue
  const char* memory;                  // the linker script's MEMORY block
  int clock_mhz;                       // SysTick's clock
  int stack_window;                    // bytes painted below the stack pointer
};

TargetToolchain cortex_m_toolchain(const CortexMBoard& board) {
  TargetToolchain t;
  t.compiler = "arm-none-eabi-gcc";
  t.size_tool = "arm-none-eabi-size";
  // -flto as the Arduino IDE and most vendor IDEs build: the kernels' small
  // helpers inline across files and unused code and constants drop out.
  t.flags = board.cpu_flags;
  t.flags.insert(t.flags.end(),
                 {"-O2", "-std=c99", "-ffp-contract=off", "-ffunction-sections", "-fdata-sections", "-flto"});
  t.strict_flags = {"-Wall", "-Wextra", "-pedantic", "-Werror"};
  t.link_flags = {"-nostartfiles", "-T", "link.ld", "--specs=rdimon.specs", "-Wl,--gc-sections", "-lm"};
  t.support_files = {{"startup.c", kCortexMStartup}, {"link.ld", std::string(board.memory) + kCortexMSections}};
  t.platform_header =
      "#define HARNESS_STACK_WINDOW " + std::to_string(board.stack_window) + "u\n" + kCortexMPlatform;
  t.run = {"qemu-system-arm", "-M", board.machine, "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-icount", "shift=0", "-kernel", "harness.elf"};
  t.counter_unit = "instructions";
  // 1000 / MHz instructions per tick, as a fraction: 40 at 25 MHz, 125/2 at 16 MHz.
  const int common = std::gcd(1000, board.clock_mhz);
  t.counter_scale = 1000 / common;
  t.counter_divisor = board.clock_mhz / common;
  t.default_rows = 100;
  t.kernel_features = find_device(board.device).kernel_features;  // the board QEMU emulates
  return t;
}

// BBC micro:bit (nRF51822): Cortex-M0 at 16 MHz, 256 KB flash, 16 KB RAM.
TargetToolchain cortex_m0_toolchain() {
  return cortex_m_toolchain({{"-mcpu=cortex-m0", "-mthumb", "-mfloat-abi=soft"},
                             "microbit",
                             "qemu-microbit",
                             "MEMORY {\n  FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 256K\n"
                             "  RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 16K\n}\n",
                             16,
                             4096});
}

// MPS2 AN386 and AN500: 4 MB code SRAM at 0, 4 MB data SRAM at 0x20000000, 25 MHz.
const char* kMps2Memory =
    "MEMORY {\n  FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 4M\n}\n";

TargetToolchain cortex_m4_toolchain() {
  return cortex_m_toolchain({{"-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"},
                             "mps2-an386",
                             "qemu-mps2-an386",
                             kMps2Memory,
                             25,
                             65536});
}

TargetToolchain cortex_m7_toolchain() {
  return cortex_m_toolchain({{"-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"},
                             "mps2-an500",
                             "qemu-mps2-an500",
                             kMps2Memory,
                             25,
                             65536});
}

// MPS2 AN505: the Cortex-M33 starts in the secure state, whose aliases of the
// SRAMs are at 0x10000000 (code, where its vector table is) and 0x38000000
// (data); 20 MHz.
TargetToolchain cortex_m33_toolchain() {
  return cortex_m_toolchain({{"-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"},
                             "mps2-an505",
                             "qemu-mps2-an505",
                             "MEMORY {\n  FLASH (rx) : ORIGIN = 0x10000000, LENGTH = 4M\n"
                             "  RAM (rwx)  : ORIGIN = 0x38000000, LENGTH = 4M\n}\n",
                             20,
                             65536});
}

// ATmega328P at 16 MHz under simavr: printf to USART0, which simavr echoes;
// Timer1 at clk/1 counts cycles (overflows counted in its interrupt); the
// program ends by sleeping with interrupts off, which stops simavr.
const char* kAvrPlatform = R"(#include <stdio.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
extern char __heap_start;
static volatile uint16_t harness_overflows;
ISR(TIMER1_OVF_vect) { ++harness_overflows; }
static int harness_putchar(char c, FILE* stream) {
  (void)stream;
  loop_until_bit_is_set(UCSR0A, UDRE0);
  UDR0 = (uint8_t)c;
  return 0;
}
static FILE harness_stdout = FDEV_SETUP_STREAM(harness_putchar, NULL, _FDEV_SETUP_WRITE);
#define HARNESS_SP() ((uintptr_t)SP)
#define HARNESS_STACK_LOW(sp) ((uintptr_t)&__heap_start)
static void harness_init(void) {
  UCSR0B = _BV(TXEN0);
  stdout = &harness_stdout;
  TCCR1A = 0;
  TCCR1B = _BV(CS10);
  TIMSK1 = _BV(TOIE1);
  sei();
}
static uint32_t harness_counter(void) {
  uint16_t high, low;
  uint8_t flags = SREG;
  cli();
  low = TCNT1;
  high = harness_overflows;
  if ((TIFR1 & _BV(TOV1)) && low < 0x8000u) ++high; /* overflow pending, not yet counted */
  SREG = flags;
  return ((uint32_t)high << 16) | low;
}
static int harness_exit(void) {
  cli();
  sleep_cpu();
  return 0;
}
)";

TargetToolchain host_toolchain() {
  TargetToolchain t;
  t.compiler = "cc";
  t.size_tool = "size";
  t.flags = {"-std=c99", "-O2", "-ffp-contract=off", "-ffunction-sections", "-fdata-sections"};
  t.strict_flags = {"-Wall", "-Wextra", "-pedantic", "-Werror"};
  t.link_flags = {"-Wl,--gc-sections", "-lm"};
  t.platform_header = kHostPlatform;
  t.run = {"./harness.elf"};
  t.run_timeout_seconds = 60;
  t.default_rows = 200;
  return t;
}

// An ATmega under simavr at 16 MHz (kAvrPlatform): `mcu` as avr-gcc and
// simavr name it, `device` its entry in the device catalogue.
TargetToolchain avr_toolchain(const std::string& mcu, const std::string& device) {
  TargetToolchain t;
  t.compiler = "avr-gcc";
  t.size_tool = "avr-size";
  t.flags = {"-mmcu=" + mcu, "-Os", "-std=c99", "-ffunction-sections", "-fdata-sections"};
  t.strict_flags = {"-Wall", "-Wextra", "-pedantic", "-Werror"};
  t.link_flags = {"-Wl,--gc-sections", "-lm"};
  t.platform_header = kAvrPlatform;
  t.run = {"simavr", "-m", mcu, "-f", "16000000", "harness.elf"};
  t.run_timeout_seconds = 300;
  t.counter_unit = "cycles";
  t.counter_scale = 1;
  t.constants_in_text = true;
  t.constant_reach_bytes = find_device(device).constant_reach_bytes > 0 ? 65536 : 0;
  t.nm_tool = "avr-nm";
  t.default_rows = 16;
  t.kernel_features = find_device(device).kernel_features;  // the board simavr emulates
  return t;
}

// QEMU's riscv32 `virt` machine with an RV32IMAC core (the ESP32-C3 class) and
// picolibc, whose semihosting crt0 sets up the program, carries its output and
// exit code, and reports a trap (QEMU 7.2 lets a misaligned access pass,
// though many RISC-V cores fault on one: docs/codegen.md).
// With -icount shift=0 the minstret CSR counts the instructions retired (read
// with Zicsr, which binutils names apart from the rv32imac the libraries are
// built for).
const char* kRv32Platform = R"(#include <stdio.h>
static uintptr_t harness_sp_value(void) {
  uintptr_t sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  return sp;
}
#define HARNESS_SP() harness_sp_value()
#define HARNESS_STACK_LOW(sp) ((sp) - 65536u)
static void harness_init(void) {}
static uint32_t harness_counter(void) {
  uint32_t value;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, minstret\n.option pop" : "=r"(value));
  return value;
}
static int harness_exit(void) { return 0; }
)";

TargetToolchain rv32_toolchain() {
  TargetToolchain t;
  t.compiler = "riscv64-unknown-elf-gcc";
  t.size_tool = "riscv64-unknown-elf-size";
  t.flags = {"-march=rv32imac", "-mabi=ilp32", "-mcmodel=medany", "--specs=picolibc.specs", "-O2", "-std=c99",
             "-ffp-contract=off", "-ffunction-sections", "-fdata-sections", "-flto"};
  t.strict_flags = {"-Wall", "-Wextra", "-pedantic", "-Werror"};
  // The virt machine's RAM is at 0x80000000; picolibc's linker script places
  // the program there and the data after it.
  t.link_flags = {"--oslib=semihost", "--crt0=semihost", "-Wl,--defsym=__flash=0x80000000",
                  "-Wl,--defsym=__flash_size=0x400000",
                  "-Wl,--defsym=__ram=0x80400000", "-Wl,--defsym=__ram_size=0x400000", "-Wl,--gc-sections", "-lm"};
  t.platform_header = kRv32Platform;
  t.run = {"qemu-system-riscv32", "-M", "virt", "-cpu", "rv32", "-bios", "none", "-nographic", "-monitor", "none",
           "-serial", "none", "-semihosting-config", "enable=on,target=native", "-icount", "shift=0",
           "-kernel", "harness.elf"};
  t.counter_unit = "instructions";
  t.counter_scale = 1;
  t.constants_in_text = true;
  t.default_rows = 100;
  t.kernel_features = find_device("qemu-virt-rv32").kernel_features;
  return t;
}

}  // namespace

const TargetToolchain& target_toolchain(VerifyTarget target) {
  static const TargetToolchain host = host_toolchain();
  static const TargetToolchain cortex_m0 = cortex_m0_toolchain();
  static const TargetToolchain cortex_m4 = cortex_m4_toolchain();
  static const TargetToolchain cortex_m7 = cortex_m7_toolchain();
  static const TargetToolchain cortex_m33 = cortex_m33_toolchain();
  static const TargetToolchain rv32 = rv32_toolchain();
  static const TargetToolchain avr = avr_toolchain("atmega328p", "simavr-atmega328p");
  static const TargetToolchain avr_mega = avr_toolchain("atmega2560", "simavr-atmega2560");
  switch (target) {
    case VerifyTarget::kHost: return host;
    case VerifyTarget::kCortexM0: return cortex_m0;
    case VerifyTarget::kCortexM4: return cortex_m4;
    case VerifyTarget::kCortexM7: return cortex_m7;
    case VerifyTarget::kCortexM33: return cortex_m33;
    case VerifyTarget::kRv32: return rv32;
    case VerifyTarget::kAvr: return avr;
    case VerifyTarget::kAvrMega: return avr_mega;
  }
  return host;
}

}  // namespace tinymlops
