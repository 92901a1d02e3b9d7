using System;
using System.Buffers.Binary;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>Signal dispositions, masks, sending and returning from handlers.</summary>
public static unsafe class SignalSyscalls
{
    public static void Register(SyscallTable t)
    {
        t.Define(SyscallNumber.RtSigaction, &RtSigaction);
        t.Define(SyscallNumber.RtSigprocmask, &RtSigprocmask);
        t.Define(SyscallNumber.RtSigreturn, &RtSigreturn);
        t.Define(SyscallNumber.RtSigpending, &RtSigpending);
        t.Define(SyscallNumber.RtSigsuspend, &RtSigsuspend);
        t.Define(SyscallNumber.Sigaltstack, &Sigaltstack);
        t.Define(SyscallNumber.Kill, &Kill);
        t.Define(SyscallNumber.Tgkill, &Tgkill);
        t.Define(SyscallNumber.Tkill, &Tkill);
        t.Define(SyscallNumber.Pause, &Pause);
    }

    public static long RtSigaction(GuestThread t, ref SyscallArgs a)
    {
        int sig = (int)a.A0;
        if (a.A3 != 8 || sig < 1 || sig > Sig.Max)
        {
            return -Errno.EINVAL;
        }

        Span<byte> buf = stackalloc byte[32];
        SigAction updated = default;
        if (a.A1 != 0)
        {
            if (sig == Sig.SIGKILL || sig == Sig.SIGSTOP)
            {
                return -Errno.EINVAL;
            }

            if (!t.Process.Mm.ReadUser(a.A1, buf))
            {
                return -Errno.EFAULT;
            }

            updated.Handler = BinaryPrimitives.ReadUInt64LittleEndian(buf);
            updated.Flags = BinaryPrimitives.ReadUInt64LittleEndian(buf.Slice(8));
            updated.Restorer = BinaryPrimitives.ReadUInt64LittleEndian(buf.Slice(16));
            updated.Mask = BinaryPrimitives.ReadUInt64LittleEndian(buf.Slice(24)) & ~Sig.Unblockable;
        }

        SigAction old;
        lock (t.Process.Lock)
        {
            old = t.Process.Actions[sig];
            if (a.A1 != 0)
            {
                t.Process.Actions[sig] = updated;

                // Setting SIG_IGN (or SIG_DFL for a default-ignored signal) discards it if pending (POSIX).
                if (updated.Handler == SigAction.SigIgn || (updated.Handler == SigAction.SigDfl && Sig.Default(sig) == Sig.DefaultAction.Ignore))
                {
                    t.Process.SharedPending &= ~Sig.Bit(sig);
                    foreach (GuestThread th in t.Process.Threads)
                    {
                        th.Pending &= ~Sig.Bit(sig);
                    }
                }
            }
        }

        if (a.A2 != 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buf, old.Handler);
            BinaryPrimitives.WriteUInt64LittleEndian(buf.Slice(8), old.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(buf.Slice(16), old.Restorer);
            BinaryPrimitives.WriteUInt64LittleEndian(buf.Slice(24), old.Mask);
            if (!t.Process.Mm.WriteUser(a.A2, buf))
            {
                return -Errno.EFAULT;
            }
        }

        return 0;
    }

    public static long RtSigprocmask(GuestThread t, ref SyscallArgs a)
    {
        if (a.A3 != 8)
        {
            return -Errno.EINVAL;
        }

        ulong old = t.SigMask;
        if (a.A1 != 0)
        {
            if (!t.Process.Mm.ReadUser64(a.A1, out ulong set))
            {
                return -Errno.EFAULT;
            }

            ulong updated = a.A0 switch
            {
                0 => old | set,
                1 => old & ~set,
                2 => set,
                _ => ulong.MaxValue,
            };
            if (a.A0 > 2)
            {
                return -Errno.EINVAL;
            }

            t.SigMask = updated & ~Sig.Unblockable;
        }

        if (a.A2 != 0 && !t.Process.Mm.WriteUser64(a.A2, old))
        {
            return -Errno.EFAULT;
        }

        return 0;
    }

    public static long RtSigreturn(GuestThread t, ref SyscallArgs a) => t.SigReturn();

    public static long RtSigpending(GuestThread t, ref SyscallArgs a)
    {
        if (a.A1 > 8)
        {
            return -Errno.EINVAL;
        }

        ulong pending;
        lock (t.Process.Lock)
        {
            pending = (t.Pending | t.Process.SharedPending) & t.SigMask;
        }

        return t.Process.Mm.WriteUser(a.A0, BitConverter.GetBytes(pending).AsSpan(0, (int)a.A1)) ? 0 : -Errno.EFAULT;
    }

    public static long RtSigsuspend(GuestThread t, ref SyscallArgs a)
    {
        if (a.A1 != 8)
        {
            return -Errno.EINVAL;
        }

        if (!t.Process.Mm.ReadUser64(a.A0, out ulong mask))
        {
            return -Errno.EFAULT;
        }

        ulong saved = t.SigMask;
        t.SigMask = mask & ~Sig.Unblockable;
        t.Sleep(() => false, -1);

        // The handler runs with the temporary mask; the original comes back with rt_sigreturn.
        t.SavedMaskForSuspend = saved;
        return -Errno.EINTR;
    }

    public static long Pause(GuestThread t, ref SyscallArgs a)
    {
        t.Sleep(() => false, -1);
        return -Errno.EINTR;
    }

    public static long Sigaltstack(GuestThread t, ref SyscallArgs a)
    {
        const int SsOnStack = 1, SsDisable = 2, MinSigStkSz = 2048;
        ulong sp = t.Cpu.Gpr(X64Emu.Cpu.Reg.Rsp);
        bool onStack = t.AltStackSize != 0 && sp - t.AltStackSp < t.AltStackSize;
        Span<byte> buf = stackalloc byte[24];
        if (a.A0 != 0)
        {
            if (!t.Process.Mm.ReadUser(a.A0, buf))
            {
                return -Errno.EFAULT;
            }

            if (onStack)
            {
                return -Errno.EPERM;
            }

            ulong ssp = BinaryPrimitives.ReadUInt64LittleEndian(buf);
            int flags = BinaryPrimitives.ReadInt32LittleEndian(buf.Slice(8));
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(buf.Slice(16));
            if ((flags & ~(SsDisable | unchecked((int)0x80000000))) != 0)
            {
                return -Errno.EINVAL;
            }

            if ((flags & SsDisable) == 0 && size < MinSigStkSz)
            {
                return -Errno.ENOMEM;
            }

            if ((flags & SsDisable) != 0)
            {
                ssp = 0;
                size = 0;
            }

            if (a.A1 != 0)
            {
                WriteStack(buf, t.AltStackSp, onStack ? SsOnStack : t.AltStackFlags, t.AltStackSize);
                if (!t.Process.Mm.WriteUser(a.A1, buf))
                {
                    return -Errno.EFAULT;
                }
            }

            t.AltStackSp = ssp;
            t.AltStackSize = size;
            t.AltStackFlags = flags & SsDisable;
            return 0;
        }

        if (a.A1 != 0)
        {
            WriteStack(buf, t.AltStackSp, onStack ? SsOnStack : t.AltStackFlags, t.AltStackSize);
            if (!t.Process.Mm.WriteUser(a.A1, buf))
            {
                return -Errno.EFAULT;
            }
        }

        return 0;
    }

    private static void WriteStack(Span<byte> buf, ulong sp, int flags, ulong size)
    {
        buf.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(buf, sp);
        BinaryPrimitives.WriteInt32LittleEndian(buf.Slice(8), flags);
        BinaryPrimitives.WriteUInt64LittleEndian(buf.Slice(16), size);
    }

    private static SigInfo UserInfo(GuestThread t, int sig, int code) => new() { Signo = sig, Code = code, Pid = t.Process.Pid, Uid = t.Process.Creds.Uid };

    public static long Kill(GuestThread t, ref SyscallArgs a)
    {
        int pid = (int)a.A0;
        int sig = (int)a.A1;
        if (sig < 0 || sig > Sig.Max)
        {
            return -Errno.EINVAL;
        }

        Kernel k = t.Kernel;
        bool found = false;
        foreach (GuestProcess p in k.AllProcesses())
        {
            bool match = pid > 0 ? p.Pid == pid : pid == 0 ? p.Pgid == t.Process.Pgid : pid == -1 ? p.Pid != 1 : p.Pgid == -pid;
            if (!match || p.Zombie && pid <= 0)
            {
                continue;
            }

            found = true;
            if (sig != 0 && !p.Zombie)
            {
                k.SendSignal(p, sig, UserInfo(t, sig, SigInfo.SiUser));
            }
        }

        return found ? 0 : -Errno.ESRCH;
    }

    private static long ToThread(GuestThread t, int tgid, int tid, int sig)
    {
        if (sig < 0 || sig > Sig.Max || tid <= 0)
        {
            return -Errno.EINVAL;
        }

        foreach (GuestProcess p in t.Kernel.AllProcesses())
        {
            if (tgid > 0 && p.Pid != tgid)
            {
                continue;
            }

            lock (p.Lock)
            {
                foreach (GuestThread th in p.Threads)
                {
                    if (th.Tid == tid)
                    {
                        if (sig != 0)
                        {
                            t.Kernel.SendSignal(th, sig, UserInfo(t, sig, SigInfo.SiTkill));
                        }

                        return 0;
                    }
                }
            }
        }

        return -Errno.ESRCH;
    }

    public static long Tgkill(GuestThread t, ref SyscallArgs a) => (int)a.A0 <= 0 ? -Errno.EINVAL : ToThread(t, (int)a.A0, (int)a.A1, (int)a.A2);

    public static long Tkill(GuestThread t, ref SyscallArgs a) => ToThread(t, 0, (int)a.A0, (int)a.A1);
}
