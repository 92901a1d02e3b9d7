using System;
using X64Emu.Cpu;
using X64Emu.Linux.Signals;
using X64Emu.Memory;
using CpuCore = X64Emu.Cpu.Cpu;

namespace X64Emu.Linux.Tasks;

/// <summary>
/// A guest thread: one CPU and MMU view, its signal mask and thread-directed pending signals, and the
/// loop that runs guest code and services what stops it (syscalls, faults, signals). Runs on its own host thread.
/// </summary>
public sealed partial class GuestThread
{
    public GuestThread(GuestProcess process, int tid)
    {
        Process = process;
        Tid = tid;
        Mmu = new Mmu(process.Mm);
        Cpu = new CpuCore(Mmu, process.Blocks);
    }

    public GuestProcess Process { get; }

    public Kernel Kernel => Process.Kernel;

    public int Tid { get; }

    public CpuCore Cpu { get; }

    public Mmu Mmu { get; private set; }

    /// <summary>Blocked signals (bit sig-1).</summary>
    public ulong SigMask;

    /// <summary>
    /// CPU affinity (sched_setaffinity), bit n for CPU n of the <see cref="Environment.ProcessorCount"/> CPUs the guest
    /// sees; inherited by clone and fork. Invariants: never empty; only online CPUs.
    /// </summary>
    public ulong CpuAffinity = Syscalls.InfoSyscalls.OnlineCpus;

    /// <summary>Thread-directed pending signals.</summary>
    public ulong Pending;

    public SigInfo[] PendingInfo { get; } = new SigInfo[Sig.Max + 1];

    /// <summary>set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken at exit.</summary>
    public ulong ClearChildTid;

    public ulong RobustList;

    public ulong RobustListLength;

    /// <summary>sigaltstack.</summary>
    public ulong AltStackSp;

    public ulong AltStackSize;

    public int AltStackFlags = 2; // SS_DISABLE

    /// <summary>Registered rseq area and its length (0 when none).</summary>
    public ulong RseqArea;

    public uint RseqLength;

    /// <summary>Set for a vfork child until it execs or exits; the parent sleeps on it.</summary>
    public VforkDone? Vfork;

    /// <summary>Releases a vfork parent (execve or exit of the child).</summary>
    public void CompleteVfork()
    {
        VforkDone? v = Vfork;
        if (v != null)
        {
            Vfork = null;
            v.Complete();
        }
    }

    /// <summary>The mask rt_sigsuspend replaced; the next handler frame saves it so sigreturn restores it.</summary>
    public ulong? SavedMaskForSuspend;

    /// <summary>Set when the thread must stop running guest code (exit, exit_group, fatal signal).</summary>
    public bool Exiting { get; set; }

    public int ExitCode { get; set; }

    /// <summary>Runs the thread until it exits.</summary>
    public void Run()
    {
        AddressSpace.CurrentMmu = Mmu;
        while (!Exiting)
        {
            ExitReason reason = Cpu.Run();
            switch (reason)
            {
                case ExitReason.Syscall:
                    Kernel.Syscalls.Dispatch(this);
                    break;
                case ExitReason.PageFault:
                    OnPageFault();
                    break;
                case ExitReason.InvalidOpcode:
                    Force(Sig.SIGILL, SigInfo.IllIllOpn, Cpu.R.Rip, trapNo: 6);
                    break;
                case ExitReason.DivideError:
                    Force(Sig.SIGFPE, SigInfo.FpeIntDiv, Cpu.R.Rip, trapNo: 0);
                    break;
                case ExitReason.FloatingPointError:
                    Force(Sig.SIGFPE, SigInfo.FpeFltInv, Cpu.R.Rip, trapNo: 19);
                    break;
                case ExitReason.GeneralProtection:
                case ExitReason.Privileged:
                    Force(Sig.SIGSEGV, SigInfo.SiKernel, 0, trapNo: 13);
                    break;
                case ExitReason.Breakpoint:
                    Force(Sig.SIGTRAP, SigInfo.SiKernel, 0, trapNo: 3);
                    break;
                case ExitReason.Interrupted:
                    break;
            }

            if (!Exiting)
            {
                DeliverSignals();
            }

            if (Process.GroupExiting)
            {
                Exiting = true;
            }
        }

        Kernel.ThreadExited(this);
    }

    /// <summary>Last fault details for the signal frame (trap number, error code, address).</summary>
    internal ulong LastTrapNo;
    internal ulong LastErrorCode;
    internal ulong LastCr2;

    private void OnPageFault()
    {
        Fault f = Mmu.LastFault;
        LastCr2 = f.Va;
        LastErrorCode = 4 | (f.Access == Access.Write ? 2UL : 0) | (f.Access == Access.Fetch ? 0x10UL : 0)
            | (f.Kind is FaultKind.AccErr or FaultKind.PkuErr ? 1UL : 0) | (f.Kind == FaultKind.PkuErr ? 0x20UL : 0);
        switch (f.Kind)
        {
            case FaultKind.MapErr:
                Force(Sig.SIGSEGV, SigInfo.SegvMapErr, f.Va, trapNo: 14);
                break;
            case FaultKind.AccErr:
                Force(Sig.SIGSEGV, SigInfo.SegvAccErr, f.Va, trapNo: 14);
                break;
            case FaultKind.PkuErr:
                Force(Sig.SIGSEGV, SigInfo.SegvPkuErr, f.Va, trapNo: 14, pkey: (uint)f.Pkey);
                break;
            case FaultKind.BusAdrErr:
                Force(Sig.SIGBUS, SigInfo.BusAdrErr, f.Va, trapNo: 14);
                break;
            case FaultKind.GeneralProtection:
                Force(Sig.SIGSEGV, SigInfo.SiKernel, 0, trapNo: 13);
                break;
            case FaultKind.Oom:
                Kernel.OomKill(this, f.Va);
                break;
        }
    }

    /// <summary>
    /// Delivers a synchronous fault signal (force_sig_fault): if the signal is blocked or ignored,
    /// it is unblocked and reset to the default action, so the process dies as Linux makes it.
    /// </summary>
    public void Force(int sig, int code, ulong addr, ulong trapNo, uint pkey = 0)
    {
        LastTrapNo = trapNo;
        if (trapNo != 14)
        {
            LastErrorCode = 0;
            LastCr2 = 0;
        }

        ref SigAction act = ref Process.Actions[sig];
        if ((SigMask & Sig.Bit(sig)) != 0 || act.Handler == SigAction.SigIgn)
        {
            SigMask &= ~Sig.Bit(sig);
            if (act.Handler == SigAction.SigIgn)
            {
                act.Handler = SigAction.SigDfl;
            }
        }

        SigInfo info = new() { Signo = sig, Code = code, Addr = addr, Pkey = pkey, IsFault = true };
        Pending |= Sig.Bit(sig);
        PendingInfo[sig] = info;
    }

    /// <summary>Moves this thread to a new address space (execve): a fresh MMU view and decoded-block cache.</summary>
    public void RebindMmu(AddressSpace mm)
    {
        Mmu old = Mmu;
        Mmu = new Mmu(mm);
        Cpu.SwitchTo(Mmu, Process.Blocks);
        if (ReferenceEquals(AddressSpace.CurrentMmu, old))
        {
            AddressSpace.CurrentMmu = Mmu;
        }

        old.Dispose();
    }

    public void Exit(int code)
    {
        ExitCode = code;
        Exiting = true;
    }

    public override string ToString() => $"thread {Tid} of {Process.Pid}";
}
