using System.Threading;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Tasks;
using X64Emu.Memory;

namespace X64Emu.Linux;

public sealed partial class Kernel
{
    /// <summary>exit_group or a fatal signal: every thread of the process stops at its next boundary.</summary>
    public void ExitGroup(GuestThread t, int waitStatus)
    {
        GuestProcess p = t.Process;
        lock (p.Lock)
        {
            if (!p.GroupExiting)
            {
                p.GroupExiting = true;
                p.WaitStatus = waitStatus;
            }

            foreach (GuestThread other in p.Threads)
            {
                other.Exiting = true;
                if (!ReferenceEquals(other, t))
                {
                    other.Cpu.RequestInterrupt();
                }
            }
        }
    }

    /// <summary>execve in a multi-threaded process: every other thread exits first (de_thread).</summary>
    public void KillOtherThreads(GuestThread keep)
    {
        GuestProcess p = keep.Process;
        lock (p.Lock)
        {
            if (p.Threads.Count <= 1)
            {
                return;
            }

            foreach (GuestThread other in p.Threads)
            {
                if (!ReferenceEquals(other, keep))
                {
                    other.Exiting = true;
                    other.Cpu.RequestInterrupt();
                    other.Wake();
                }
            }
        }

        keep.Sleep(() =>
        {
            lock (p.Lock)
            {
                return p.Threads.Count <= 1;
            }
        }, -1);
    }

    /// <summary>Kills the process with a signal's default action, reporting it as a shell would for the first process.</summary>
    public void KillProcessBySignal(GuestThread t, int sig, bool core)
    {
        GuestProcess p = t.Process;
        if (ReferenceEquals(p, Init))
        {
            string where = sig is Sig.SIGSEGV or Sig.SIGBUS or Sig.SIGILL or Sig.SIGFPE or Sig.SIGTRAP
                ? $" at rip 0x{t.Cpu.R.Rip:x}" + (t.LastCr2 != 0 || sig == Sig.SIGSEGV || sig == Sig.SIGBUS ? $", address 0x{t.LastCr2:x}" : string.Empty)
                : string.Empty;
            string extra = sig == Sig.SIGILL ? IllegalInstructionDetail(t) : string.Empty;
            Options.Diagnostics.WriteLine($"x64emu: {p.ExePath}: {Sig.Description(sig)} ({Sig.Name(sig)}){where}{extra}");
            Options.Diagnostics.Flush();
        }

        if (Options.Strace)
        {
            Trace.Killed(t, sig, core);
        }

        ExitGroup(t, sig | (core ? 0x80 : 0));
    }

    /// <summary>Names the bytes and mnemonic at RIP for an unhandled SIGILL.</summary>
    private static string IllegalInstructionDetail(GuestThread t)
    {
        byte[] bytes = new byte[15];
        int n = 0;
        for (; n < bytes.Length; n++)
        {
            byte[] one = new byte[1];
            if (!t.Process.Mm.ReadUser(t.Cpu.R.Rip + (ulong)n, one))
            {
                break;
            }

            bytes[n] = one[0];
        }

        if (n == 0)
        {
            return string.Empty;
        }

        Iced.Intel.Decoder d = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader(bytes, 0, n));
        d.IP = t.Cpu.R.Rip;
        d.Decode(out Iced.Intel.Instruction ins);
        int len = ins.IsInvalid ? System.Math.Min(n, 4) : ins.Length;
        string hex = System.BitConverter.ToString(bytes, 0, len).Replace('-', ' ').ToLowerInvariant();
        // ud0/ud1/ud2 raise #UD by definition, as do instructions whose CPUID feature is not reported.
        bool undefinedByDesign = ins.Mnemonic is Iced.Intel.Mnemonic.Ud0 or Iced.Intel.Mnemonic.Ud1 or Iced.Intel.Mnemonic.Ud2;
        string text = ins.IsInvalid ? "invalid opcode"
            : undefinedByDesign ? ins.ToString() + " (undefined instruction)"
            : ins.ToString() + " (not implemented by X64Emu)";
        return $": {hex}  {text}";
    }

    /// <summary>Emulated RAM ran out during a fault: the OOM killer SIGKILLs the faulting process and says so.</summary>
    public void OomKill(GuestThread t, ulong va)
    {
        GuestProcess p = t.Process;
        AddressSpace mm = p.Mm;
        Options.Diagnostics.WriteLine(
            $"x64emu: Out of memory: Killed process {p.Pid} ({p.Comm}) total-vm:{mm.TotalVm * 4}kB, anon-rss:{mm.RssAnon * 4}kB, " +
            $"file-rss:{mm.RssFile * 4}kB, shmem-rss:{mm.RssShmem * 4}kB (emulated RAM of {Memory.Physical.Size >> 20} MiB exhausted at 0x{va:x}; see --mem)");
        Options.Diagnostics.Flush();
        if (Options.Strace)
        {
            Trace.Killed(t, Sig.SIGKILL, core: false);
        }

        ExitGroup(t, Sig.SIGKILL);
    }

    /// <summary>Called on a thread's host thread when it stops; the last thread out turns the process into a zombie.</summary>
    public void ThreadExited(GuestThread t)
    {
        GuestProcess p = t.Process;
        bool last;
        lock (p.Lock)
        {
            p.Threads.Remove(t);
            last = p.Threads.Count == 0;
            if (!p.GroupExiting && last)
            {
                p.WaitStatus = (t.ExitCode & 0xFF) << 8;
            }
        }

        if (t.ClearChildTid != 0)
        {
            p.Mm.WriteUser32(t.ClearChildTid, 0);
            Futex.Wake(this, p, t.ClearChildTid, 1);
        }

        t.CompleteVfork();
        Totals.AddThread(t.Mmu, t.Cpu);
        t.Mmu.Dispose();
        if (last)
        {
            ProcessExited(p);
        }
    }

    private void ProcessExited(GuestProcess p)
    {
        if (Options.Strace)
        {
            Trace.Exited(p);
        }

        p.Fds.ReleaseUser();
        Totals.AddProcess(p.Mm, p.Blocks);
        p.Mm.ReleaseUser();
        lock (ProcessLock)
        {
            p.Zombie = true;
            foreach (GuestProcess child in p.Children)
            {
                child.Parent = Init != null && !ReferenceEquals(Init, p) ? Init : null;
                child.Parent?.Children.Add(child);
            }

            p.Children.Clear();
            GuestProcess? parent = p.Parent;
            if (parent != null)
            {
                SigAction act = parent.Actions[Sig.SIGCHLD];
                bool autoReap = act.Handler == SigAction.SigIgn || (act.Flags & SigAction.SaNoCldWait) != 0;
                if (autoReap)
                {
                    parent.Children.Remove(p);
                    _processes.Remove(p.Pid);
                }
                else if (p.ExitSignal != 0)
                {
                    int code = (p.WaitStatus & 0x7F) == 0 ? SigInfo.CldExited : ((p.WaitStatus & 0x80) != 0 ? SigInfo.CldDumped : SigInfo.CldKilled);
                    int status = (p.WaitStatus & 0x7F) == 0 ? (p.WaitStatus >> 8) & 0xFF : p.WaitStatus & 0x7F;
                    SendSignal(parent, p.ExitSignal, new SigInfo { Signo = p.ExitSignal, Code = code, Pid = p.Pid, Uid = p.Creds.Uid, Status = status });
                }
            }

            Monitor.PulseAll(ProcessLock);
            if (parent != null)
            {
                foreach (GuestThread pt in parent.Threads)
                {
                    pt.Wake();
                }
            }
        }
    }

    /// <summary>Queues a process-directed signal and wakes a thread that can take it.</summary>
    public void SendSignal(GuestProcess p, int sig, SigInfo info)
    {
        lock (p.Lock)
        {
            if (p.Zombie)
            {
                return;
            }

            SigAction act = p.Actions[sig];
            if (sig != Sig.SIGKILL && (act.Handler == SigAction.SigIgn || (act.Handler == SigAction.SigDfl && Sig.Default(sig) == Sig.DefaultAction.Ignore)))
            {
                return; // discarded at generation time, as Linux does for ignored signals
            }

            if ((p.SharedPending & Sig.Bit(sig)) == 0 || sig >= Sig.SIGRTMIN)
            {
                p.SharedPending |= Sig.Bit(sig);
                p.SharedInfo[sig] = info;
            }

            foreach (GuestThread t in p.Threads)
            {
                if ((t.SigMask & Sig.Bit(sig)) == 0 || sig == Sig.SIGKILL)
                {
                    t.Cpu.RequestInterrupt();
                    t.Wake();
                    break;
                }
            }
        }
    }

    /// <summary>Queues a thread-directed signal (tgkill, faults).</summary>
    public void SendSignal(GuestThread t, int sig, SigInfo info)
    {
        lock (t.Process.Lock)
        {
            SigAction act = t.Process.Actions[sig];
            if (sig != Sig.SIGKILL && (act.Handler == SigAction.SigIgn || (act.Handler == SigAction.SigDfl && Sig.Default(sig) == Sig.DefaultAction.Ignore)))
            {
                return;
            }

            t.Pending |= Sig.Bit(sig);
            t.PendingInfo[sig] = info;
        }

        t.Cpu.RequestInterrupt();
        t.Wake();
    }
}
