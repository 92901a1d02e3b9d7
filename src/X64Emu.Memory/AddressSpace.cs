using System;
using System.Collections.Generic;
using System.Threading;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

/// <summary>
/// One guest process's address space (Linux's mm_struct): the VMA tree (what mmap promised), the page
/// tables (what has been resolved), the counters /proc reports, and the CPUs currently using it.
/// </summary>
/// <remarks>
/// Lock order:
///   AddressSpace._lock (one address space at a time; fork takes parent, then child)
///     MemoryObject locks (page cache lookups)
///       MemorySystem registry lock
///         FrameAllocator lock
/// The MMU walks page tables without the lock; frames and tables are freed only after a shootdown
/// has made every other CPU of this space drop its TLB entries, so a walker never sees freed memory.
/// Atomicity: every mutating operation validates and reserves first, then mutates; a failed call
/// leaves VMAs, page tables and counters exactly as they were.
/// </remarks>
public sealed unsafe partial class AddressSpace : IDisposable
{
    private readonly object _lock = new();
    private readonly MemorySystem _system;
    private readonly PhysicalMemory _mem;

    // Invariants: VMAs never overlap; every present leaf PTE lies inside a VMA whose flags allow
    // what the PTE allows. Protected by _lock.
    private readonly VmaTree _vmas = new();

    // CPUs attached to this space; protected by _mmusLock (taken alone, never under _lock's callers' other locks).
    private readonly List<Mmu> _mmus = new();
    private readonly object _mmusLock = new();
    private ICodeObserver? _codeObserver;

    public AddressSpace(MemorySystem system)
    {
        _system = system;
        _mem = system.Physical;
        PageTable = new PageTable(_mem);
        _vmas.StackGuardGap = system.StackGuardGap;
        MmapBase = DefaultMmapBase;
        system.Register(this);
    }

    /// <summary>TASK_SIZE - 128 MiB: Linux's mmap_base with an 8 MiB stack rlimit and no randomisation.</summary>
    public const ulong DefaultMmapBase = PageSizes.TaskSize - (128UL << 20);

    public MemorySystem Machine => _system;

    public PageTable PageTable { get; }

    /// <summary>Top of the top-down mmap area (Linux mm->mmap_base).</summary>
    public ulong MmapBase { get; set; }

    /// <summary>Start of the brk heap (mm->start_brk) and its current end (mm->brk).</summary>
    public ulong StartBrk { get; private set; }

    public ulong Brk { get; private set; }

    /// <summary>End of the ELF data segment (mm->end_data); brk may not go below it... (RLIMIT_DATA base).</summary>
    public ulong StartData { get; set; }

    public ulong EndData { get; set; }

    public ulong StartCode { get; set; }

    public ulong EndCode { get; set; }

    /// <summary>mm->start_stack: the initial stack pointer's page, to name "[stack]" in maps.</summary>
    public ulong StartStack { get; set; }

    /// <summary>argv and envp string ranges for /proc/PID/cmdline and environ.</summary>
    public ulong ArgStart { get; set; }

    public ulong ArgEnd { get; set; }

    public ulong EnvStart { get; set; }

    public ulong EnvEnd { get; set; }

    /// <summary>RLIMIT_STACK in bytes: how far the stack VMA may grow (default 8 MiB).</summary>
    public ulong StackLimit { get; set; } = 8UL << 20;

    /// <summary>RLIMIT_MEMLOCK in bytes (default 8 MiB, as on current Linux).</summary>
    public ulong MemlockLimit { get; set; } = 8UL << 20;

    /// <summary>RLIMIT_AS in bytes (ulong.MaxValue = unlimited).</summary>
    public ulong AddressSpaceLimit { get; set; } = ulong.MaxValue;

    /// <summary>RLIMIT_DATA in bytes (ulong.MaxValue = unlimited).</summary>
    public ulong DataLimit { get; set; } = ulong.MaxValue;

    /// <summary>The guest may map below mmap_min_addr (CAP_SYS_RAWIO).</summary>
    public bool CapSysRawio { get; set; }

    /// <summary>CAP_SYS_ADMIN, for the admin reserve in strict overcommit.</summary>
    public bool CapSysAdmin { get; set; }

    /// <summary>CAP_IPC_LOCK: mlock beyond RLIMIT_MEMLOCK.</summary>
    public bool CapIpcLock { get; set; }

    /// <summary>W^X policy: refuse writable+executable mappings and such protection changes (EACCES).</summary>
    public bool WxEnforced { get; set; } = true;

    /// <summary>Reproduce Linux's surprising partial effects of failed calls (source document 000) instead of our atomic behaviour.</summary>
    public bool LinuxQuirks { get; set; }

    /// <summary>Set once <see cref="Dispose"/> has released everything.</summary>
    public bool IsDestroyed { get; private set; }

    /// <summary>Bumped whenever translations are taken away (munmap, mprotect, COW, …).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    private long _generation;

    // ---- counters (pages), protected by _lock; recomputed by CheckInvariants ----
    public long TotalVm { get; private set; }
    public long RssAnon { get; private set; }
    public long RssFile { get; private set; }
    public long RssShmem { get; private set; }
    public long LockedVm { get; private set; }

    /// <summary>hugetlb memory mapped by this space, in 4 KiB units (HugetlbPages in /proc/PID/status).</summary>
    public long HugetlbPages { get; private set; }
    public long HiwaterRss { get; private set; }
    public long HiwaterVm { get; private set; }
    public long MapCount => _vmas.Count;

    /// <summary>Faults resolved without I/O (minor) and with a page-cache read (major), for getrusage and --stats.</summary>
    public long MinorFaults;
    public long MajorFaults;

    /// <summary>Per-kind resolution counters for --stats.</summary>
    public readonly FaultCounters Faults = new();

    /// <summary>Prints each fault resolution when set (--trace-faults).</summary>
    public Action<string>? FaultTrace { get; set; }

    public void SetCodeObserver(ICodeObserver? observer) => _codeObserver = observer;

    internal void Attach(Mmu mmu)
    {
        lock (_mmusLock)
        {
            _mmus.Add(mmu);
        }
    }

    internal void Detach(Mmu mmu)
    {
        lock (_mmusLock)
        {
            _mmus.Remove(mmu);
        }
    }

    /// <summary>
    /// Makes every CPU of this space forget translations (all of them: a full flush is cheaper than
    /// tracking ranges across threads) and waits until each CPU running guest code has done so.
    /// </summary>
    /// <remarks>Preconditions: _lock is held. The calling thread's own MMU is flushed for [start, end) only.</remarks>
    private void ShootdownLocked(ulong start, ulong end)
    {
        Interlocked.Increment(ref _generation);
        Mmu? self = CurrentMmu;
        Mmu? only = null;
        Mmu[]? others = null;
        lock (_mmusLock)
        {
            if (_mmus.Count == 1)
            {
                only = _mmus[0];
            }
            else if (_mmus.Count > 1)
            {
                others = _mmus.ToArray();
            }
        }

        if (only != null)
        {
            if (ReferenceEquals(only, self) || !only.InGuest)
            {
                // The common single-threaded case: just this CPU (or an idle one, which flushes on entry).
                if (ReferenceEquals(only, self))
                {
                    self.Tlb.FlushRange(start, end);
                }
                else
                {
                    only.RequestFlush();
                }

                return;
            }

            others = new[] { only };
        }

        if (others == null)
        {
            return;
        }

        int[] tickets = new int[others.Length];
        for (int i = 0; i < others.Length; i++)
        {
            if (ReferenceEquals(others[i], self))
            {
                self.Tlb.FlushRange(start, end);
            }
            else
            {
                tickets[i] = others[i].RequestFlush();
            }
        }

        for (int i = 0; i < others.Length; i++)
        {
            Mmu m = others[i];
            if (ReferenceEquals(m, self))
            {
                continue;
            }

            SpinWait spin = default;
            while (m.InGuest && !m.HasAcked(tickets[i]))
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>The MMU of the guest CPU running on this host thread, set by the CPU layer.</summary>
    [ThreadStatic]
    public static Mmu? CurrentMmu;

    private void NotifyCodeLocked(ulong start, ulong end)
    {
        _codeObserver?.InvalidateCode(start, end);
    }

    private void UpdateHiwater()
    {
        long rss = RssAnon + RssFile + RssShmem;
        if (rss > HiwaterRss)
        {
            HiwaterRss = rss;
        }

        if (TotalVm > HiwaterVm)
        {
            HiwaterVm = TotalVm;
        }
    }

    /// <summary>Runs <paramref name="action"/> with the lock held (for /proc readers that walk VMAs).</summary>
    public T WithLock<T>(Func<AddressSpace, T> action)
    {
        lock (_lock)
        {
            return action(this);
        }
    }

    /// <summary>The VMAs in address order; the caller must hold the lock via <see cref="WithLock{T}"/>.</summary>
    public Vma? FirstVmaLocked => _vmas.First;

    /// <summary>The VMA containing <paramref name="va"/>, or null; the caller holds the lock.</summary>
    public Vma? FindVmaLocked(ulong va) => _vmas.FindContaining(va);

    private int _users = 1;

    /// <summary>Another process shares this address space (CLONE_VM without CLONE_THREAD: vfork, posix_spawn).</summary>
    public void AddUser() => Interlocked.Increment(ref _users);

    /// <summary>A process stops using this space (exit, execve); the last one tears it down.</summary>
    public void ReleaseUser()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (IsDestroyed)
            {
                return;
            }

            UnmapAllLocked();
            PageTable.FreeAll();
            IsDestroyed = true;
        }

        _system.Ksm.Forget(this);
    }
}
