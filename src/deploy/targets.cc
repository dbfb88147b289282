#include "deploy/targets.h"

#include "tinymlops/core/error.h"
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

// QEMU mps2-an386 run with -icount shift=0 executes one instruction per
// virtual nanosecond; SysTick on the 25 MHz CPU clock then ticks once per 40
// instructions. Wraps of its 24-bit counter are counted by startup.c.
const char* kCortexM4Platform = R"(#include <stdio.h>
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
#define HARNESS_STACK_LOW(sp) ((sp) - 65536u)
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

const char* kCortexM4Startup = R"(/* Minimal Cortex-M4 startup for QEMU's mps2-an386: copy .data, zero .bss,
 * enable the FPU, run main, exit through semihosting. */
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
  *(volatile uint32_t*)0xE000ED88 |= (0xFu << 20); /* CPACR: full access to CP10, CP11 */
  __asm__ volatile("dsb\n isb");
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

const char* kCortexM4LinkerScript = R"(/* mps2-an386: 4 MB code SRAM at 0, 4 MB data SRAM at 0x20000000. */
MEMORY {
  FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M
  RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 4M
}
ENTRY(reset_handler)
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

TargetToolchain cortex_m4_toolchain() {
  TargetToolchain t;
  t.compiler = "arm-none-eabi-gcc";
  t.size_tool = "arm-none-eabi-size";
  // -flto as the Arduino IDE and most vendor IDEs build: the kernels' small
  // helpers inline across files and unused code and constants drop out.
  t.flags = {"-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-O2", "-std=c99",
             "-ffp-contract=off", "-ffunction-sections", "-fdata-sections", "-flto"};
  t.strict_flags = {"-Wall", "-Wextra", "-pedantic", "-Werror"};
  t.link_flags = {"-nostartfiles", "-T", "link.ld", "--specs=rdimon.specs", "-Wl,--gc-sections", "-lm"};
  t.support_files = {"startup.c", "link.ld"};
  t.platform_header = kCortexM4Platform;
  t.run = {"qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-icount", "shift=0", "-kernel", "harness.elf"};
  t.counter_unit = "instructions";
  t.counter_scale = 40;
  t.default_rows = 100;
  t.kernel_features = find_device("qemu-mps2-an386").kernel_features;  // the board QEMU emulates
  return t;
}

TargetToolchain avr_toolchain() {
  TargetToolchain t;
  t.compiler = "avr-gcc";
  t.size_tool = "avr-size";
  t.flags = {"-mmcu=atmega328p", "-Os", "-std=c99", "-ffunction-sections", "-fdata-sections"};
  t.strict_flags = {"-Wall", "-Wextra", "-Werror"};
  t.link_flags = {"-Wl,--gc-sections", "-lm"};
  t.platform_header = kAvrPlatform;
  t.run = {"simavr", "-m", "atmega328p", "-f", "16000000", "harness.elf"};
  t.run_timeout_seconds = 300;
  t.counter_unit = "cycles";
  t.counter_scale = 1;
  t.constants_in_text = true;
  t.default_rows = 16;
  t.kernel_features = find_device("simavr-atmega328p").kernel_features;  // the board simavr emulates
  return t;
}

}  // namespace

const TargetToolchain& target_toolchain(VerifyTarget target) {
  static const TargetToolchain host = host_toolchain();
  static const TargetToolchain cortex_m4 = cortex_m4_toolchain();
  static const TargetToolchain avr = avr_toolchain();
  switch (target) {
    case VerifyTarget::kHost: return host;
    case VerifyTarget::kCortexM4: return cortex_m4;
    case VerifyTarget::kAvr: return avr;
  }
  return host;
}

std::string target_support_file(VerifyTarget target, const std::string& name) {
  if (target == VerifyTarget::kCortexM4 && name == "startup.c") return kCortexM4Startup;
  if (target == VerifyTarget::kCortexM4 && name == "link.ld") return kCortexM4LinkerScript;
  throw Error(ErrorKind::kInvalid, name, "no such support file");
}

}  // namespace tinymlops
