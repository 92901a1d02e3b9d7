using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace X64Emu.Memory;

public sealed unsafe partial class Mmu
{
    /// <summary>Translates one access, filling the TLB; null on a fault (see <see cref="LastFault"/>).</summary>
    /// <remarks>Preconditions: [va, va + size) lies within one page (callers split crossing accesses).</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public byte* TranslateSlow(ulong va, int size, Access access)
    {
        _ = size;
        Misses++;
        return Space.Translate(this, va, access, out byte* host) == FaultKind.None ? host : null;
    }

    /// <summary>True when an access of <paramref name="size"/> bytes at <paramref name="va"/> spans two pages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Crosses(ulong va, int size) => (va & PageMask) > PageSizes.PageSize - (ulong)size;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ReadSlow8(ulong va, out byte value)
    {
        Misses++;
        if (Space.Translate(this, va, Access.Read, out byte* host) != FaultKind.None)
        {
            value = 0;
            return false;
        }

        value = *host;
        return true;
    }

    /// <summary>Reads 1..8 bytes, possibly crossing a page boundary (little-endian assembly).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ReadSlow(ulong va, int size, out ulong value)
    {
        value = 0;
        ulong buffer = 0;
        if (!ReadBytes(va, new Span<byte>(&buffer, size)))
        {
            return false;
        }

        value = buffer;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ReadSlow128(ulong va, out Vector128<byte> value)
    {
        Vector128<byte> buffer = default;
        bool ok = ReadBytes(va, new Span<byte>(&buffer, 16));
        value = buffer;
        return ok;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool WriteSlow(ulong va, int size, ulong value)
    {
        return WriteBytes(va, new ReadOnlySpan<byte>(&value, size));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool WriteSlow128(ulong va, Vector128<byte> value)
    {
        return WriteBytes(va, new ReadOnlySpan<byte>(&value, 16));
    }

    /// <summary>
    /// Reads guest memory as the guest would (permissions, faults, TLB fills), crossing pages as
    /// needed; false on the first fault with <see cref="LastFault"/> set.
    /// </summary>
    public bool ReadBytes(ulong va, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = va + (ulong)done;
            int chunk = (int)Math.Min((ulong)(destination.Length - done), PageSizes.PageSize - (at & PageMask));
            byte* host = TryTranslate(at, chunk, Access.Read);
            if (host == null)
            {
                return false;
            }

            new ReadOnlySpan<byte>(host, chunk).CopyTo(destination.Slice(done));
            done += chunk;
        }

        return true;
    }

    /// <summary>
    /// Writes guest memory as the guest would. A multi-page write checks every page before storing
    /// anything, so a faulting store leaves memory unchanged (as an x86 instruction does).
    /// </summary>
    public bool WriteBytes(ulong va, ReadOnlySpan<byte> source)
    {
        ulong last = va + (ulong)source.Length - 1;
        if (((va ^ last) & ~PageMask) != 0 && TryTranslate(last & ~PageMask, 1, Access.Write) == null)
        {
            return false;
        }

        int done = 0;
        while (done < source.Length)
        {
            ulong at = va + (ulong)done;
            int chunk = (int)Math.Min((ulong)(source.Length - done), PageSizes.PageSize - (at & PageMask));
            byte* host = TryTranslate(at, chunk, Access.Write);
            if (host == null)
            {
                return false;
            }

            source.Slice(done, chunk).CopyTo(new Span<byte>(host, chunk));
            done += chunk;
        }

        return true;
    }
}
