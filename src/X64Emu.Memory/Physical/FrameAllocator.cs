using System;
using System.Diagnostics;
using System.Threading;

namespace X64Emu.Memory.Physical;

/// <summary>
/// Buddy allocator over the frames of emulated physical memory: single 4 KiB frames and naturally
/// aligned runs of 2^order frames (order 9 = 2 MiB, order 18 = 1 GiB) for the hugetlb pools.
/// </summary>
/// <remarks>
/// Lock order: this allocator's lock is a leaf; it is taken under any AddressSpace lock.
/// Invariants: every free block is a run of 2^k frames aligned to 2^k, listed once in the free
/// list of order k, with <see cref="_freeOrder"/>[head] = k + 1 and 0 for every other frame;
/// no two free buddies of the same order coexist (they would have been merged).
/// </remarks>
public sealed class FrameAllocator
{
    /// <summary>1 GiB / 4 KiB = 2^18 frames: the largest block, for 1 GiB huge pages.</summary>
    public const int MaxOrder = 18;

    private readonly object _lock = new();
    private readonly long _frameCount;

    // Free lists as intrusive doubly-linked lists over frame numbers; -1 ends a list.
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly byte[] _freeOrder;
    private readonly int[] _heads = new int[MaxOrder + 1];
    private readonly long[] _freeBlocks = new long[MaxOrder + 1];
    private long _freeFrames;

    // The most frames ever allocated at once: the emulated RAM the guest needed at its peak (for --stats).
    // Invariants: _peakUsed >= _frameCount - _freeFrames; protected by _lock.
    private long _peakUsed;

    /// <summary>Creates an allocator managing frames [0, <paramref name="frameCount"/>), all free.</summary>
    public FrameAllocator(long frameCount)
    {
        if (frameCount <= 0 || frameCount > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(frameCount));
        }

        _frameCount = frameCount;
        _next = new int[frameCount];
        _prev = new int[frameCount];
        _freeOrder = new byte[frameCount];
        Array.Fill(_heads, -1);

        // Carve the range into maximal naturally aligned blocks.
        long frame = 0;
        while (frame < frameCount)
        {
            int order = MaxOrder;
            while (order > 0 && ((frame & ((1L << order) - 1)) != 0 || frame + (1L << order) > frameCount))
            {
                order--;
            }

            PushLocked((int)frame, order);
            _freeFrames += 1L << order;
            frame += 1L << order;
        }
    }

    public long FrameCount => _frameCount;

    /// <summary>Free frames right now (a racy snapshot).</summary>
    public long FreeFrames => Volatile.Read(ref _freeFrames);

    /// <summary>
    /// The most frames that were allocated at the same time (a racy snapshot): the peak of the guest's
    /// memory use across every process — pages mapped (a shared or copy-on-write page once), page tables,
    /// the page cache, hugetlb pools.
    /// </summary>
    public long PeakUsedFrames => Volatile.Read(ref _peakUsed);

    /// <summary>Allocates one frame; -1 when physical memory is exhausted.</summary>
    public int Allocate() => Allocate(0);

    /// <summary>Allocates an aligned run of 2^<paramref name="order"/> frames; -1 when no such run is free.</summary>
    public int Allocate(int order)
    {
        Debug.Assert(order is >= 0 and <= MaxOrder);
        lock (_lock)
        {
            int k = order;
            while (k <= MaxOrder && _heads[k] < 0)
            {
                k++;
            }

            if (k > MaxOrder)
            {
                return -1;
            }

            int frame = _heads[k];
            RemoveLocked(frame, k);

            // Split: keep the low half, free the high halves.
            while (k > order)
            {
                k--;
                PushLocked(frame + (1 << k), k);
            }

            _freeFrames -= 1L << order;
            long used = _frameCount - _freeFrames;
            if (used > _peakUsed)
            {
                _peakUsed = used;
            }

            return frame;
        }
    }

    /// <summary>Frees a run previously returned by <see cref="Allocate(int)"/> with the same order.</summary>
    public void Free(int frame, int order)
    {
        Debug.Assert(frame >= 0 && frame < _frameCount && (frame & ((1 << order) - 1)) == 0);
        lock (_lock)
        {
            _freeFrames += 1L << order;
            while (order < MaxOrder)
            {
                int buddy = frame ^ (1 << order);
                if (buddy >= _frameCount || _freeOrder[buddy] != order + 1)
                {
                    break;
                }

                RemoveLocked(buddy, order);
                frame &= ~(1 << order);
                order++;
            }

            PushLocked(frame, order);
        }
    }

    /// <summary>Number of free blocks of exactly this order (for /proc/buddyinfo and tests).</summary>
    public long FreeBlocksOfOrder(int order)
    {
        lock (_lock)
        {
            return _freeBlocks[order];
        }
    }

    /// <summary>True when a run of 2^order frames could be allocated now.</summary>
    public bool CanAllocate(int order)
    {
        lock (_lock)
        {
            for (int k = order; k <= MaxOrder; k++)
            {
                if (_heads[k] >= 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private void PushLocked(int frame, int order)
    {
        int head = _heads[order];
        _next[frame] = head;
        _prev[frame] = -1;
        if (head >= 0)
        {
            _prev[head] = frame;
        }

        _heads[order] = frame;
        _freeOrder[frame] = (byte)(order + 1);
        _freeBlocks[order]++;
    }

    private void RemoveLocked(int frame, int order)
    {
        int next = _next[frame];
        int prev = _prev[frame];
        if (prev >= 0)
        {
            _next[prev] = next;
        }
        else
        {
            _heads[order] = next;
        }

        if (next >= 0)
        {
            _prev[next] = prev;
        }

        _freeOrder[frame] = 0;
        _freeBlocks[order]--;
    }

    /// <summary>Recomputes the free count from the lists and checks every invariant; throws on a violation.</summary>
    public void CheckInvariants()
    {
        lock (_lock)
        {
            long free = 0;
            bool[] seen = new bool[_frameCount];
            for (int order = 0; order <= MaxOrder; order++)
            {
                long blocks = 0;
                int prev = -1;
                for (int f = _heads[order]; f >= 0; f = _next[f])
                {
                    if (_prev[f] != prev)
                    {
                        throw new InvalidOperationException($"buddy: bad prev link at frame {f} order {order}");
                    }

                    if ((f & ((1 << order) - 1)) != 0 || _freeOrder[f] != order + 1)
                    {
                        throw new InvalidOperationException($"buddy: misaligned or mislabelled free block {f} order {order}");
                    }

                    for (int i = 0; i < 1 << order; i++)
                    {
                        if (seen[f + i])
                        {
                            throw new InvalidOperationException($"buddy: frame {f + i} free twice");
                        }

                        seen[f + i] = true;
                    }

                    int buddy = f ^ (1 << order);
                    if (order < MaxOrder && buddy < _frameCount && _freeOrder[buddy] == order + 1)
                    {
                        throw new InvalidOperationException($"buddy: unmerged free buddies {f} and {buddy} at order {order}");
                    }

                    blocks++;
                    free += 1L << order;
                    prev = f;
                }

                if (blocks != _freeBlocks[order])
                {
                    throw new InvalidOperationException($"buddy: order {order} counts {_freeBlocks[order]} blocks, lists hold {blocks}");
                }
            }

            if (free != _freeFrames)
            {
                throw new InvalidOperationException($"buddy: counter says {_freeFrames} free frames, lists hold {free}");
            }

            if (_peakUsed < _frameCount - _freeFrames)
            {
                throw new InvalidOperationException($"buddy: peak {_peakUsed} below the {_frameCount - _freeFrames} frames in use");
            }
        }
    }
}
