using System;
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
/// Owned by one thread; other threads ask for flushes through the address space's shootdown.
/// </remarks>
public sealed unsafe class SoftTlb : IDisposable
{
    public const int Bits = 9;
    public const int Size = 1 << Bits;
    public const int Mask = Size - 1;
    public const int HugeBits = 5;
    public const int HugeSize = 1 << HugeBits;

    /// <summary>Read, write and fetch arrays, <see cref="Size"/> entries each, contiguous.</summary>
    private readonly TlbEntry* _all;
    private readonly HugeTlbEntry* _huge;

    public SoftTlb()
    {
        _all = (TlbEntry*)NativeMemory.AlignedAlloc((nuint)(sizeof(TlbEntry) * Size * 3), 64);
        _huge = (HugeTlbEntry*)NativeMemory.AlignedAlloc((nuint)(sizeof(HugeTlbEntry) * HugeSize), 64);
        FlushAll();
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
        TlbEntry* e = Array(access) + IndexOf(pageVa);
        e->Tag = pageVa;
        e->Addend = (long)hostPage - (long)pageVa;
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
        // 0xFF bytes: every tag gets low bits set, so it matches no page.
        new Span<byte>(_all, sizeof(TlbEntry) * Size * 3).Fill(0xFF);
        new Span<byte>(_huge, sizeof(HugeTlbEntry) * HugeSize).Fill(0xFF);
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

    /// <summary>Drops every entry for [start, end): page by page for small ranges, everything for large ones.</summary>
    public void FlushRange(ulong start, ulong end)
    {
        if (end - start > (PageSizes.PageSize * 32))
        {
            FlushAll();
            return;
        }

        for (ulong va = start & ~PageSizes.PageMask; va < end; va += PageSizes.PageSize)
        {
            FlushPage(va);
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
        new Span<byte>(Write, sizeof(TlbEntry) * Size).Fill(0xFF);
        for (int i = 0; i < HugeSize; i++)
        {
            _huge[i].Allowed &= ~(1u << (int)Access.Write);
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_all);
        NativeMemory.AlignedFree(_huge);
    }
}
