using System.Collections.Generic;

namespace X64Emu.Linux;

/// <summary>Everything the command line can set about the guest kernel.</summary>
public sealed class KernelOptions
{
    /// <summary>Emulated RAM in bytes (--mem).</summary>
    public ulong MemoryBytes { get; set; } = 4UL << 30;

    /// <summary>Print every syscall in strace's format on stderr (--strace).</summary>
    public bool Strace { get; set; }

    /// <summary>Print every page-fault resolution on stderr (--trace-faults).</summary>
    public bool TraceFaults { get; set; }

    /// <summary>Print counters at exit (--stats).</summary>
    public bool Stats { get; set; }

    /// <summary>Guest root directory (--root); "/" passes paths through to the host unchanged.</summary>
    public string Root { get; set; } = "/";

    /// <summary>W^X enforced for new processes (--wx=on|off).</summary>
    public bool WxEnforced { get; set; } = true;

    /// <summary>W^X cannot be turned off by the guest (--wx=locked).</summary>
    public bool WxLocked { get; set; }

    /// <summary>Reproduce Linux's partial effects of failed mm calls (--linux-quirks).</summary>
    public bool LinuxQuirks { get; set; }

    /// <summary>Start with the KSM scanner running (/sys/kernel/mm/ksm/run = 1), as a root guest could set it.</summary>
    public bool KsmRun { get; set; }

    /// <summary>Give the guest CAP_SYS_RAWIO etc. (--cap).</summary>
    public HashSet<string> Capabilities { get; } = new();

    /// <summary>hugetlb pool sizes from --hugepages 2M=64,1G=1 (page size in bytes → count).</summary>
    public Dictionary<ulong, long> HugePages { get; } = new();

    /// <summary>vm.overcommit_memory at start (--overcommit).</summary>
    public int Overcommit { get; set; }

    /// <summary>The compiled tier (--jit=on|off|eager).</summary>
    public X64Emu.Cpu.Jit.JitMode Jit { get; set; } = X64Emu.Cpu.Jit.JitMode.On;

    /// <summary>Block executions before the JIT compiles a block (--jit-threshold).</summary>
    public int JitThreshold { get; set; } = X64Emu.Cpu.Jit.JitEngine.DefaultThreshold;

    /// <summary>Where diagnostics go (stderr by default; tests capture it).</summary>
    public System.IO.TextWriter Diagnostics { get; set; } = System.Console.Error;
}
