using System;
using System.Threading;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Jit;

/// <summary>Compiled code of a region: runs from member block <paramref name="entry"/> and returns an <see cref="ExitReason"/> as int.</summary>
public delegate int JitCode(Cpu cpu, int entry);

/// <summary>Where a block's compiled code is: a region, and the block's index in it.</summary>
public sealed class JitEntry
{
    public JitEntry(JitRegion region, int index)
    {
        Region = region;
        Index = index;
    }

    public JitRegion Region { get; }

    public int Index { get; }
}

/// <summary>
/// A hot region compiled to IL: one entry block and the blocks reachable from it by direct branches,
/// compiled as one method in which guest registers live in locals and flags are computed only when read.
/// </summary>
/// <remarks>
/// The region is the delegate's target (the compiled method's first argument), so its generated code
/// reaches <see cref="Valid"/> and keeps <see cref="Insns"/> alive. It becomes invalid when any of its
/// blocks is invalidated (code unmapped, reprotected or written); running code checks at every edge
/// between its blocks, as the interpreter checks at block boundaries.
/// </remarks>
public sealed class JitRegion
{
    internal JitRegion(Block entry, Block[] blocks, Insn[] insns)
    {
        Entry = entry;
        Blocks = blocks;
        Insns = insns;
    }

    public Block Entry { get; }

    /// <summary>Member blocks, the entry first.</summary>
    public Block[] Blocks { get; }

    /// <summary>Pinned copies of the members' decoded instructions, passed to interpreter handlers the code falls back to.</summary>
    internal Insn[] Insns { get; }

    /// <summary>Cleared when a member block is invalidated.</summary>
    public volatile bool Valid = true;

    /// <summary>The compiled code (set once compilation succeeds).</summary>
    public JitCode? Code;

    /// <summary>Guest instructions compiled inline, and those that call their interpreter handler.</summary>
    public int InlineInsns;

    public int FallbackInsns;

    /// <summary>Per handler call site, the address of its instruction in <see cref="Insns"/> (pinned).</summary>
    internal nint[] Sites = System.Array.Empty<nint>();

    /// <summary>Size of the region's IL in bytes.</summary>
    public int IlSize;

    /// <summary>With X64EMU_JIT_LOG=1: the instructions that run through their handlers, for finding what to compile next.</summary>
    internal System.Collections.Generic.List<string>? FallbackLog;

    public void Invalidate() => Valid = false;
}
