using System;
using System.Collections.Generic;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
    // ------------------------------------------------------------------ region formation

    /// <summary>
    /// The entry block and the decoded blocks reachable from it by direct jumps, calls and returns, within
    /// the limits: the most executed candidate first (the interpreter's counts), so a loop's hot path gets
    /// in before the cold branches around it (breadth-first order among equals).
    /// </summary>
    private static List<BlockInfo> Collect(BlockCache cache, Block entry, int maxInsns)
    {
        List<BlockInfo> result = new();
        HashSet<ulong> seen = new();
        List<Block> candidates = new() { entry };
        seen.Add(entry.Start);
        int insns = 0;
        while (candidates.Count > 0 && result.Count < MaxBlocks)
        {
            int pick = 0;
            for (int i = 1; i < candidates.Count; i++)
            {
                if (candidates[i].Executions > candidates[pick].Executions)
                {
                    pick = i;
                }
            }

            Block b = candidates[pick];
            candidates.RemoveAt(pick);
            Instruction[]? ins = Redecode(b);
            if (ins == null)
            {
                if (result.Count == 0)
                {
                    return result;
                }

                continue;
            }

            if (insns + ins.Length > maxInsns && result.Count > 0)
            {
                continue;
            }

            insns += ins.Length;
            BlockInfo bi = new() { Block = b, Ins = ins };
            Instruction last = ins[^1];
            bi.FallsThrough = last.FlowControl == Iced.Intel.FlowControl.Next;
            result.Add(bi);

            foreach (ulong target in Successors(bi))
            {
                if (seen.Add(target) && cache.TryGet(target) is Block next)
                {
                    candidates.Add(next);
                }
            }
        }

        return result;
    }

    /// <summary>Targets of a block's direct edges that a region may follow.</summary>
    private static IEnumerable<ulong> Successors(BlockInfo bi)
    {
        Instruction last = bi.Ins[^1];
        if (bi.FallsThrough)
        {
            yield return bi.Block.End;
        }
        else if (IsInlineJcc(last))
        {
            yield return last.NearBranchTarget;
            yield return last.NextIP;
        }
        else if (IsDirectJmp(last))
        {
            yield return last.NearBranchTarget;
        }
        else if (IsDirectCall(last))
        {
            // The callee, and where its RET comes back to (a RET that finds that address jumps there).
            yield return last.NearBranchTarget;
            yield return last.NextIP;
        }
    }

    private static bool IsDirectCall(in Instruction ins) =>
        ins.Mnemonic == Mnemonic.Call && ins.Op0Kind == OpKind.NearBranch64;

    /// <summary>
    /// Decodes the block's captured bytes again into Iced instructions; null unless they match the
    /// interpreter's decoding one to one (then the block is left to the interpreter).
    /// </summary>
    private static Instruction[]? Redecode(Block b)
    {
        if (b.Code.Length == 0 || b.Code.Length != (int)(b.End - b.Start))
        {
            return null;
        }

        Decoder d = Decoder.Create(64, new ByteArrayCodeReader(b.Code), b.Start, DecoderOptions.None);
        List<Instruction> list = new();
        ulong ip = b.Start;
        while (ip < b.End)
        {
            d.Decode(out Instruction ins);
            if (ins.IsInvalid || list.Count >= b.Count)
            {
                return null;
            }

            ref Insn decoded = ref b.Insns[list.Count];
            if (decoded.Next != ins.NextIP || decoded.Len != ins.Length)
            {
                return null;
            }

            list.Add(ins);
            ip = ins.NextIP;
        }

        // The interpreter's block has one more entry when it ends in its fall-through pseudo-instruction.
        int expected = list.Count + (list.Count > 0 && list[^1].FlowControl == Iced.Intel.FlowControl.Next ? 1 : 0);
        return list.Count == 0 || ip != b.End || expected != b.Count ? null : list.ToArray();
    }

    private static bool IsInlineJcc(in Instruction ins) =>
        ins.FlowControl == Iced.Intel.FlowControl.ConditionalBranch && ins.ConditionCode != ConditionCode.None
        && ins.Op0Kind == OpKind.NearBranch64 && ins.Mnemonic != Mnemonic.Loop && ins.Mnemonic != Mnemonic.Loope
        && ins.Mnemonic != Mnemonic.Loopne && ins.Mnemonic != Mnemonic.Jrcxz && ins.Mnemonic != Mnemonic.Jecxz;

    private static bool IsDirectJmp(in Instruction ins) =>
        ins.FlowControl == Iced.Intel.FlowControl.UnconditionalBranch && ins.Op0Kind == OpKind.NearBranch64;
}
