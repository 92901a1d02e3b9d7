using System;
using X64Emu.Cpu.Decode;
using X64Emu.Memory;

namespace X64Emu.Cpu.Tests;

/// <summary>A machine with a code page, a data page and a stack, for running instruction snippets.</summary>
public sealed class CpuFixture : IDisposable
{
    public const ulong CodeVa = 0x400000;
    public const ulong DataVa = 0x600000;
    public const ulong StackTop = 0x7ff000;

    public CpuFixture(byte[] code, X64Emu.Cpu.Jit.JitMode jit = X64Emu.Cpu.Jit.JitMode.Off, bool writableCode = false)
    {
        Machine = new MemorySystem(64UL << 20);
        Space = new AddressSpace(Machine);
        Mmu = new Mmu(Space);
        AddressSpace.CurrentMmu = Mmu;
        Blocks = new BlockCache(Space);
        Blocks.SetJit(jit);
        Cpu = new Cpu(Mmu, Blocks);
        Check(Space.Map(CodeVa, 0x1000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _));
        if (!Space.WriteUser(CodeVa, code))
        {
            throw new InvalidOperationException("cannot write code");
        }

        if (writableCode)
        {
            Space.WxEnforced = false; // self-modifying code, as a guest with --wx=off
            Check(Space.Protect(CodeVa, 0x1000, Prot.Read | Prot.Write | Prot.Exec));
        }
        else
        {
            Check(Space.Protect(CodeVa, 0x1000, Prot.Read));
            Check(Space.Protect(CodeVa, 0x1000, Prot.Read | Prot.Exec)); // W^X: RW → R → RX is allowed, RW → RX is not
        }
        Check(Space.Map(DataVa, 0x2000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _));
        Check(Space.Map(StackTop - 0x4000, 0x4000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _));
        Cpu.R.Rip = CodeVa;
        Cpu.Gpr(Reg.Rsp) = StackTop;
    }

    public MemorySystem Machine { get; }

    public AddressSpace Space { get; }

    public Mmu Mmu { get; }

    public BlockCache Blocks { get; }

    public Cpu Cpu { get; }

    private static void Check(MmStatus st)
    {
        if (st != MmStatus.Ok)
        {
            throw new InvalidOperationException(st.ToString());
        }
    }

    public void Dispose()
    {
        Mmu.Dispose();
        Space.Dispose();
        Machine.Dispose();
    }
}
