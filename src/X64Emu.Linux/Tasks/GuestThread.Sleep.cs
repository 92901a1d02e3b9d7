using System;
using System.Diagnostics;
using System.Threading;

namespace X64Emu.Linux.Tasks;

public sealed partial class GuestThread
{
    private readonly object _sleepLock = new();
    private int _wakeups;

    /// <summary>Why a sleep ended.</summary>
    public enum WakeReason
    {
        Condition,
        Timeout,
        Signal,
    }

    /// <summary>Wakes the thread from <see cref="Sleep"/> (a signal, a futex wake, a child's exit).</summary>
    public void Wake()
    {
        lock (_sleepLock)
        {
            _wakeups++;
            Monitor.PulseAll(_sleepLock);
        }
    }

    /// <summary>
    /// Blocks until <paramref name="done"/> is true (checked after each wake-up), a deliverable signal
    /// arrives, the thread must exit, or <paramref name="timeoutNs"/> passes (negative = forever).
    /// </summary>
    public WakeReason Sleep(Func<bool> done, long timeoutNs)
    {
        long deadline = timeoutNs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeoutNs * (Stopwatch.Frequency / 1e9));
        while (true)
        {
            // The condition runs without _sleepLock held: it may take other locks (ProcessLock in wait4)
            // whose holders call Wake(). A wake-up between the check and the wait bumps _wakeups, so it is not lost.
            long seen;
            lock (_sleepLock)
            {
                seen = _wakeups;
            }

            if (done())
            {
                return WakeReason.Condition;
            }

            if (Exiting || Process.GroupExiting || HasDeliverableSignal)
            {
                return WakeReason.Signal;
            }

            long now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                return WakeReason.Timeout;
            }

            int ms = deadline == long.MaxValue ? 100 : (int)Math.Min(100, Math.Max(1, (deadline - now) * 1000 / Stopwatch.Frequency));
            lock (_sleepLock)
            {
                if (_wakeups == seen)
                {
                    Monitor.Wait(_sleepLock, ms);
                }
            }
        }
    }
}
