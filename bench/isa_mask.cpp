// Dynamic-linker audit library that makes a process see an older x86 CPU
// than the one it runs on, so that XNNPACK, ONNX Runtime's MLAS, OpenCV,
// libgcc's __builtin_cpu_supports and GCC target_clones resolvers
// (etvision's own pixel loops) all pick the code paths of that class:
//   LD_AUDIT=build/bench/libetvision_isa_mask.so ETVISION_ISA_MASK=CLASS COMMAND...
// CLASS (default avx2):
//   avx2        no AVX-512 of any kind, no VNNI, AMX, GFNI or VAES: what a
//               Haswell..Comet Lake or Zen 1-3 CPU reports;
//   avx512-skx  AVX-512 F/CD/BW/DQ/VL only (Skylake-SP's set): no VNNI,
//               VBMI, IFMA, BF16, FP16, AMX, GFNI or VAES.
// bench/run.sh --isa CLASS sets it for every measured process, and the
// integration.older_isa_paths test runs the parity tests under both classes.
//
// Why LD_AUDIT and not LD_PRELOAD: the dynamic linker calls an audit
// library's la_version() before it loads and relocates the program's
// libraries, and ifunc resolvers (target_clones) run during relocation,
// before any constructor, even an initfirst LD_PRELOAD one. Only glibc's
// own string functions, chosen before any library loads, keep the host's
// versions.
//
// Why: benchmark figures are per machine class (AVX2 / AVX-512 / VNNI) and
// not every session has a machine of every class. This measures the code
// paths of a class side by side on the same cores. It is not such a
// machine: caches, clocks and port layout stay the host's, so the figures
// say how the engines' paths for that class compare with each other, not
// what a CPU of that class does.
//
// How: Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, CPU flag
// "cpuid_fault") turns every CPUID instruction into a SIGSEGV. The handler
// runs the real CPUID with faulting briefly off and clears the feature bits
// the class lacks before handing the registers back. Faulting is a
// per-thread flag that threads inherit and execve clears, so every thread
// of the process sees the same CPU, and child processes load the library
// again (LD_AUDIT is inherited with the environment). The instructions
// themselves still run: only their detection is hidden.
//
// A program that installs its own SIGSEGV handler later (e.g. Python with
// faulthandler enabled) receives the CPUID faults itself and stops: measure
// such programs without that handler.
//
// When faulting cannot be turned on (no cpuid_fault: e.g. older AMD CPUs,
// some hypervisors) or the class is unknown, the process stops with exit
// status 3 and a message, rather than measuring the host's paths under
// another label.
#include <asm/prctl.h>
#include <link.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cpuid.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned kBit(unsigned bit) {
  return 1u << bit;
}

// Feature bits a class lacks, per CPUID register (Intel SDM vol. 2A,
// CPUID leaf 7 and 0xD).
struct HiddenBits {
  unsigned leaf7Ebx, leaf7Ecx, leaf7Edx;  // leaf 7 sub-leaf 0
  unsigned leaf7Sub1Eax;                  // leaf 7 sub-leaf 1
  unsigned xsaveEax;                      // leaf 0xD sub-leaf 0: OS-enabled state
};

// Beyond Skylake-SP's AVX-512, in both classes.
constexpr unsigned kLaterLeaf7Ebx = kBit(21) /*AVX512-IFMA*/;
constexpr unsigned kLaterLeaf7Ecx = kBit(1) /*VBMI*/ | kBit(6) /*VBMI2*/ | kBit(8) /*GFNI*/ |
                                    kBit(9) /*VAES*/ | kBit(10) /*VPCLMULQDQ*/ | kBit(11) /*VNNI*/ |
                                    kBit(12) /*BITALG*/ | kBit(14) /*VPOPCNTDQ*/;
constexpr unsigned kLaterLeaf7Edx =
    kBit(2) /*4VNNIW*/ | kBit(3) /*4FMAPS*/ | kBit(8) /*VP2INTERSECT*/ | kBit(22) /*AMX-BF16*/ |
    kBit(23) /*AVX512-FP16*/ | kBit(24) /*AMX-TILE*/ | kBit(25) /*AMX-INT8*/;
constexpr unsigned kLaterLeaf7Sub1Eax = kBit(4) /*AVX-VNNI*/ | kBit(5) /*AVX512-BF16*/;
// XSAVE components 17-18: AMX tile state; 5-7: opmask and ZMM state.
constexpr unsigned kAmxState = kBit(17) | kBit(18);
constexpr unsigned kAvx512State = kBit(5) | kBit(6) | kBit(7);

constexpr HiddenBits kAvx2{
    .leaf7Ebx = kLaterLeaf7Ebx | kBit(16) /*AVX512F*/ | kBit(17) /*DQ*/ | kBit(26) /*PF*/ |
                kBit(27) /*ER*/ | kBit(28) /*CD*/ | kBit(30) /*BW*/ | kBit(31) /*VL*/,
    .leaf7Ecx = kLaterLeaf7Ecx,
    .leaf7Edx = kLaterLeaf7Edx,
    .leaf7Sub1Eax = kLaterLeaf7Sub1Eax,
    .xsaveEax = kAmxState | kAvx512State,
};
constexpr HiddenBits kAvx512Skx{
    .leaf7Ebx = kLaterLeaf7Ebx | kBit(26) /*PF*/ | kBit(27) /*ER*/,
    .leaf7Ecx = kLaterLeaf7Ecx,
    .leaf7Edx = kLaterLeaf7Edx,
    .leaf7Sub1Eax = kLaterLeaf7Sub1Eax,
    .xsaveEax = kAmxState,
};

// Set once in la_version(), before any other code of the process runs.
HiddenBits gHidden = kAvx2;

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
  // A faulting CPUID arrives as SI_KERNEL; a bad address (possibly the
  // instruction pointer itself) as SEGV_MAPERR/ACCERR, so only the former
  // has instruction bytes worth reading.
  const auto* instruction = reinterpret_cast<const unsigned char*>(registers[REG_RIP]);
  if (info->si_code != SI_KERNEL || instruction[0] != 0x0F || instruction[1] != 0xA2) {
    // A real crash: hand it to the default action (core dump and exit status
    // of a SIGSEGV), as if this library were not there.
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigaction(signal, &fallback, nullptr);
    // Sent by kill() or raise(): nothing would send it again.
    if (info->si_code <= 0) raise(signal);
    return;  // a fault: the instruction runs again and crashes for real
  }
  const auto leaf = static_cast<unsigned>(registers[REG_RAX]);
  const auto subleaf = static_cast<unsigned>(registers[REG_RCX]);
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (setCpuidFaulting(false) != 0) {
    writeError("isa_mask: cannot run CPUID (arch_prctl failed in the handler)\n");
    _exit(3);
  }
  __cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
  setCpuidFaulting(true);
  if (leaf == 7 && subleaf == 0) {
    ebx &= ~gHidden.leaf7Ebx;
    ecx &= ~gHidden.leaf7Ecx;
    edx &= ~gHidden.leaf7Edx;
  } else if (leaf == 7 && subleaf == 1) {
    eax &= ~gHidden.leaf7Sub1Eax;
  } else if (leaf == 0xD && subleaf == 0) {
    eax &= ~gHidden.xsaveEax;
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
  const char* isaClass = getenv("ETVISION_ISA_MASK");
  if (isaClass == nullptr || std::strcmp(isaClass, "avx2") == 0) {
    gHidden = kAvx2;
  } else if (std::strcmp(isaClass, "avx512-skx") == 0) {
    gHidden = kAvx512Skx;
  } else {
    writeError("isa_mask: ETVISION_ISA_MASK must be avx2 or avx512-skx\n");
    _exit(3);
  }
  struct sigaction action {};
  action.sa_sigaction = onSegv;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSEGV, &action, nullptr) != 0 || setCpuidFaulting(true) != 0) {
    writeError(
        "isa_mask: this CPU or kernel cannot fault on CPUID (no cpuid_fault flag in "
        "/proc/cpuinfo), "
        "so its features cannot be hidden; measure that class's paths on a machine of that class "
        "instead\n");
    _exit(3);
  }
  return LAV_CURRENT;
}
