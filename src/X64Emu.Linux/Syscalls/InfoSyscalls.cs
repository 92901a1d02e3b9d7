using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using X64Emu.Linux.Host;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>Time, system information, randomness and resource limits.</summary>
public static unsafe class InfoSyscalls
{
    public static void Register(SyscallTable t)
    {
        t.Define(SyscallNumber.Uname, &Uname);
        t.Define(SyscallNumber.ClockGettime, &ClockGettime);
        t.Define(SyscallNumber.ClockGetres, &ClockGetres);
        t.Define(SyscallNumber.Gettimeofday, &Gettimeofday);
        t.Define(SyscallNumber.Time, &Time);
        t.Define(SyscallNumber.Nanosleep, &Nanosleep);
        t.Define(SyscallNumber.ClockNanosleep, &ClockNanosleep);
        t.Define(SyscallNumber.Getrandom, &Getrandom);
        t.Define(SyscallNumber.Sysinfo, &Sysinfo);
        t.Define(SyscallNumber.Prlimit64, &Prlimit64);
        t.Define(SyscallNumber.Getrlimit, &Getrlimit);
        t.Define(SyscallNumber.Setrlimit, &Setrlimit);
        t.Define(SyscallNumber.Getrusage, &Getrusage);
        t.Define(SyscallNumber.SchedGetaffinity, &SchedGetaffinity);
        t.Define(SyscallNumber.SchedSetaffinity, &SchedSetaffinity);
        t.Define(SyscallNumber.Getcpu, &Getcpu);
    }

    private static readonly long s_start = Stopwatch.GetTimestamp();

    /// <summary>CLOCK_MONOTONIC in ns (the host's).</summary>
    public static long MonotonicNs()
    {
        long* ts = stackalloc long[2];
        LibC.Sys(LibC.NrClockGettime, 1, (long)ts);
        return (ts[0] * 1_000_000_000) + ts[1];
    }

    public static long Uname(GuestThread t, ref SyscallArgs a)
    {
        byte[] u = new byte[390];
        long r;
        fixed (byte* p = u)
        {
            r = LibC.Sys(LibC.NrUname, (long)p);
        }

        if (r < 0)
        {
            return r;
        }

        return t.Process.Mm.WriteUser(a.A0, u) ? 0 : -Errno.EFAULT;
    }

    public static long ClockGettime(GuestThread t, ref SyscallArgs a)
    {
        long* ts = stackalloc long[2];
        long r = LibC.Sys(LibC.NrClockGettime, (long)a.A0, (long)ts);
        if (r < 0)
        {
            return r;
        }

        return t.Process.Mm.WriteUser(a.A1, new ReadOnlySpan<byte>(ts, 16)) ? 0 : -Errno.EFAULT;
    }

    public static long ClockGetres(GuestThread t, ref SyscallArgs a)
    {
        long* ts = stackalloc long[2];
        long r = LibC.Sys(LibC.NrClockGetres, (long)a.A0, (long)ts);
        if (r < 0 || a.A1 == 0)
        {
            return r;
        }

        return t.Process.Mm.WriteUser(a.A1, new ReadOnlySpan<byte>(ts, 16)) ? 0 : -Errno.EFAULT;
    }

    public static long Gettimeofday(GuestThread t, ref SyscallArgs a)
    {
        if (a.A0 != 0)
        {
            long* ts = stackalloc long[2];
            LibC.Sys(LibC.NrClockGettime, 0, (long)ts);
            ts[1] /= 1000;
            if (!t.Process.Mm.WriteUser(a.A0, new ReadOnlySpan<byte>(ts, 16)))
            {
                return -Errno.EFAULT;
            }
        }

        if (a.A1 != 0 && !t.Process.Mm.WriteUser(a.A1, new byte[8]))
        {
            return -Errno.EFAULT;
        }

        return 0;
    }

    public static long Time(GuestThread t, ref SyscallArgs a)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (a.A0 != 0 && !t.Process.Mm.WriteUser64(a.A0, (ulong)now))
        {
            return -Errno.EFAULT;
        }

        return now;
    }

    private static long ReadTimespec(GuestThread t, ulong va, out long ns)
    {
        ns = 0;
        byte[] ts = new byte[16];
        if (!t.Process.Mm.ReadUser(va, ts))
        {
            return -Errno.EFAULT;
        }

        long sec = BinaryPrimitives.ReadInt64LittleEndian(ts);
        long nsec = BinaryPrimitives.ReadInt64LittleEndian(ts.AsSpan(8));
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000)
        {
            return -Errno.EINVAL;
        }

        ns = sec > long.MaxValue / 1_000_000_000 - 1 ? long.MaxValue : (sec * 1_000_000_000) + nsec;
        return 0;
    }

    private static long SleepFor(GuestThread t, long ns, ulong remVa)
    {
        long start = MonotonicNs();
        GuestThread.WakeReason why = t.Sleep(() => false, ns);
        if (why == GuestThread.WakeReason.Timeout)
        {
            return 0;
        }

        if (remVa != 0)
        {
            long left = Math.Max(0, ns - (MonotonicNs() - start));
            byte[] ts = new byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(ts, left / 1_000_000_000);
            BinaryPrimitives.WriteInt64LittleEndian(ts.AsSpan(8), left % 1_000_000_000);
            t.Process.Mm.WriteUser(remVa, ts);
        }

        return -Errno.EINTR;
    }

    public static long Nanosleep(GuestThread t, ref SyscallArgs a)
    {
        long r = ReadTimespec(t, a.A0, out long ns);
        return r < 0 ? r : SleepFor(t, ns, a.A1);
    }

    public static long ClockNanosleep(GuestThread t, ref SyscallArgs a)
    {
        if (a.A0 is not (0 or 1 or 7 or 8 or 9))
        {
            return a.A0 is 2 or 3 ? -Errno.ENOTSUP : -Errno.EINVAL;
        }

        long r = ReadTimespec(t, a.A2, out long ns);
        if (r < 0)
        {
            return r;
        }

        if ((a.A1 & 1) != 0)
        {
            // TIMER_ABSTIME against the given clock.
            long* ts = stackalloc long[2];
            LibC.Sys(LibC.NrClockGettime, (long)a.A0, (long)ts);
            ns = Math.Max(0, ns - ((ts[0] * 1_000_000_000) + ts[1]));
            return SleepFor(t, ns, 0);
        }

        return SleepFor(t, ns, a.A3);
    }

    public static long Getrandom(GuestThread t, ref SyscallArgs a)
    {
        if ((a.A2 & ~7UL) != 0 || (a.A2 & 6) == 6)
        {
            return -Errno.EINVAL;
        }

        int n = (int)Math.Min(a.A1, 33554431);
        byte[] b = new byte[n];
        Host.LibC.FillRandom(b);
        return t.Process.Mm.WriteUser(a.A0, b) ? n : -Errno.EFAULT;
    }

    public static long Sysinfo(GuestThread t, ref SyscallArgs a)
    {
        Memory.MemorySystem m = t.Kernel.Memory;
        byte[] s = new byte[112];
        BinaryPrimitives.WriteInt64LittleEndian(s, (long)(Stopwatch.GetElapsedTime(s_start).TotalSeconds));
        BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(32), (ulong)m.TotalRamPages * 4096);
        BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(40), (ulong)m.Physical.Allocator.FreeFrames * 4096);
        BinaryPrimitives.WriteUInt16LittleEndian(s.AsSpan(80), (ushort)t.Kernel.AllProcesses().Count);
        BinaryPrimitives.WriteUInt32LittleEndian(s.AsSpan(104), 1); // mem_unit
        return t.Process.Mm.WriteUser(a.A0, s) ? 0 : -Errno.EFAULT;
    }

    private static long Prlimit(GuestThread t, int pid, int resource, ulong newVa, ulong oldVa)
    {
        if (resource < 0 || resource >= Rlimit.Count)
        {
            return -Errno.EINVAL;
        }

        GuestProcess? p = pid == 0 ? t.Process : t.Kernel.FindProcess(pid);
        if (p == null)
        {
            return -Errno.ESRCH;
        }

        (ulong cur, ulong max) = p.Limits[resource];
        if (newVa != 0)
        {
            byte[] nb = new byte[16];
            if (!t.Process.Mm.ReadUser(newVa, nb))
            {
                return -Errno.EFAULT;
            }

            ulong ncur = BinaryPrimitives.ReadUInt64LittleEndian(nb);
            ulong nmax = BinaryPrimitives.ReadUInt64LittleEndian(nb.AsSpan(8));
            if (ncur > nmax)
            {
                return -Errno.EINVAL;
            }

            if (nmax > max && p.Creds.Euid != 0)
            {
                return -Errno.EPERM;
            }

            if (resource == Rlimit.Nofile && nmax > 1048576)
            {
                return -Errno.EPERM;
            }

            p.Limits[resource] = (ncur, nmax);
            ApplyLimit(p, resource, ncur);
        }

        if (oldVa != 0)
        {
            byte[] ob = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(ob, cur);
            BinaryPrimitives.WriteUInt64LittleEndian(ob.AsSpan(8), max);
            if (!t.Process.Mm.WriteUser(oldVa, ob))
            {
                return -Errno.EFAULT;
            }
        }

        return 0;
    }

    /// <summary>Pushes a changed limit into the layer that enforces it.</summary>
    private static void ApplyLimit(GuestProcess p, int resource, ulong cur)
    {
        switch (resource)
        {
            case Rlimit.Stack: p.Mm.StackLimit = cur; break;
            case Rlimit.Memlock: p.Mm.MemlockLimit = cur; break;
            case Rlimit.As: p.Mm.AddressSpaceLimit = cur; break;
            case Rlimit.Data: p.Mm.DataLimit = cur; break;
            case Rlimit.Nofile: p.Fds.Limit = (int)Math.Min(cur, 1048576); break;
        }
    }

    public static long Prlimit64(GuestThread t, ref SyscallArgs a) => Prlimit(t, (int)a.A0, (int)a.A1, a.A2, a.A3);

    public static long Getrlimit(GuestThread t, ref SyscallArgs a) => Prlimit(t, 0, (int)a.A0, 0, a.A1);

    public static long Setrlimit(GuestThread t, ref SyscallArgs a) => Prlimit(t, 0, (int)a.A0, a.A1, 0);

    public static long Getrusage(GuestThread t, ref SyscallArgs a)
    {
        if ((int)a.A0 is not (0 or -1 or 1))
        {
            return -Errno.EINVAL;
        }

        byte[] ru = new byte[144];
        BinaryPrimitives.WriteInt64LittleEndian(ru.AsSpan(32), (t.Process.Mm.HiwaterRss) * 4); // ru_maxrss in kB
        BinaryPrimitives.WriteInt64LittleEndian(ru.AsSpan(64), t.Process.Mm.MinorFaults);
        BinaryPrimitives.WriteInt64LittleEndian(ru.AsSpan(72), t.Process.Mm.MajorFaults);
        return t.Process.Mm.WriteUser(a.A1, ru) ? 0 : -Errno.EFAULT;
    }

    /// <summary>The CPUs the guest sees online: as many as the host has, up to 64.</summary>
    public static ulong OnlineCpus => Environment.ProcessorCount >= 64 ? ulong.MaxValue : (1UL << Environment.ProcessorCount) - 1;

    /// <summary>The thread a sched_*affinity pid names: 0 for the caller, else any thread id (find_task_by_vpid).</summary>
    private static GuestThread? AffinityTarget(GuestThread t, int pid)
    {
        if (pid == 0)
        {
            return t;
        }

        foreach (GuestProcess p in t.Kernel.AllProcesses())
        {
            lock (p.Lock)
            {
                foreach (GuestThread th in p.Threads)
                {
                    if (th.Tid == pid)
                    {
                        return th;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// sched_getaffinity(pid, len, mask) (kernel/sched/syscalls.c): EINVAL unless len is a multiple of 8 covering
    /// every CPU id; ESRCH for an unknown pid; writes and returns the 8 bytes of the mask.
    /// </summary>
    public static long SchedGetaffinity(GuestThread t, ref SyscallArgs a)
    {
        if (a.A1 < 8 || (a.A1 & 7) != 0)
        {
            return -Errno.EINVAL;
        }

        GuestThread? target = AffinityTarget(t, (int)a.A0);
        if (target == null)
        {
            return -Errno.ESRCH;
        }

        byte[] mask = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(mask, target.CpuAffinity);
        return t.Process.Mm.WriteUser(a.A2, mask) ? 8 : -Errno.EFAULT;
    }

    /// <summary>
    /// sched_setaffinity(pid, len, mask): a shorter mask is zero-extended and a longer one cut (get_user_cpu_mask;
    /// EFAULT if unreadable); ESRCH for an unknown pid; EINVAL when no online CPU is left. Every guest task has the
    /// caller's credentials, so the EPERM check cannot fail. The guest's threads all run wherever the host schedules
    /// them; the mask is what sched_getaffinity and getcpu report.
    /// </summary>
    public static long SchedSetaffinity(GuestThread t, ref SyscallArgs a)
    {
        byte[] raw = new byte[8];
        int len = (int)Math.Min(a.A1, 8UL);
        if (len > 0 && !t.Process.Mm.ReadUser(a.A2, raw.AsSpan(0, len)))
        {
            return -Errno.EFAULT;
        }

        GuestThread? target = AffinityTarget(t, (int)a.A0);
        if (target == null)
        {
            return -Errno.ESRCH;
        }

        ulong mask = BinaryPrimitives.ReadUInt64LittleEndian(raw) & OnlineCpus;
        if (mask == 0)
        {
            return -Errno.EINVAL;
        }

        target.CpuAffinity = mask;
        return 0;
    }

    /// <summary>getcpu: the guest runs on the lowest CPU its affinity allows (CPU 0 unless moved); node 0.</summary>
    public static long Getcpu(GuestThread t, ref SyscallArgs a)
    {
        if (a.A0 != 0 && !t.Process.Mm.WriteUser32(a.A0, (uint)System.Numerics.BitOperations.TrailingZeroCount(t.CpuAffinity)))
        {
            return -Errno.EFAULT;
        }

        if (a.A1 != 0 && !t.Process.Mm.WriteUser32(a.A1, 0))
        {
            return -Errno.EFAULT;
        }

        return 0;
    }
}
