using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace X64Emu.Memory.Physical;

/// <summary>
/// Emulated physical memory: one lazily backed host allocation of the configured size (--mem),
/// addressed by frame number, with per-frame reference counts, map counts and flags.
/// </summary>
/// <remarks>
/// Invariants: frame f occupies host bytes [Base + f*4096, Base + (f+1)*4096); RefCount[f] counts
/// owners (PTEs, page cache, pools) and is 0 exactly for free frames; MapCount[f] counts the leaf PTEs
/// that map f (Linux's mapcount, used for Pss and Shared/Private in smaps). The zero frame is never freed.
/// </remarks>
public sealed unsafe class PhysicalMemory : IDisposable
{
    private readonly byte* _base;
    private readonly ulong _size;
    private readonly int[] _refCount;
    private readonly int[] _mapCount;
    private readonly FrameFlags[] _flags;
    private bool _disposed;

    /// <summary>Reserves <paramref name="size"/> bytes of emulated RAM (a multiple of 4 KiB, at least 4 MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not page aligned or out of range.</exception>
    /// <exception cref="OutOfMemoryException">The host refused the reservation.</exception>
    public PhysicalMemory(ulong size)
    {
        if (size < (4UL << 20) || (size & PageSizes.PageMask) != 0 || (size >> PageSizes.PageBits) > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "emulated memory must be a multiple of 4 KiB between 4 MiB and 8 TiB");
        }

        _base = HostMemory.Reserve(size);
        if (_base == null)
        {
            throw new OutOfMemoryException($"cannot reserve {size >> 20} MiB of host address space: {HostMemory.LastError()}");
        }

        _size = size;
        long frames = (long)(size >> PageSizes.PageBits);
        _refCount = new int[frames];
        _mapCount = new int[frames];
        _flags = new FrameFlags[frames];
        Allocator = new FrameAllocator(frames);

        ZeroFrame = Allocator.Allocate();
        _refCount[ZeroFrame] = 1;
        _flags[ZeroFrame] = FrameFlags.Zero;
    }

    /// <summary>Host address of frame 0.</summary>
    public byte* Base => _base;

    public ulong Size => _size;

    public long FrameCount => Allocator.FrameCount;

    public FrameAllocator Allocator { get; }

    /// <summary>The shared, always-zero frame mapped for anonymous read faults.</summary>
    public int ZeroFrame { get; }

    /// <summary>Frames allocated right now, the zero frame included.</summary>
    public long UsedFrames => Allocator.FrameCount - Allocator.FreeFrames;

    /// <summary>Host address of the first byte of <paramref name="frame"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* HostOf(long frame) => _base + ((ulong)frame << PageSizes.PageBits);

    /// <summary>The frame holding host address <paramref name="host"/> (which must lie inside emulated RAM).</summary>
    public long FrameOfHost(byte* host) => (long)((ulong)(host - _base) >> PageSizes.PageBits);

    /// <summary>Allocates one frame and zeroes it; -1 when memory is exhausted.</summary>
    public int AllocateZeroed(FrameFlags flags)
    {
        int frame = Allocator.Allocate();
        if (frame >= 0)
        {
            new Span<byte>(HostOf(frame), (int)PageSizes.PageSize).Clear();
            _refCount[frame] = 1;
            _flags[frame] = flags;
        }

        return frame;
    }

    /// <summary>Allocates one frame with undefined contents (the caller overwrites it); -1 when memory is exhausted.</summary>
    public int AllocateUninitialized(FrameFlags flags)
    {
        int frame = Allocator.Allocate();
        if (frame >= 0)
        {
            _refCount[frame] = 1;
            _flags[frame] = flags;
        }

        return frame;
    }

    /// <summary>Copies the 4 KiB contents of one frame into another.</summary>
    public void CopyFrame(long from, long to)
    {
        Buffer.MemoryCopy(HostOf(from), HostOf(to), PageSizes.PageSize, PageSizes.PageSize);
    }

    public int RefCount(long frame) => Volatile.Read(ref _refCount[frame]);

    public int MapCount(long frame) => Volatile.Read(ref _mapCount[frame]);

    public FrameFlags Flags(long frame) => _flags[frame];

    public void SetFlags(long frame, FrameFlags flags) => _flags[frame] = flags;

    public void AddFlags(long frame, FrameFlags flags) => _flags[frame] |= flags;

    public void RemoveFlags(long frame, FrameFlags flags) => _flags[frame] &= ~flags;

    public void Get(long frame) => Interlocked.Increment(ref _refCount[frame]);

    /// <summary>Drops one reference; frees the frame when it was the last.</summary>
    public void Put(long frame)
    {
        int left = Interlocked.Decrement(ref _refCount[frame]);
        if (left == 0)
        {
            if ((_flags[frame] & FrameFlags.HugeHead) != 0)
            {
                // A hugetlb page: its pool takes it back (free list, or RAM for a surplus page).
                HugePageFreed?.Invoke(frame);
                return;
            }

            bool thp = (_flags[frame] & FrameFlags.Thp) != 0;
            if (thp)
            {
                for (long f = frame; f < frame + ThpFrames; f++)
                {
                    _flags[f] = FrameFlags.None;
                }

                Allocator.Free((int)frame, ThpOrder);
                return;
            }

            _flags[frame] = FrameFlags.None;
            Allocator.Free((int)frame, 0);
        }
        else if (left < 0)
        {
            ThrowHelper.ThrowInvalidOperation($"frame {frame} reference count went negative");
        }
    }

    private const int ThpOrder = 9;
    private const long ThpFrames = 1L << ThpOrder;
    private long _hugeZero = -1;

    /// <summary>
    /// Allocates a zeroed transparent huge page (an aligned order-9 run; every frame flagged Anon, the
    /// head also <see cref="FrameFlags.Thp"/>, reference count 1 on the head); -1 when no run is free.
    /// </summary>
    public long AllocateThp()
    {
        int head = Allocator.Allocate(ThpOrder);
        if (head < 0)
        {
            return -1;
        }

        ZeroRun(head, ThpFrames);
        for (long f = head; f < head + ThpFrames; f++)
        {
            _flags[f] = FrameFlags.Anon;
            _refCount[f] = 0;
            _mapCount[f] = 0;
        }

        _flags[head] = FrameFlags.Anon | FrameFlags.Thp;
        _refCount[head] = 1;
        return head;
    }

    /// <summary>
    /// Turns a THP into 512 independent frames, each with the head's reference and map counts
    /// (the caller maps each with its own PTE).
    /// </summary>
    public void SplitThp(long head)
    {
        int refs = _refCount[head];
        int maps = _mapCount[head];
        _flags[head] &= ~FrameFlags.Thp;
        for (long f = head + 1; f < head + ThpFrames; f++)
        {
            _refCount[f] = refs;
            _mapCount[f] = maps;
        }
    }

    /// <summary>The huge zero page: a 2 MiB run of zeroes mapped read-only for THP read faults; -1 when RAM has no free run for it.</summary>
    public long HugeZeroFrame
    {
        get
        {
            if (_hugeZero < 0)
            {
                lock (_flags)
                {
                    if (_hugeZero < 0)
                    {
                        int head = Allocator.Allocate(ThpOrder);
                        if (head >= 0)
                        {
                            ZeroRun(head, ThpFrames);
                            for (long f = head; f < head + ThpFrames; f++)
                            {
                                _flags[f] = FrameFlags.Zero;
                                _refCount[f] = 1;
                            }

                            _hugeZero = head;
                        }
                    }
                }
            }

            return _hugeZero;
        }
    }

    /// <summary>Called when the last reference to a huge page head is dropped; the owning pool takes the page back.</summary>
    public Action<long>? HugePageFreed { get; set; }

    /// <summary>Gives a freshly allocated huge page its first reference.</summary>
    public void InitHugeHead(long head)
    {
        _refCount[head] = 1;
        _mapCount[head] = 0;
    }

    /// <summary>
    /// Zeroes <paramref name="frames"/> frames from <paramref name="first"/>: with vector stores, or, with
    /// <paramref name="discard"/>, by handing the host pages back (madvise DONTNEED) — free now and lower
    /// RSS, but every 4 KiB costs a host page fault when next touched, so only for memory that may stay idle.
    /// </summary>
    public void ZeroRun(long first, long frames, bool discard = false)
    {
        byte* p = HostOf(first);
        ulong bytes = (ulong)frames << PageSizes.PageBits;
        if (discard && frames >= 16 && HostMemory.Discard(p, bytes))
        {
            return;
        }

        const ulong Chunk = 1UL << 30;
        for (ulong done = 0; done < bytes; done += Chunk)
        {
            new Span<byte>(p + done, (int)Math.Min(Chunk, bytes - done)).Clear();
        }
    }

    /// <summary>Copies a run of frames (a huge page copy-on-write).</summary>
    public void CopyRun(long from, long to, long frames)
    {
        ulong bytes = (ulong)frames << PageSizes.PageBits;
        Buffer.MemoryCopy(HostOf(from), HostOf(to), bytes, bytes);
    }

    public void IncMap(long frame) => Interlocked.Increment(ref _mapCount[frame]);

    public void DecMap(long frame) => Interlocked.Decrement(ref _mapCount[frame]);

    /// <summary>Counts frames by what they hold (for /proc/meminfo): a scan of the flag array.</summary>
    public FrameCensus Census()
    {
        FrameCensus c = default;
        FrameFlags[] flags = _flags;
        for (long f = 0; f < flags.Length; f++)
        {
            FrameFlags x = flags[f];
            if (x == FrameFlags.None)
            {
                continue;
            }

            if ((x & FrameFlags.Anon) != 0)
            {
                c.Anon++;
            }
            else if ((x & FrameFlags.Shmem) != 0)
            {
                c.Shmem++;
            }
            else if ((x & FrameFlags.PageCache) != 0)
            {
                c.File++;
            }
            else if ((x & FrameFlags.PageTable) != 0)
            {
                c.PageTables++;
            }
        }

        return c;
    }

    /// <summary>Direct access for the invariant checker, which recomputes counts from page tables.</summary>
    internal int[] RefCounts => _refCount;

    internal int[] MapCounts => _mapCount;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            HostMemory.Release(_base, _size);
        }
    }
}
