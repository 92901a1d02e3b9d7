using System;
using System.Collections.Generic;
using System.Threading;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory.Ksm;

/// <summary>
/// Kernel same-page merging (mm/ksm.c, "ksmd"): while <see cref="Run"/> is 1, a background scanner walks
/// the MADV_MERGEABLE anonymous pages of every address space, <see cref="PagesToScan"/> pages every
/// <see cref="SleepMillisecs"/> ms, and replaces identical pages by one read-only KSM page that writers
/// copy on write. As on Linux, a page is merged only once its checksum was the same on two visits
/// (unchanged pages), a stable table holds the KSM pages and an unstable table the candidates of the
/// current pass; the counters are those of /sys/kernel/mm/ksm.
/// </summary>
/// <remarks>
/// Lock order: the scanner takes one AddressSpace lock at a time, then this object's lock.
/// Nothing here holds a frame reference: a KSM page lives while it is mapped; stale table entries are
/// recognised (flag, reference count, contents) and dropped.
/// </remarks>
public sealed class KsmDaemon : IDisposable
{
    private readonly MemorySystem _system;
    private readonly object _lock = new();
    private readonly Dictionary<ulong, List<long>> _stable = new();
    private readonly Dictionary<ulong, (AddressSpace Space, ulong Va, long Frame)> _unstable = new();
    private readonly Dictionary<(AddressSpace, ulong), uint> _checksums = new();
    private Timer? _timer;
    private int _run;
    private int _spaceCursor;
    private ulong _vaCursor;
    private long _volatileThisPass;

    public KsmDaemon(MemorySystem system)
    {
        _system = system;
    }

    /// <summary>/sys/kernel/mm/ksm/run: 0 stop, 1 run, 2 stop and unmerge every KSM page.</summary>
    public int Run
    {
        get => _run;
        set
        {
            lock (_lock)
            {
                _run = value;
                if (value == 1)
                {
                    _timer ??= new Timer(_ => Tick(), null, SleepMillisecs, SleepMillisecs);
                }
                else
                {
                    _timer?.Dispose();
                    _timer = null;
                }
            }

            if (value == 2)
            {
                foreach (AddressSpace s in _system.LiveSpaces())
                {
                    s.KsmUnmergeAll();
                }

                lock (_lock)
                {
                    _stable.Clear();
                    _unstable.Clear();
                    _checksums.Clear();
                }
            }
        }
    }

    public int PagesToScan { get; set; } = 100;

    public int SleepMillisecs { get; set; } = 20;

    public long FullScans { get; private set; }

    public long PagesScanned { get; private set; }

    /// <summary>pages_volatile: candidates whose contents changed between two visits, in the last full pass.</summary>
    public long PagesVolatile { get; private set; }

    /// <summary>pages_unshared: candidates waiting in the unstable table.</summary>
    public long PagesUnshared
    {
        get
        {
            lock (_lock)
            {
                return _unstable.Count;
            }
        }
    }

    /// <summary>pages_shared (KSM pages in use) and pages_sharing (extra mappings saved by them).</summary>
    public (long Shared, long Sharing) Sharing()
    {
        long shared = 0, sharing = 0;
        PhysicalMemory mem = _system.Physical;
        lock (_lock)
        {
            foreach (List<long> frames in _stable.Values)
            {
                foreach (long f in frames)
                {
                    int maps = mem.MapCount(f);
                    if ((mem.Flags(f) & FrameFlags.Ksm) != 0 && maps > 0)
                    {
                        shared++;
                        sharing += maps - 1;
                    }
                }
            }
        }

        return (shared, sharing);
    }

    /// <summary>One scanner wake-up: up to <see cref="PagesToScan"/> pages, resuming where the last one stopped.</summary>
    public void Tick()
    {
        if (_run != 1 || !Monitor.TryEnter(this))
        {
            return;
        }

        try
        {
            int budget = PagesToScan;
            List<AddressSpace> spaces = _system.LiveSpaces();
            while (budget > 0 && spaces.Count > 0)
            {
                if (_spaceCursor >= spaces.Count)
                {
                    EndPass();
                    _spaceCursor = 0;
                    _vaCursor = 0;
                    if (budget < PagesToScan / 2)
                    {
                        break;
                    }
                }

                AddressSpace s = spaces[_spaceCursor];
                int used = s.KsmScan(this, ref _vaCursor, budget);
                PagesScanned += used;
                budget -= Math.Max(used, 1);
                if (_vaCursor == ulong.MaxValue)
                {
                    _spaceCursor++;
                    _vaCursor = 0;
                }
            }
        }
        finally
        {
            Monitor.Exit(this);
        }
    }

    private void EndPass()
    {
        lock (_lock)
        {
            FullScans++;
            PagesVolatile = _volatileThisPass;
            _volatileThisPass = 0;
            _unstable.Clear();
        }
    }

    /// <summary>Remembers a page's checksum; true when it is the same as on the previous visit (a stable page).</summary>
    internal bool Unchanged(AddressSpace s, ulong va, uint checksum)
    {
        lock (_lock)
        {
            bool same = _checksums.TryGetValue((s, va), out uint old) && old == checksum;
            _checksums[(s, va)] = checksum;
            if (!same)
            {
                _volatileThisPass++;
            }

            return same;
        }
    }

    /// <summary>A live KSM page with exactly these contents, or -1.</summary>
    internal unsafe long FindStable(ulong hash, byte* content)
    {
        PhysicalMemory mem = _system.Physical;
        lock (_lock)
        {
            if (!_stable.TryGetValue(hash, out List<long>? frames))
            {
                return -1;
            }

            for (int i = frames.Count - 1; i >= 0; i--)
            {
                long f = frames[i];
                if ((mem.Flags(f) & FrameFlags.Ksm) == 0 || mem.RefCount(f) <= 0)
                {
                    frames.RemoveAt(i); // freed since: drop the stale entry
                    continue;
                }

                if (new ReadOnlySpan<byte>(mem.HostOf(f), (int)PageSizes.PageSize).SequenceEqual(new ReadOnlySpan<byte>(content, (int)PageSizes.PageSize)))
                {
                    return f;
                }
            }

            return -1;
        }
    }

    internal void AddStable(ulong hash, long frame)
    {
        lock (_lock)
        {
            if (!_stable.TryGetValue(hash, out List<long>? frames))
            {
                _stable[hash] = frames = new List<long>();
            }

            frames.Add(frame);
        }
    }

    /// <summary>
    /// Looks for an unstable candidate with the same hash; if there is none, this page becomes one.
    /// Returns the earlier candidate (which the caller verifies) or null.
    /// </summary>
    internal (AddressSpace Space, ulong Va, long Frame)? MatchUnstable(ulong hash, AddressSpace s, ulong va, long frame)
    {
        lock (_lock)
        {
            if (_unstable.TryGetValue(hash, out var other) && !(ReferenceEquals(other.Space, s) && other.Va == va))
            {
                _unstable.Remove(hash);
                return other;
            }

            _unstable[hash] = (s, va, frame);
            return null;
        }
    }

    /// <summary>Forgets the checksums of an address space that is going away.</summary>
    internal void Forget(AddressSpace s)
    {
        lock (_lock)
        {
            List<(AddressSpace, ulong)> gone = new();
            foreach ((AddressSpace, ulong) key in _checksums.Keys)
            {
                if (ReferenceEquals(key.Item1, s))
                {
                    gone.Add(key);
                }
            }

            foreach ((AddressSpace, ulong) key in gone)
            {
                _checksums.Remove(key);
            }

            List<ulong> stale = new();
            foreach ((ulong h, var c) in _unstable)
            {
                if (ReferenceEquals(c.Space, s))
                {
                    stale.Add(h);
                }
            }

            foreach (ulong h in stale)
            {
                _unstable.Remove(h);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}
