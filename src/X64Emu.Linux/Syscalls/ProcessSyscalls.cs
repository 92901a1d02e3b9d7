using System;
using System.Buffers.Binary;
using System.Text;
using System.Threading;
using X64Emu.Cpu;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>Process and thread identity and lifetime syscalls.</summary>
public static unsafe partial class ProcessSyscalls
{
    public static void Register(SyscallTable t)
    {
        t.Define(SyscallNumber.Exit, &Exit);
        t.Define(SyscallNumber.ExitGroup, &ExitGroup);
        t.Define(SyscallNumber.Getpid, &Getpid);
        t.Define(SyscallNumber.Gettid, &Gettid);
        t.Define(SyscallNumber.Getppid, &Getppid);
        t.Define(SyscallNumber.Getuid, &Getuid);
        t.Define(SyscallNumber.Geteuid, &Geteuid);
        t.Define(SyscallNumber.Getgid, &Getgid);
        t.Define(SyscallNumber.Getegid, &Getegid);
        t.Define(SyscallNumber.Getresuid, &Getresuid);
        t.Define(SyscallNumber.Getresgid, &Getresgid);
        t.Define(SyscallNumber.Getgroups, &Getgroups);
        t.Define(SyscallNumber.Getpgrp, &Getpgrp);
        t.Define(SyscallNumber.Getpgid, &Getpgid);
        t.Define(SyscallNumber.Setpgid, &Setpgid);
        t.Define(SyscallNumber.Getsid, &Getsid);
        t.Define(SyscallNumber.Setsid, &Setsid);
        t.Define(SyscallNumber.ArchPrctl, &ArchPrctl);
        t.Define(SyscallNumber.SetTidAddress, &SetTidAddress);
        t.Define(SyscallNumber.SetRobustList, &SetRobustList);
        t.Define(SyscallNumber.Rseq, &Rseq);
        t.Define(SyscallNumber.Prctl, &Prctl);
        t.Define(SyscallNumber.Wait4, &Wait4);
        t.Define(SyscallNumber.Futex, &FutexCall);
        t.Define(SyscallNumber.SchedYield, &SchedYield);
        RegisterLifecycle(t);
        RegisterCredentials(t);
    }

    static partial void RegisterLifecycle(SyscallTable t);

    static partial void RegisterCredentials(SyscallTable t);

    public static long Exit(GuestThread t, ref SyscallArgs a)
    {
        lock (t.Process.Lock)
        {
            if (t.Process.Threads.Count == 1)
            {
                t.Process.WaitStatus = ((int)a.A0 & 0xFF) << 8;
            }
        }

        t.Exit((int)a.A0 & 0xFF);
        return 0;
    }

    public static long ExitGroup(GuestThread t, ref SyscallArgs a)
    {
        t.Kernel.ExitGroup(t, ((int)a.A0 & 0xFF) << 8);
        t.Exit((int)a.A0 & 0xFF);
        return 0;
    }

    public static long Getpid(GuestThread t, ref SyscallArgs a) => t.Process.Pid;

    public static long Gettid(GuestThread t, ref SyscallArgs a) => t.Tid;

    public static long Getppid(GuestThread t, ref SyscallArgs a) =>
        t.Process.Parent != null ? t.Process.Parent.Pid : ReferenceEquals(t.Process, t.Kernel.Init) ? HostParentPid() : 1;

    private static long HostParentPid()
    {
        try
        {
            string stat = System.IO.File.ReadAllText("/proc/self/stat");
            string[] f = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            return long.Parse(f[1]);
        }
        catch (Exception e) when (e is System.IO.IOException or FormatException or ArgumentOutOfRangeException)
        {
            return 0;
        }
    }

    public static long Getuid(GuestThread t, ref SyscallArgs a) => t.Process.Creds.Uid;

    public static long Geteuid(GuestThread t, ref SyscallArgs a) => t.Process.Creds.Euid;

    public static long Getgid(GuestThread t, ref SyscallArgs a) => t.Process.Creds.Gid;

    public static long Getegid(GuestThread t, ref SyscallArgs a) => t.Process.Creds.Egid;

    private static long Write3(GuestThread t, ulong a, ulong b, ulong c, uint x, uint y, uint z)
    {
        return t.Process.Mm.WriteUser32(a, x) && t.Process.Mm.WriteUser32(b, y) && t.Process.Mm.WriteUser32(c, z) ? 0 : -Errno.EFAULT;
    }

    public static long Getresuid(GuestThread t, ref SyscallArgs a) => Write3(t, a.A0, a.A1, a.A2, t.Process.Creds.Uid, t.Process.Creds.Euid, t.Process.Creds.Suid);

    public static long Getresgid(GuestThread t, ref SyscallArgs a) => Write3(t, a.A0, a.A1, a.A2, t.Process.Creds.Gid, t.Process.Creds.Egid, t.Process.Creds.Sgid);

    public static long Getgroups(GuestThread t, ref SyscallArgs a)
    {
        uint[] g = t.Process.Creds.Groups;
        if ((int)a.A0 < 0)
        {
            return -Errno.EINVAL;
        }

        if (a.A0 == 0)
        {
            return g.Length;
        }

        if ((int)a.A0 < g.Length)
        {
            return -Errno.EINVAL;
        }

        for (int i = 0; i < g.Length; i++)
        {
            if (!t.Process.Mm.WriteUser32(a.A1 + (ulong)(i * 4), g[i]))
            {
                return -Errno.EFAULT;
            }
        }

        return g.Length;
    }

    public static long Getpgrp(GuestThread t, ref SyscallArgs a) => t.Process.Pgid;

    public static long Getpgid(GuestThread t, ref SyscallArgs a)
    {
        GuestProcess? p = a.A0 == 0 ? t.Process : t.Kernel.FindProcess((int)a.A0);
        return p == null ? -Errno.ESRCH : p.Pgid;
    }

    public static long Setpgid(GuestThread t, ref SyscallArgs a)
    {
        GuestProcess? p = a.A0 == 0 ? t.Process : t.Kernel.FindProcess((int)a.A0);
        if (p == null || (!ReferenceEquals(p, t.Process) && !ReferenceEquals(p.Parent, t.Process)))
        {
            return -Errno.ESRCH;
        }

        if ((int)a.A1 < 0)
        {
            return -Errno.EINVAL;
        }

        p.Pgid = a.A1 == 0 ? p.Pid : (int)a.A1;
        return 0;
    }

    public static long Getsid(GuestThread t, ref SyscallArgs a)
    {
        GuestProcess? p = a.A0 == 0 ? t.Process : t.Kernel.FindProcess((int)a.A0);
        return p == null ? -Errno.ESRCH : p.Sid;
    }

    public static long Setsid(GuestThread t, ref SyscallArgs a)
    {
        if (t.Process.Pgid == t.Process.Pid)
        {
            return -Errno.EPERM;
        }

        t.Process.Sid = t.Process.Pid;
        t.Process.Pgid = t.Process.Pid;
        return t.Process.Pid;
    }

    public static long ArchPrctl(GuestThread t, ref SyscallArgs a)
    {
        switch (a.A0)
        {
            case 0x1002: // ARCH_SET_FS
            case 0x1001: // ARCH_SET_GS
                if (a.A1 >= 0x8000_0000_0000UL && (long)a.A1 >> 47 != -1)
                {
                    return -Errno.EPERM; // non-canonical
                }

                t.Cpu.Gpr(a.A0 == 0x1002 ? Reg.FsBase : Reg.GsBase) = a.A1;
                return 0;
            case 0x1003: // ARCH_GET_FS
                return t.Process.Mm.WriteUser64(a.A1, t.Cpu.Gpr(Reg.FsBase)) ? 0 : -Errno.EFAULT;
            case 0x1004: // ARCH_GET_GS
                return t.Process.Mm.WriteUser64(a.A1, t.Cpu.Gpr(Reg.GsBase)) ? 0 : -Errno.EFAULT;
            case 0x1011: // ARCH_GET_CPUID: CPUID is always allowed
                return 1;
            default:
                return -Errno.EINVAL;
        }
    }

    public static long SetTidAddress(GuestThread t, ref SyscallArgs a)
    {
        t.ClearChildTid = a.A0;
        return t.Tid;
    }

    public static long SetRobustList(GuestThread t, ref SyscallArgs a)
    {
        if (a.A1 != 24)
        {
            return -Errno.EINVAL;
        }

        t.RobustList = a.A0;
        t.RobustListLength = a.A1;
        return 0;
    }

    /// <summary>
    /// rseq registration: accepted and the area's cpu_id fields set to CPU 0. Guest threads are never
    /// preempted inside a restartable sequence by the emulator, so no abort is ever needed.
    /// </summary>
    public static long Rseq(GuestThread t, ref SyscallArgs a)
    {
        ulong rseq = a.A0;
        uint len = (uint)a.A1;
        int flags = (int)a.A2;
        if (flags == 1)
        {
            // RSEQ_FLAG_UNREGISTER
            if (t.RseqArea != rseq || t.RseqLength != len)
            {
                return -Errno.EINVAL;
            }

            t.RseqArea = 0;
            return 0;
        }

        if (flags != 0 || len < 32 || (rseq & 31) != 0)
        {
            return -Errno.EINVAL;
        }

        if (t.RseqArea != 0)
        {
            return t.RseqArea == rseq && t.RseqLength == len ? -Errno.EBUSY : -Errno.EINVAL;
        }

        // cpu_id_start (u32 @0) and cpu_id (u32 @4) = 0; node_id (@24) = 0; mm_cid (@28) = 0.
        if (!t.Process.Mm.WriteUser32(rseq, 0) || !t.Process.Mm.WriteUser32(rseq + 4, 0))
        {
            return -Errno.EFAULT;
        }

        t.RseqArea = rseq;
        t.RseqLength = len;
        return 0;
    }

    public static long SchedYield(GuestThread t, ref SyscallArgs a)
    {
        Thread.Yield();
        return 0;
    }

    public static long FutexCall(GuestThread t, ref SyscallArgs a)
    {
        int op = (int)a.A1 & 0x7F;
        switch (op)
        {
            case 0: // FUTEX_WAIT (relative timeout)
            case 9: // FUTEX_WAIT_BITSET (absolute timeout)
            {
                long timeout = -1;
                if (a.A3 != 0)
                {
                    byte[] ts = new byte[16];
                    if (!t.Process.Mm.ReadUser(a.A3, ts))
                    {
                        return -Errno.EFAULT;
                    }

                    long sec = BinaryPrimitives.ReadInt64LittleEndian(ts);
                    long nsec = BinaryPrimitives.ReadInt64LittleEndian(ts.AsSpan(8));
                    if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000)
                    {
                        return -Errno.EINVAL;
                    }

                    timeout = sec * 1_000_000_000 + nsec;
                    if (op == 9)
                    {
                        bool realtime = ((int)a.A1 & 256) != 0;
                        long now = realtime ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 : InfoSyscalls.MonotonicNs();
                        timeout = Math.Max(0, timeout - now);
                    }
                }

                uint bitset = op == 9 ? (uint)a.A5 : uint.MaxValue;
                if (bitset == 0)
                {
                    return -Errno.EINVAL;
                }

                return Tasks.Futex.Wait(t, a.A0, (uint)a.A2, timeout, bitset);
            }

            case 1: // FUTEX_WAKE
            case 10: // FUTEX_WAKE_BITSET
            {
                uint bitset = op == 10 ? (uint)a.A5 : uint.MaxValue;
                return bitset == 0 ? -Errno.EINVAL : Tasks.Futex.Wake(t.Kernel, t.Process, a.A0, (int)Math.Min(a.A2, int.MaxValue), bitset);
            }

            default:
                t.Kernel.ReportOnce("futex:" + op, $"x64emu: futex operation {op} is not implemented; it returns ENOSYS");
                return -Errno.ENOSYS;
        }
    }

    /// <summary>prctl: names, W^X (PR_SET_MDWE / PR_GET_MDWE), and the rest reported as unsupported.</summary>
    public static long Prctl(GuestThread t, ref SyscallArgs a)
    {
        const int PrSetName = 15, PrGetName = 16, PrSetMdwe = 65, PrGetMdwe = 66, PrSetVma = 0x53564d41;
        const int PrGetDumpable = 3, PrSetDumpable = 4, PrSetNoNewPrivs = 38, PrGetNoNewPrivs = 39;
        switch ((int)a.A0)
        {
            case PrSetName:
            {
                byte[] name = new byte[16];
                int n = t.Process.Mm.ReadUserString(a.A1, 15, name);
                if (n == -1)
                {
                    return -Errno.EFAULT;
                }

                t.Process.Comm = Encoding.UTF8.GetString(name, 0, Math.Min(Math.Abs(n == -2 ? 15 : n), 15));
                return 0;
            }

            case PrGetName:
            {
                byte[] name = new byte[16];
                Encoding.UTF8.GetBytes(t.Process.Comm, 0, Math.Min(t.Process.Comm.Length, 15), name, 0);
                return t.Process.Mm.WriteUser(a.A1, name) ? 0 : -Errno.EFAULT;
            }

            case PrSetMdwe:
                return WxPolicy.SetMdwe(t, a.A1, a.A2, a.A3, a.A4);
            case PrGetMdwe:
                return WxPolicy.GetMdwe(t, a.A1, a.A2, a.A3, a.A4);
            case PrGetDumpable:
                return 1;
            case PrSetDumpable:
                return a.A1 <= 1 ? 0 : -Errno.EINVAL;
            case PrSetNoNewPrivs:
                return a.A1 == 1 && a.A2 == 0 ? 0 : -Errno.EINVAL;
            case PrGetNoNewPrivs:
                return 0;
            case PrSetVma:
                return MemorySyscalls.SetVmaAnonName(t, a.A1, a.A2, a.A3, a.A4);
            default:
                t.Kernel.ReportOnce("prctl:" + a.A0, $"x64emu: prctl option {a.A0} is not implemented; it returns EINVAL");
                return -Errno.EINVAL;
        }
    }

    /// <summary>wait4: reaps a zombie child (or reports none with WNOHANG); blocks otherwise.</summary>
    public static long Wait4(GuestThread t, ref SyscallArgs a)
    {
        int pid = (int)a.A0;
        int options = (int)a.A2;
        const int WNohang = 1, WUntraced = 2, WContinued = 8, WAll = 0x40000000, WClone = unchecked((int)0x80000000), WNothread = 0x20000000;
        if ((options & ~(WNohang | WUntraced | WContinued | WAll | WClone | WNothread)) != 0)
        {
            return -Errno.EINVAL;
        }

        Kernel k = t.Kernel;
        GuestProcess self = t.Process;
        while (true)
        {
            GuestProcess? found = null;
            bool any = false;
            lock (k.ProcessLock)
            {
                foreach (GuestProcess c in self.Children)
                {
                    bool match = pid > 0 ? c.Pid == pid : pid == 0 ? c.Pgid == self.Pgid : pid == -1 || c.Pgid == -pid;
                    if (!match)
                    {
                        continue;
                    }

                    any = true;
                    if (c.Zombie)
                    {
                        found = c;
                        break;
                    }
                }

                if (found != null)
                {
                    self.Children.Remove(found);
                    k.RemoveProcess(found);
                }
            }

            if (found != null)
            {
                if (a.A1 != 0 && !self.Mm.WriteUser32(a.A1, (uint)found.WaitStatus))
                {
                    return -Errno.EFAULT;
                }

                if (a.A3 != 0 && !self.Mm.WriteUser(a.A3, new byte[144]))
                {
                    return -Errno.EFAULT;
                }

                return found.Pid;
            }

            if (!any)
            {
                return -Errno.ECHILD;
            }

            if ((options & WNohang) != 0)
            {
                return 0;
            }

            GuestThread.WakeReason why = t.Sleep(() =>
            {
                lock (k.ProcessLock)
                {
                    foreach (GuestProcess c in self.Children)
                    {
                        if (c.Zombie)
                        {
                            return true;
                        }
                    }

                    return false;
                }
            }, -1);
            if (why == GuestThread.WakeReason.Signal)
            {
                return -Errno.EINTR;
            }
        }
    }
}
