using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace X64Emu.Memory.Tlb;

/// <summary>
/// A guest CPU's software TLB: direct-mapped and power-of-two sized, with separate read, write and
/// fetch arrays (as QEMU's softmmu), plus a small second level for huge pages.
/// </summary>
/// <remarks>
/// Invariants: a read entry exists only for a present, readable page; a write entry only for a
/// present, writable, dirty page that holds no decoded code; a fetch entry only for an executable page.
/// Every filled slot has its bit set in the used bitmap, so a flush visits only filled slots: the
/// arrays are large (4,096 entries each, 16 MiB of reach, so gzip's buffers stop evicting each other)
/// and a full flush after every large munmap must not sweep 192 KiB.
/// Owned by one thread; other threads ask for flushes through the address space's shootdown.
/// </remarks>
public sealed unsafe class SoftTlb : IDisposable
{
    public const int Bits = 12;
    public const int Size = 1 << Bits;
    public const int Mask = Size - 1;
    public const int HugeBits = 5;
    public const int HugeSize = 1 << HugeBits;

    /// <summary>Read, write and fetch arrays, <see cref="Size"/> entries each, contiguous.</summary>
    private readonly TlbEntry* _all;
    private readonly HugeTlbEntry* _huge;

    /// <summary>One bit per slot of <see cref="_all"/>: set when filled, cleared when the slot is emptied by a flush.</summary>
    private readonly ulong* _used;
    private const int UsedWords = Size * 3 / 64;

    public SoftTlb()
    {
        _all = (TlbEntry*)NativeMemory.AlignedAlloc((nuint)(sizeof(TlbEntry) * Size * 3), 64);
        _huge = (HugeTlbEntry*)NativeMemory.AlignedAlloc((nuint)(sizeof(HugeTlbEntry) * HugeSize), 64);
        _used = (ulong*)NativeMemory.AlignedAlloc((nuint)(sizeof(ulong) * UsedWords), 64);
        new Span<byte>(_all, sizeof(TlbEntry) * Size * 3).Fill(0xFF);
        new Span<ulong>(_used, UsedWords).Clear();
        new Span<byte>(_huge, sizeof(HugeTlbEntry) * HugeSize).Fill(0xFF);
    }

    public TlbEntry* Read => _all;

    public TlbEntry* Write => _all + Size;

    public TlbEntry* Fetch => _all + (2 * Size);

    public HugeTlbEntry* Huge => _huge;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(ulong va) => (int)(va >> PageSizes.PageBits) & Mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TlbEntry* Array(Access access) => _all + ((int)access * Size);

    /// <summary>Installs a translation for one 4 KiB page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill(Access access, ulong pageVa, byte* hostPage)
    {
        int slot = ((int)access * Size) + IndexOf(pageVa);
        TlbEntry* e = _all + slot;
        e->Tag = pageVa;
        e->Addend = (long)hostPage - (long)pageVa;
        _used[slot >> 6] |= 1UL << slot;
    }

    public void FillHuge(ulong baseVa, ulong sizeMask, byte* hostBase, uint allowed)
    {
        HugeTlbEntry* e = _huge + (int)((baseVa >> PageSizes.HugeBits2M) & (HugeSize - 1));
        e->Tag = baseVa;
        e->SizeMask = sizeMask;
        e->Addend = (long)hostBase - (long)baseVa;
        e->Allowed = allowed;
    }

    /// <summary>Finds a huge entry covering <paramref name="va"/> that allows <paramref name="access"/>, or null.</summary>
    public HugeTlbEntry* LookupHuge(ulong va, Access access)
    {
        // A 1 GiB entry is filed under the index of its first 2 MiB chunk; try both.
        HugeTlbEntry* e = _huge + (int)((va >> PageSizes.HugeBits2M) & (HugeSize - 1));
        if (e->Tag == (va & ~e->SizeMask) && (e->Allowed & (1u << (int)access)) != 0)
        {
            return e;
        }

        e = _huge + (int)(((va & ~(PageSizes.HugeSize1G - 1)) >> PageSizes.HugeBits2M) & (HugeSize - 1));
        if (e->Tag == (va & ~e->SizeMask) && (e->Allowed & (1u << (int)access)) != 0)
        {
            return e;
        }

        return null;
    }

    public void FlushAll()
    {
        // An all-ones tag has low bits set, so it matches no page.
        FlushSlots(0, UsedWords, 0, ulong.MaxValue);
        new Span<byte>(_huge, sizeof(HugeTlbEntry) * HugeSize).Fill(0xFF);
    }

    /// <summary>Empties the filled slots among words [firstWord, endWord) of the bitmap whose page lies in [start, end).</summary>
    private void FlushSlots(int firstWord, int endWord, ulong start, ulong end)
    {
        for (int w = firstWord; w < endWord; w++)
        {
            ulong bits = _used[w];
            ulong keep = 0;
            while (bits != 0)
            {
                int b = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                TlbEntry* e = _all + ((w << 6) + b);
                ulong tag = e->Tag;
                if ((tag & PageSizes.PageMask) != 0)
                {
                    // Already emptied page by page (FlushPage leaves the bit).
                }
                else if (tag >= start && tag < end)
                {
                    e->Tag = ulong.MaxValue;
                }
                else
                {
                    keep |= 1UL << b;
                }
            }

            _used[w] = keep;
        }
    }

    /// <summary>Drops every entry for the page holding <paramref name="va"/> (INVLPG).</summary>
    public void FlushPage(ulong va)
    {
        ulong page = va & ~PageSizes.PageMask;
        int i = IndexOf(page);
        for (int a = 0; a < 3; a++)
        {
            TlbEntry* e = Array((Access)a) + i;
            if (e->Tag == page)
            {
                e->Tag = ulong.MaxValue;
            }
        }
    }

    /// <summary>Drops every entry for [start, end): page by page for small ranges, by a sweep of the filled slots for large ones.</summary>
    public void FlushRange(ulong start, ulong end)
    {
        if (end - start > (PageSizes.PageSize * 32))
        {
            // Visit the filled slots and keep those outside the range.
            FlushSlots(0, UsedWords, start & ~PageSizes.PageMask, end);
        }
        else
        {
            for (ulong va = start & ~PageSizes.PageMask; va < end; va += PageSizes.PageSize)
            {
                FlushPage(va);
            }
        }

        // Huge entries overlapping the range.
        for (int i = 0; i < HugeSize; i++)
        {
            HugeTlbEntry* h = _huge + i;
            if ((h->Tag & PageSizes.PageMask) == 0 && h->Tag < end && h->Tag + h->SizeMask + 1 > start)
            {
                h->Tag = ulong.MaxValue;
            }
        }
    }

    /// <summary>Drops write entries only (fork write-protects the parent's private pages).</summary>
    public void FlushWrites()
    {
        FlushSlots(Size / 64, 2 * Size / 64, 0, ulong.MaxValue);
        for (int i = 0; i < HugeSize; i++)
        {
            _huge[i].Allowed &= ~(1u << (int)Access.Write);
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_all);
        NativeMemory.AlignedFree(_huge);
        NativeMemory.AlignedFree(_used);
    }
}
