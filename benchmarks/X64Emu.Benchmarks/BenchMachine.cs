using System;
using System.Diagnostics.CodeAnalysis;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// A machine with one address space and one CPU view for the benchmark thread, as the tests'
/// MemoryFixture but without invariant checking after every mutation (that is for tests only).
/// </summary>
/// <remarks>
/// The MMU is made the thread's <see cref="AddressSpace.CurrentMmu"/>: shootdowns then flush it
/// directly instead of asking it (and, were it in guest mode, spinning for an acknowledgement).
/// </remarks>
public sealed class BenchMachine : IDisposable
{
    public BenchMachine(ulong ramBytes)
    {
        Machine = new MemorySystem(ramBytes);
        Space = new AddressSpace(Machine);
        Mmu = new Mmu(Space);
        AddressSpace.CurrentMmu = Mmu;
    }

    public MemorySystem Machine { get; }

    public AddressSpace Space { get; }

    public Mmu Mmu { get; }

    /// <summary>Makes this machine's MMU current on the calling thread (cheap; call where a benchmark may run on another thread).</summary>
    public void MakeCurrent() => AddressSpace.CurrentMmu = Mmu;

    public ulong Map(ulong length, Prot prot = Prot.Read | Prot.Write, MapFlags flags = MapFlags.None, ulong addr = 0)
    {
        Check(Space.Map(addr, length, prot, flags, null, 0, out ulong va), "mmap");
        return va;
    }

    public static void Check(MmStatus st, string what)
    {
        if (st != MmStatus.Ok)
        {
            throw new InvalidOperationException($"{what} failed: {st}");
        }
    }

    /// <summary>Writes one byte in every 4 KiB page of [va, va + size); throws on a fault.</summary>
    public void TouchWrite(ulong va, ulong size)
    {
        Mmu mmu = Mmu;
        for (ulong off = 0; off < size; off += PageSizes.PageSize)
        {
            if (!mmu.TryWrite8(va + off, 1))
            {
                ThrowFault(mmu);
            }
        }
    }

    [DoesNotReturn]
    public static void ThrowFault(Mmu mmu) => throw new InvalidOperationException($"guest fault: {mmu.LastFault}");

    public void Dispose()
    {
        Mmu.Dispose();
        Space.Dispose();
        Machine.Dispose();
    }
}
