using System;
using System.Collections.Generic;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    // Plain handler of a fusable instruction → its fused handlers, indexed by the Jcc's condition code.
    private static readonly Dictionary<nint, nint[]> s_fusable = BuildFusable();

    // Jcc handlers (condition in Insn.Cc).
    private static readonly HashSet<nint> s_jcc = BuildJccSet();

    /// <summary>
    /// Fuses a block's final CMP/TEST (register, immediate or memory operands, 8, 32 or 64 bits) or
    /// INC/DEC (32 or 64-bit register) with the Jcc that ends the block: that Insn gets a handler
    /// that executes both, with
    /// <see cref="InsnFlags.Fused"/> set and its own handler kept in <see cref="Insn.Plain"/>.
    /// The Jcc Insn is left unchanged.
    /// </summary>
    /// <remarks>
    /// Call once on a freshly decoded block, before it is published: the instructions are
    /// <paramref name="insns"/>, the last one ending the block. Operand fields are not changed.
    /// </remarks>
    public static void Fuse(Span<Insn> insns)
    {
        if (insns.Length < 2)
        {
            return;
        }

        ref Insn jcc = ref insns[^1];
        ref Insn first = ref insns[^2];
        if (!s_jcc.Contains((nint)jcc.Fn) || (first.Flags & InsnFlags.Fused) != 0 || first.Next != jcc.Rip
            || !s_fusable.TryGetValue((nint)first.Fn, out nint[]? fused))
        {
            return;
        }

        // 16 entries: one handler per condition code. One: a handler that reads the condition from
        // the Jcc (INC/DEC). Two: a handler that takes a condition selector in Aux2 (memory forms).
        int cc = jcc.Cc & 15;
        nint handler = fused.Length == 16 ? fused[cc] : fused[0];
        if (handler == 0)
        {
            return;
        }

        if (fused.Length == 2)
        {
            uint selector = Interpreter.FusedCondition(cc);
            if (selector == 0)
            {
                return;
            }

            first.Aux2 = selector;
        }

        first.Plain = first.Fn;
        first.Flags |= InsnFlags.Fused;
        first.Fn = (delegate*<Cpu, ref Insn, int>)handler;
    }

    private static HashSet<nint> BuildJccSet() => new()
    {
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcO>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcNo>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcB>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcAe>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcE>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcNe>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcBe>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcA>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcS>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcNs>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcP>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcNp>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcL>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcGe>,
        (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcLe>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.Jcc<CcG>,
    };

    private static Dictionary<nint, nint[]> BuildFusable()
    {
        Dictionary<nint, nint[]> d = new();
        AddFusable<CmpOp, W8>(d);
        AddFusable<CmpOp, W32>(d);
        AddFusable<CmpOp, W64>(d);
        AddFusable<TestOp, W8>(d);
        AddFusable<TestOp, W32>(d);
        AddFusable<TestOp, W64>(d);
        AddFusableMem<CmpOp, W8>(d, withRM: true);
        AddFusableMem<CmpOp, W32>(d, withRM: true);
        AddFusableMem<CmpOp, W64>(d, withRM: true);
        AddFusableMem<TestOp, W8>(d, withRM: false);
        AddFusableMem<TestOp, W32>(d, withRM: false);
        AddFusableMem<TestOp, W64>(d, withRM: false);
        AddFusableIncDec<W32>(d);
        AddFusableIncDec<W64>(d);
        return d;
    }

    private static void AddFusableIncDec<W>(Dictionary<nint, nint[]> d) where W : struct, IWidth
    {
        d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.DecR<W>] = new[] { (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.DecRJcc<W> };
        d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.IncR<W>] = new[] { (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.IncRJcc<W> };
    }

    private static void AddFusableMem<TOp, W>(Dictionary<nint, nint[]> d, bool withRM) where TOp : struct, IAluOp where W : struct, IWidth
    {
        AddFusableMem<TOp, W, EaFull>(d, withRM);
        AddFusableMem<TOp, W, EaBaseDisp>(d, withRM);
        AddFusableMem<TOp, W, EaDisp>(d, withRM);
    }

    private static void AddFusableMem<TOp, W, TEa>(Dictionary<nint, nint[]> d, bool withRM) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        // Two entries (the second unused): the handler takes its condition selector in Aux2.
        d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluMR<TOp, W, TEa>] = new[] { (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluMRJcc<TOp, W, TEa>, 0 };
        d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluMI<TOp, W, TEa>] = new[] { (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluMIJcc<TOp, W, TEa>, 0 };
        if (withRM)
        {
            d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRM<TOp, W, TEa>] = new[] { (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRMJcc<TOp, W, TEa>, 0 };
        }
    }

    private static void AddFusable<TOp, W>(Dictionary<nint, nint[]> d) where TOp : struct, IAluOp where W : struct, IWidth
    {
        // O, NO, P and NP rarely follow CMP/TEST: those pairs stay unfused (0).
        d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRR<TOp, W>] = new nint[]
        {
            0, 0,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcB>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcAe>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcE>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcNe>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcBe>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcA>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcS>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcNs>,
            0, 0,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcL>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcGe>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcLe>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRRJcc<TOp, W, CcG>,
        };
        d[(nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRI<TOp, W>] = new nint[]
        {
            0, 0,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcB>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcAe>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcE>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcNe>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcBe>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcA>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcS>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcNs>,
            0, 0,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcL>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcGe>,
            (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcLe>, (nint)(delegate*<Cpu, ref Insn, int>)&Interpreter.AluRIJcc<TOp, W, CcG>,
        };
    }
}
