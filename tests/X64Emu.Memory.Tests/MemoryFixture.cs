using System;
using X64Emu.Memory;

namespace X64Emu.Memory.Tests;

/// <summary>A fresh machine with one address space and one CPU view, invariants checked after every mutation.</summary>
public sealed class MemoryFixture : IDisposable
{
    static MemoryFixture()
    {
        AddressSpace.CheckAfterEveryMutation = true;
    }

    public MemoryFixture(ulong ram = 64UL << 20)
    {
        Machine = new MemorySystem(ram);
        Space = new AddressSpace(Machine);
        Mmu = new Mmu(Space);
        AddressSpace.CurrentMmu = Mmu;
    }

    public MemorySystem Machine { get; }

    public AddressSpace Space { get; }

    public Mmu Mmu { get; }

    public ulong MapAnon(ulong length, Prot prot = Prot.Read | Prot.Write, MapFlags flags = MapFlags.None, ulong addr = 0)
    {
        MmStatus st = Space.Map(addr, length, prot, flags, null, 0, out ulong va);
        if (st != MmStatus.Ok)
        {
            throw new InvalidOperationException($"map failed: {st}");
        }

        return va;
    }

    public void Dispose()
    {
        Mmu.Dispose();
        Space.Dispose();
        Machine.Dispose();
    }
}
