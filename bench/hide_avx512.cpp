// Dynamic-linker audit library that makes a process see an AVX2 CPU on an
// AVX-512 one, so that XNNPACK, ONNX Runtime's MLAS, OpenCV, libgcc's
// __builtin_cpu_supports and GCC target_clones resolvers (etvision's own
// pixel loops) all pick their AVX2 code paths:
//   LD_AUDIT=build/bench/libetvision_hide_avx512.so COMMAND...
// bench/run.sh --hide-avx512 sets it for every measured process, and the
// integration.avx2_paths test runs the reference-parity tests under it.
//
// Why LD_AUDIT and not LD_PRELOAD: the dynamic linker calls an audit
// library's la_version() before it loads and relocates the program's
// libraries, and ifunc resolvers (target_clones) run during relocation,
// before any constructor, even an initfirst LD_PRELOAD one. Only glibc's
// own string functions, chosen before any library loads, keep their
// AVX-512 versions.
//
// Why: benchmark figures are per machine class (AVX2 / AVX-512 / VNNI) and
// not every session has an AVX2-only machine. This measures the AVX2 kernels
// of every engine side by side on the same cores. It is not an AVX2 machine:
// caches, clocks and port layout stay the host's, so the figures say how the
// engines' AVX2 paths compare with each other, not what an AVX2 CPU does.
//
// How: Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, CPU flag
// "cpuid_fault") turns every CPUID instruction into a SIGSEGV. The handler
// runs the real CPUID with faulting briefly off and clears the AVX-512,
// AVX-VNNI, AMX and AVX512-BF16/FP16 feature bits before handing the
// registers back. Faulting is a per-thread flag that threads inherit and
// execve clears, so every thread of the process sees the same CPU and child
// processes need the library again (LD_AUDIT is inherited with the
// environment).
// The instructions themselves still run: only their detection is hidden.
//
// When faulting cannot be turned on (no cpuid_fault: e.g. older AMD CPUs,
// some hypervisors) the process stops with exit status 3 and a message,
// rather than measuring the AVX-512 paths under an AVX2 label.
#include <asm/prctl.h>
#include <link.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cpuid.h>
#include <cstdint>
#include <cstring>

namespace {

constexpr unsigned kBit(unsigned bit) {
  return 1u << bit;
}

// CPUID leaf 7 sub-leaf 0 (Intel SDM vol. 2A, table 3-8).
constexpr unsigned kLeaf7EbxHidden = kBit(16) /*AVX512F*/ | kBit(17) /*DQ*/ | kBit(21) /*IFMA*/ |
                                     kBit(26) /*PF*/ | kBit(27) /*ER*/ | kBit(28) /*CD*/ |
                                     kBit(30) /*BW*/ | kBit(31) /*VL*/;
constexpr unsigned kLeaf7EcxHidden = kBit(1) /*VBMI*/ | kBit(6) /*VBMI2*/ | kBit(11) /*VNNI*/ |
                                     kBit(12) /*BITALG*/ | kBit(14) /*VPOPCNTDQ*/;
constexpr unsigned kLeaf7EdxHidden =
    kBit(2) /*4VNNIW*/ | kBit(3) /*4FMAPS*/ | kBit(8) /*VP2INTERSECT*/ | kBit(22) /*AMX-BF16*/ |
    kBit(23) /*AVX512-FP16*/ | kBit(24) /*AMX-TILE*/ | kBit(25) /*AMX-INT8*/;
// Leaf 7 sub-leaf 1: AVX-VNNI (a typical AVX2 CPU has none) and AVX512-BF16.
constexpr unsigned kLeaf7Sub1EaxHidden = kBit(4) /*AVX-VNNI*/ | kBit(5) /*AVX512-BF16*/;
// Leaf 0xD sub-leaf 0 EAX: the XSAVE state components the OS supports.
// Hiding the opmask/ZMM components (5-7) and AMX tile state (17-18) keeps
// code that trusts leaf 0xD instead of XGETBV consistent with the above.
constexpr unsigned kXsaveEaxHidden = kBit(5) | kBit(6) | kBit(7) | kBit(17) | kBit(18);

long setCpuidFaulting(bool on) {
  // ARCH_SET_CPUID's argument is "CPUID allowed": 0 turns faulting on.
  return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1);
}

void writeError(const char* message) {
  // Only async-signal-safe calls: this also runs inside the signal handler.
  ssize_t ignored = write(STDERR_FILENO, message, std::strlen(message));
  (void)ignored;
}

void onSegv(int signal, siginfo_t* info, void* context) {
  auto* registers = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  const auto* instruction = reinterpret_cast<const unsigned char*>(registers[REG_RIP]);
  if (instruction[0] != 0x0F || instruction[1] != 0xA2) {
    // A real crash: hand it to the default action (core dump and exit status
    // of a SIGSEGV), as if this library were not there.
    (void)info;
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigaction(signal, &fallback, nullptr);
    return;  // the faulting instruction runs again and crashes for real
  }
  const auto leaf = static_cast<unsigned>(registers[REG_RAX]);
  const auto subleaf = static_cast<unsigned>(registers[REG_RCX]);
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (setCpuidFaulting(false) != 0) {
    writeError("hide_avx512: cannot run CPUID (arch_prctl failed in the handler)\n");
    _exit(3);
  }
  __cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
  setCpuidFaulting(true);
  if (leaf == 7 && subleaf == 0) {
    ebx &= ~kLeaf7EbxHidden;
    ecx &= ~kLeaf7EcxHidden;
    edx &= ~kLeaf7EdxHidden;
  } else if (leaf == 7 && subleaf == 1) {
    eax &= ~kLeaf7Sub1EaxHidden;
  } else if (leaf == 0xD && subleaf == 0) {
    eax &= ~kXsaveEaxHidden;
  }
  // CPUID writes the low 32 bits and zeroes the high ones.
  registers[REG_RAX] = static_cast<greg_t>(eax);
  registers[REG_RBX] = static_cast<greg_t>(ebx);
  registers[REG_RCX] = static_cast<greg_t>(ecx);
  registers[REG_RDX] = static_cast<greg_t>(edx);
  registers[REG_RIP] += 2;
}

}  // namespace

// The audit interface's entry point (rtld-audit(7)): called once, first.
extern "C" __attribute__((visibility("default"))) unsigned la_version(unsigned /*version*/) {
  struct sigaction action {};
  action.sa_sigaction = onSegv;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSEGV, &action, nullptr) != 0 || setCpuidFaulting(true) != 0) {
    writeError(
        "hide_avx512: this CPU or kernel cannot fault on CPUID (no cpuid_fault flag in "
        "/proc/cpuinfo), "
        "so AVX-512 cannot be hidden; measure the AVX2 paths on an AVX2 machine instead\n");
    _exit(3);
  }
  return LAV_CURRENT;
}
