using X64Emu.Cpu;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>
/// The one table of syscalls: number → handler, with names from <see cref="SyscallNumber"/> and
/// argument formats from the strace printer. Unimplemented numbers return ENOSYS, named once on stderr.
/// </summary>
public sealed unsafe class SyscallTable
{
    private readonly Kernel _kernel;
    private readonly delegate*<GuestThread, ref SyscallArgs, long>[] _handlers = new delegate*<GuestThread, ref SyscallArgs, long>[SyscallNumber.Count];

    public SyscallTable(Kernel kernel)
    {
        _kernel = kernel;
        MemorySyscalls.Register(this);
        FileSyscalls.Register(this);
        ProcessSyscalls.Register(this);
        SignalSyscalls.Register(this);
        InfoSyscalls.Register(this);
    }

    /// <summary>Counts per syscall number (for --stats).</summary>
    public long[] Counts { get; } = new long[SyscallNumber.Count];

    public void Define(int nr, delegate*<GuestThread, ref SyscallArgs, long> handler)
    {
        if (_handlers[nr] != null)
        {
            throw new System.InvalidOperationException($"syscall {SyscallNumber.Name(nr)} defined twice");
        }

        _handlers[nr] = handler;
    }

    public bool IsImplemented(int nr) => nr >= 0 && nr < _handlers.Length && _handlers[nr] != null;

    /// <summary>Runs the syscall in RAX with the thread's argument registers and stores the result in RAX.</summary>
    public void Dispatch(GuestThread t)
    {
        X64Emu.Cpu.Cpu c = t.Cpu;
        ulong nr = c.Gpr(Reg.Rax);
        SyscallArgs a = new()
        {
            A0 = c.Gpr(Reg.Rdi),
            A1 = c.Gpr(Reg.Rsi),
            A2 = c.Gpr(Reg.Rdx),
            A3 = c.Gpr(Reg.R10),
            A4 = c.Gpr(Reg.R8),
            A5 = c.Gpr(Reg.R9),
        };
        bool trace = _kernel.Options.Strace;
        if (trace)
        {
            _kernel.Trace.Enter(t, nr, ref a);
        }

        long ret;
        if (nr < (ulong)_handlers.Length && _handlers[nr] != null)
        {
            Counts[nr]++;
            ret = _handlers[nr](t, ref a);
        }
        else
        {
            string name = nr < (ulong)_handlers.Length ? SyscallNumber.Name((long)nr) ?? $"syscall_{nr:x}" : $"syscall_{nr:x}";
            _kernel.ReportOnce("enosys:" + nr, $"x64emu: unimplemented syscall {name} ({nr}) returns ENOSYS");
            ret = -Errno.ENOSYS;
        }

        if (trace)
        {
            _kernel.Trace.Exit(t, nr, ref a, ret);
        }

        if (!t.Exiting || t.Process.GroupExiting)
        {
            c.Gpr(Reg.Rax) = (ulong)ret;
        }
    }
}
