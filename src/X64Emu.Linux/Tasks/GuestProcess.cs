using System.Collections.Generic;
using X64Emu.Cpu.Decode;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;

namespace X64Emu.Linux.Tasks;

/// <summary>
/// A guest process (thread group): its address space, open files, credentials, signal dispositions
/// and threads. All guest processes live in the one emulator process.
/// </summary>
/// <remarks>Lock order: Kernel.ProcessLock → GuestProcess.Lock → AddressSpace locks.</remarks>
public sealed class GuestProcess
{
    public GuestProcess(Kernel kernel, int pid, AddressSpace mm, FdTable fds, Credentials creds, string cwd)
    {
        Kernel = kernel;
        Pid = pid;
        Pgid = pid;
        Sid = pid;
        Mm = mm;
        Blocks = NewBlocks(mm);
        Fds = fds;
        Creds = creds;
        Cwd = cwd;
        for (int i = 0; i < Rlimit.Count; i++)
        {
            Limits[i] = (Rlimit.Infinity, Rlimit.Infinity);
        }

        Limits[Rlimit.Stack] = (8UL << 20, Rlimit.Infinity);
        Limits[Rlimit.Nofile] = (1024, 1048576);
        Limits[Rlimit.Memlock] = (8UL << 20, 8UL << 20);
        Limits[Rlimit.Core] = (0, Rlimit.Infinity);
        Limits[Rlimit.Nproc] = (63459, 63459);
        Limits[Rlimit.Sigpending] = (63459, 63459);
        Limits[Rlimit.Msgqueue] = (819200, 819200);
    }

    public object Lock { get; } = new();

    public Kernel Kernel { get; }

    public int Pid { get; }

    public int Pgid { get; set; }

    public int Sid { get; set; }

    public GuestProcess? Parent { get; set; }

    public List<GuestProcess> Children { get; } = new();

    public List<GuestThread> Threads { get; } = new();

    public AddressSpace Mm { get; private set; }

    public BlockCache Blocks { get; private set; }

    public FdTable Fds { get; set; }

    public Credentials Creds { get; set; }

    /// <summary>Current directory as a guest path (always absolute).</summary>
    public string Cwd { get; set; }

    public uint Umask { get; set; } = 0x12; // 022

    /// <summary>The executable's guest path (/proc/PID/exe) and comm name.</summary>
    public string ExePath { get; set; } = string.Empty;

    public string Comm { get; set; } = string.Empty;

    public SigAction[] Actions { get; } = new SigAction[Sig.Max + 1];

    /// <summary>Process-directed pending signals and their siginfo.</summary>
    public ulong SharedPending;

    public SigInfo[] SharedInfo { get; } = new SigInfo[Sig.Max + 1];

    public (ulong Cur, ulong Max)[] Limits { get; } = new (ulong, ulong)[Rlimit.Count];

    public ulong Personality { get; set; }

    /// <summary>Set when the whole group is exiting (exit_group or a fatal signal).</summary>
    public bool GroupExiting { get; set; }

    /// <summary>wait status once it has exited: (code &lt;&lt; 8) or the terminating signal (| 0x80 for a core dump).</summary>
    public int WaitStatus { get; set; }

    public bool Zombie { get; set; }

    /// <summary>The signal the parent gets when this process exits (SIGCHLD normally).</summary>
    public int ExitSignal { get; set; } = Sig.SIGCHLD;

    /// <summary>CLONE_VM: run on the same decoded-block cache as the process whose address space is shared.</summary>
    public void ShareBlocks(GuestProcess other) => Blocks = other.Blocks;

    /// <summary>execve: switch to a fresh address space (the old one is released by the caller).</summary>
    public void ReplaceMm(AddressSpace mm)
    {
        Mm = mm;
        Blocks = NewBlocks(mm);
    }

    private BlockCache NewBlocks(AddressSpace mm)
    {
        BlockCache blocks = new(mm);
        blocks.SetJit(Kernel.Options.Jit, Kernel.Options.JitThreshold);
        return blocks;
    }
}
