using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;
using X64Emu.Memory.Tlb;

namespace X64Emu.Memory;

/// <summary>
/// One guest CPU's view of an address space: the software TLB in front of the page walk, the
/// protection-key register, and the typed guest accesses the interpreter uses.
/// </summary>
/// <remarks>
/// The hit path of every access is a masked index, a tag compare and a host load/store — no call.
/// A miss calls <see cref="AddressSpace"/>'s walk and fault handler, which may fail; the failure is
/// returned (false) and described in <see cref="LastFault"/>, never thrown.
/// Owned by one thread. Other threads reach it only through the shootdown fields.
/// </remarks>
[SkipLocalsInit]
public sealed unsafe partial class Mmu : IDisposable
{
    private const ulong PageMask = PageSizes.PageMask;

    private readonly TlbEntry* _read;
    private readonly TlbEntry* _write;
    private readonly TlbEntry* _fetch;

    // Shootdown handshake (see AddressSpace.Shootdown): requesters bump _flushRequest; this CPU
    // flushes and copies it to _flushAck at a block boundary or when it leaves guest code.
    private int _flushRequest;
    private int _flushAck;
    private int _inGuest;

    public Mmu(AddressSpace space)
    {
        Tlb = new SoftTlb();
        _read = Tlb.Read;
        _write = Tlb.Write;
        _fetch = Tlb.Fetch;
        Space = space;
        Pkru = InitPkru;
        space.Attach(this);
    }

    /// <summary>Linux's init_pkru_value: every protection key but 0 access-disabled until pkey_alloc grants it.</summary>
    public const uint InitPkru = 0x55555554;

    public SoftTlb Tlb { get; }

    public AddressSpace Space { get; private set; }

    /// <summary>PKRU: two bits per key, AD (access disable) at 2k and WD (write disable) at 2k+1.</summary>
    public uint Pkru { get; private set; }

    /// <summary>Details of the last failed access.</summary>
    public Fault LastFault;

    /// <summary>TLB hits (first level).</summary>
    public ulong Hits;

    /// <summary>First-level misses, each resolved by the huge second level, a walk, or a fault.</summary>
    public ulong Misses;

    /// <summary>Misses served by the huge-page second level without a walk.</summary>
    public ulong HugeHits;

    /// <summary>Page walks done.</summary>
    public ulong Walks;

    /// <summary>Faults resolved (minor faults) on this CPU.</summary>
    public ulong MinorFaults;

    /// <summary>Moves this CPU to another address space (execve), flushing the TLB.</summary>
    public void SwitchTo(AddressSpace space)
    {
        Space.Detach(this);
        Space = space;
        space.Attach(this);
        Tlb.FlushAll();
    }

    /// <summary>WRPKRU: changes key rights; entries filled under the old rights are dropped.</summary>
    public void SetPkru(uint value)
    {
        Pkru = value;
        Tlb.FlushAll();
    }

    // ------------------------------------------------------------------ reads

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead8(ulong va, out byte value)
    {
        TlbEntry* e = _read + SoftTlb.IndexOf(va);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            value = *(byte*)(e->Addend + (long)va);
            return true;
        }

        bool ok = ReadSlow8(va, out byte v);
        value = v;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead16(ulong va, out ushort value)
    {
        TlbEntry* e = _read + SoftTlb.IndexOf(va + 1);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            value = Unsafe.ReadUnaligned<ushort>((void*)(e->Addend + (long)va));
            return true;
        }

        bool ok = ReadSlow(va, 2, out ulong v);
        value = (ushort)v;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead32(ulong va, out uint value)
    {
        TlbEntry* e = _read + SoftTlb.IndexOf(va + 3);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            value = Unsafe.ReadUnaligned<uint>((void*)(e->Addend + (long)va));
            return true;
        }

        bool ok = ReadSlow(va, 4, out ulong v);
        value = (uint)v;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead64(ulong va, out ulong value)
    {
        // Index by the last byte: if the access crosses a page, that slot cannot hold va's page.
        TlbEntry* e = _read + SoftTlb.IndexOf(va + 7);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            value = Unsafe.ReadUnaligned<ulong>((void*)(e->Addend + (long)va));
            return true;
        }

        // Through a temporary: passing the caller's out variable to the slow path would make it
        // address-exposed, and the JIT would then spill it to the stack on the hit path too.
        bool ok = ReadSlow(va, 8, out ulong v);
        value = v;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead128(ulong va, out Vector128<byte> value)
    {
        TlbEntry* e = _read + SoftTlb.IndexOf(va + 15);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            value = Unsafe.ReadUnaligned<Vector128<byte>>((void*)(e->Addend + (long)va));
            return true;
        }

        bool ok = ReadSlow128(va, out Vector128<byte> v);
        value = v;
        return ok;
    }

    // ------------------------------------------------------------------ writes

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite8(ulong va, byte value)
    {
        TlbEntry* e = _write + SoftTlb.IndexOf(va);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            *(byte*)(e->Addend + (long)va) = value;
            return true;
        }

        return WriteSlow(va, 1, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite16(ulong va, ushort value)
    {
        TlbEntry* e = _write + SoftTlb.IndexOf(va + 1);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            Unsafe.WriteUnaligned((void*)(e->Addend + (long)va), value);
            return true;
        }

        return WriteSlow(va, 2, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite32(ulong va, uint value)
    {
        TlbEntry* e = _write + SoftTlb.IndexOf(va + 3);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            Unsafe.WriteUnaligned((void*)(e->Addend + (long)va), value);
            return true;
        }

        return WriteSlow(va, 4, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite64(ulong va, ulong value)
    {
        TlbEntry* e = _write + SoftTlb.IndexOf(va + 7);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            Unsafe.WriteUnaligned((void*)(e->Addend + (long)va), value);
            return true;
        }

        return WriteSlow(va, 8, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite128(ulong va, Vector128<byte> value)
    {
        TlbEntry* e = _write + SoftTlb.IndexOf(va + 15);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            Unsafe.WriteUnaligned((void*)(e->Addend + (long)va), value);
            return true;
        }

        return WriteSlow128(va, value);
    }

    /// <summary>
    /// Host pointer for an access of <paramref name="size"/> bytes through the TLB (read-modify-write
    /// instructions use it with <see cref="Access.Write"/> to translate once). Null on a fault.
    /// </summary>
    /// <remarks>Preconditions: the access stays inside one page (<see cref="Crosses"/> is false).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* TryTranslate(ulong va, int size, Access access)
    {
        TlbEntry* e = Tlb.Array(access) + SoftTlb.IndexOf(va + (ulong)size - 1);
        if (e->Tag == (va & ~PageMask))
        {
            Hits++;
            return (byte*)(e->Addend + (long)va);
        }

        return TranslateSlow(va, size, access);
    }

    // ------------------------------------------------------------------ shootdown

    /// <summary>True when another thread asked this CPU to flush its TLB (checked at block boundaries).</summary>
    public bool FlushPending
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _flushRequest) != _flushAck;
    }

    /// <summary>Flushes and acknowledges pending shootdown requests.</summary>
    public void ServiceFlush()
    {
        int request = Volatile.Read(ref _flushRequest);
        if (request != _flushAck)
        {
            Tlb.FlushAll();
            Volatile.Write(ref _flushAck, request);
        }
    }

    /// <summary>This CPU is about to run guest code: from now on it must honour shootdowns.</summary>
    public void EnterGuest()
    {
        Interlocked.Exchange(ref _inGuest, 1);
        ServiceFlush();
    }

    /// <summary>This CPU leaves guest code (syscall, blocking, exit): shootdowns need not wait for it.</summary>
    public void LeaveGuest()
    {
        ServiceFlush();
        Volatile.Write(ref _inGuest, 0);
    }

    internal bool InGuest => Volatile.Read(ref _inGuest) != 0;

    /// <summary>Called by another thread: asks for a flush and returns the ticket to wait for.</summary>
    internal int RequestFlush() => Interlocked.Increment(ref _flushRequest);

    internal bool HasAcked(int ticket) => Volatile.Read(ref _flushAck) - ticket >= 0;

    public void Dispose()
    {
        Space.Detach(this);
        if (ReferenceEquals(AddressSpace.CurrentMmu, this))
        {
            AddressSpace.CurrentMmu = null;
        }

        Tlb.Dispose();
    }
}
