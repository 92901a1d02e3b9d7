using System;
using System.Collections.Generic;
using System.Threading;
using X64Emu.Linux.Elf;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Trace;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;

namespace X64Emu.Linux;

/// <summary>
/// The guest kernel: the emulated machine's memory, the process table, the syscall table, the VFS
/// view and the tracers. One per emulator run; every guest process lives in it.
/// </summary>
/// <remarks>Lock order: <see cref="ProcessLock"/> → GuestProcess.Lock → AddressSpace locks.</remarks>
public sealed partial class Kernel : IDisposable
{
    private readonly Dictionary<int, GuestProcess> _processes = new();
    private readonly HashSet<string> _reported = new();
    private int _nextPid;

    public Kernel(KernelOptions options)
    {
        Options = options;
        Memory = new MemorySystem(options.MemoryBytes);
        PageCache = new PageCacheRegistry(Memory);
        Syscalls = new SyscallTable(this);
        Trace = new Tracer(this);
        _nextPid = Environment.ProcessId;
        HostUid = (uint)Host.LibC.Sys(Host.LibC.NrGetuid);
        HostGid = (uint)Host.LibC.Sys(Host.LibC.NrGetgid);
        BootTime = DateTime.UtcNow;
        Memory.Overcommit = (OvercommitMode)options.Overcommit;
        if (options.KsmRun)
        {
            Memory.Ksm.Run = 1;
        }

        foreach ((ulong size, long count) in options.HugePages)
        {
            long got = Memory.PoolFor(size == PageSizes.HugeSize1G).SetPersistent(count);
            if (got < count)
            {
                options.Diagnostics.WriteLine($"x64emu: --hugepages: only {got} of {count} {size >> 20} MiB pages fit in the emulated RAM (--mem)");
            }
        }
        Host.LibC.Sys(Host.LibC.NrUmask, 0); // guest umasks are applied by the VFS
    }

    public KernelOptions Options { get; }

    public MemorySystem Memory { get; }

    public PageCacheRegistry PageCache { get; }

    public SyscallTable Syscalls { get; }

    public Tracer Trace { get; }

    /// <summary>Counters for --stats, gathered as threads and processes end.</summary>
    public RunStats Totals { get; } = new();

    /// <summary>Prints the run's counters (set by the kernel; the CLI calls it for --stats).</summary>
    public System.Action<System.IO.TextWriter>? FinalStats => Totals.Print;

    public uint HostUid { get; }

    public uint HostGid { get; }

    public DateTime BootTime { get; }

    /// <summary>Guards the process table, parent/child links and waits.</summary>
    public object ProcessLock { get; } = new();

    /// <summary>The first guest process; its exit ends the run.</summary>
    public GuestProcess? Init { get; private set; }

    /// <summary>Says something on stderr once per key (unimplemented syscalls, ignored requests).</summary>
    public void ReportOnce(string key, string message)
    {
        lock (_reported)
        {
            if (!_reported.Add(key))
            {
                return;
            }
        }

        Options.Diagnostics.WriteLine(message);
        Options.Diagnostics.Flush();
    }

    public int AllocatePid()
    {
        lock (ProcessLock)
        {
            return _nextPid++;
        }
    }

    public GuestProcess? FindProcess(int pid)
    {
        lock (ProcessLock)
        {
            return _processes.TryGetValue(pid, out GuestProcess? p) ? p : null;
        }
    }

    public List<GuestProcess> AllProcesses()
    {
        lock (ProcessLock)
        {
            return new List<GuestProcess>(_processes.Values);
        }
    }

    /// <summary>Drops a reaped process from the table. Preconditions: ProcessLock held.</summary>
    internal void RemoveProcess(GuestProcess p)
    {
        _processes.Remove(p.Pid);
    }

    internal void AddProcess(GuestProcess p)
    {
        lock (ProcessLock)
        {
            _processes[p.Pid] = p;
        }
    }

    /// <summary>
    /// Runs a program as the first guest process on the calling thread and returns the emulator's
    /// exit status: the guest's exit code, or 128 + N when signal N killed it.
    /// </summary>
    public int Run(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        FdTable fds = new();
        for (int fd = 0; fd <= 2; fd++)
        {
            int flags = (int)Host.LibC.Sys(Host.LibC.NrFcntl, fd, 3 /* F_GETFL */);
            if (flags >= 0)
            {
                fds.InstallAt(fd, new HostFile(this, fd, fd == 0 ? "/dev/stdin" : fd == 1 ? "/dev/stdout" : "/dev/stderr", flags, ownsFd: false), cloexec: false);
            }
        }

        Credentials creds = new()
        {
            Uid = HostUid, Euid = HostUid, Suid = HostUid, Fsuid = HostUid,
            Gid = HostGid, Egid = HostGid, Sgid = HostGid, Fsgid = HostGid,
        };
        AddressSpace mm = NewAddressSpace();
        GuestProcess p = new(this, AllocatePid(), mm, fds, creds, Environment.CurrentDirectory);
        Init = p;
        AddProcess(p);
        GuestThread t = new(p, p.Pid);
        p.Threads.Add(t);

        long r = Exec.Load(this, t, path, argv, envp);
        if (r < 0)
        {
            throw new ExecFailedException(path, r, Exec.LastError ?? Errno.Message(-r));
        }

        t.Run();
        lock (ProcessLock)
        {
            while (!p.Zombie)
            {
                Monitor.Wait(ProcessLock);
            }
        }

        return ExitCodeOf(p.WaitStatus);
    }

    /// <summary>A shell's exit status for a wait status.</summary>
    public static int ExitCodeOf(int waitStatus) => (waitStatus & 0x7F) == 0 ? (waitStatus >> 8) & 0xFF : 128 + (waitStatus & 0x7F);

    public AddressSpace NewAddressSpace()
    {
        AddressSpace mm = new(Memory)
        {
            WxEnforced = Options.WxEnforced,
            LinuxQuirks = Options.LinuxQuirks,
            CapSysRawio = Options.Capabilities.Contains("CAP_SYS_RAWIO"),
            CapSysAdmin = Options.Capabilities.Contains("CAP_SYS_ADMIN"),
            CapIpcLock = Options.Capabilities.Contains("CAP_IPC_LOCK"),
        };
        if (Options.TraceFaults)
        {
            System.IO.TextWriter w = Options.Diagnostics;
            mm.FaultTrace = line =>
            {
                lock (w)
                {
                    w.WriteLine(line);
                }
            };
        }

        return mm;
    }

    public void Dispose()
    {
        Memory.Dispose();
    }
}
