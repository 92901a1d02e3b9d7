using System.Collections.Generic;
using X64Emu.Memory;

namespace X64Emu.Linux.Tasks;

/// <summary>
/// Futex wait queues keyed by (address space, address). Waiters sleep on their own thread and are
/// woken through <see cref="GuestThread.Wake"/>.
/// </summary>
public static class Futex
{
    private static readonly Dictionary<(AddressSpace, ulong), List<Waiter>> s_queues = new();

    private sealed class Waiter
    {
        public GuestThread Thread = null!;
        public uint Bitset;
        public bool Woken;
    }

    /// <summary>FUTEX_WAIT: sleeps while *uaddr == val. 0, -EAGAIN, -ETIMEDOUT, -EINTR, -EFAULT.</summary>
    public static long Wait(GuestThread t, ulong uaddr, uint val, long timeoutNs, uint bitset)
    {
        AddressSpace mm = t.Process.Mm;
        Waiter w = new() { Thread = t, Bitset = bitset };
        lock (s_queues)
        {
            byte[] cur = new byte[4];
            if (!mm.ReadUser(uaddr, cur))
            {
                return -Syscalls.Errno.EFAULT;
            }

            if (System.BitConverter.ToUInt32(cur) != val)
            {
                return -Syscalls.Errno.EAGAIN;
            }

            if (!s_queues.TryGetValue((mm, uaddr), out List<Waiter>? q))
            {
                q = new List<Waiter>();
                s_queues.Add((mm, uaddr), q);
            }

            q.Add(w);
        }

        GuestThread.WakeReason why = t.Sleep(() => { lock (s_queues) { return w.Woken; } }, timeoutNs);
        lock (s_queues)
        {
            if (w.Woken)
            {
                return 0;
            }

            if (s_queues.TryGetValue((mm, uaddr), out List<Waiter>? q))
            {
                q.Remove(w);
                if (q.Count == 0)
                {
                    s_queues.Remove((mm, uaddr));
                }
            }
        }

        return why == GuestThread.WakeReason.Timeout ? -Syscalls.Errno.ETIMEDOUT : -Syscalls.Errno.EINTR;
    }

    /// <summary>FUTEX_WAKE: wakes up to <paramref name="count"/> waiters whose bitset matches; returns how many.</summary>
    public static long Wake(Kernel k, GuestProcess p, ulong uaddr, int count, uint bitset = uint.MaxValue)
    {
        _ = k;
        List<GuestThread> woken = new();
        lock (s_queues)
        {
            if (!s_queues.TryGetValue((p.Mm, uaddr), out List<Waiter>? q))
            {
                return 0;
            }

            for (int i = 0; i < q.Count && woken.Count < count;)
            {
                if ((q[i].Bitset & bitset) != 0)
                {
                    q[i].Woken = true;
                    woken.Add(q[i].Thread);
                    q.RemoveAt(i);
                }
                else
                {
                    i++;
                }
            }

            if (q.Count == 0)
            {
                s_queues.Remove((p.Mm, uaddr));
            }
        }

        foreach (GuestThread t in woken)
        {
            t.Wake();
        }

        return woken.Count;
    }
}
