using System;
using System.Collections.Generic;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests.Oracle;

public static partial class OracleCases
{
    /// <summary>Flag producers on RSI/RDI with the flags they leave undefined (Src null: one operand).</summary>
    private static readonly (string Op, object Dst, object? Src, ulong Undef)[] Producers =
    {
        ("cmp", sil, dil, 0), ("cmp", si, di, 0), ("cmp", esi, edi, 0), ("cmp", rsi, rdi, 0),
        ("sub", sil, dil, 0), ("sub", si, di, 0), ("sub", esi, edi, 0), ("sub", rsi, rdi, 0),
        ("add", sil, dil, 0), ("add", esi, edi, 0), ("add", rsi, rdi, 0),
        ("adc", esi, edi, 0), ("sbb", rsi, rdi, 0), ("sbb", sil, dil, 0),
        ("test", sil, dil, AF), ("test", esi, edi, AF), ("test", rsi, rdi, AF),
        ("and", si, di, AF), ("or", esi, edi, AF), ("xor", rsi, rdi, AF),
        ("inc", esi, null, 0), ("dec", rsi, null, 0), ("dec", sil, null, 0), ("neg", edi, null, 0),
        ("shl", esi, (byte)1, AF), ("sar", rsi, (byte)1, AF), ("shr", edi, (byte)1, AF), ("rol", esi, (byte)1, 0), ("rcr", rdi, (byte)1, 0),
        ("imul", esi, edi, SF | ZF | AF | PF), ("bt", rsi, rdi, OF | SF | AF | PF), ("popcnt", esi, edi, 0),

        // Multi-bit counts (OF undefined) and the lazy shift and multiply kinds at every width.
        ("shl", rsi, (byte)13, AF | OF), ("shr", rsi, (byte)7, AF | OF), ("sar", rdi, (byte)63, AF | OF),
        ("shl", sil, (byte)3, AF | OF), ("shr", si, (byte)9, AF | OF), ("sar", dil, (byte)5, AF | OF),
        ("ror", rsi, (byte)9, OF), ("rol", di, (byte)3, OF), ("ror", edi, (byte)1, 0),
        ("imul", rsi, rdi, SF | ZF | AF | PF), ("imul", si, di, SF | ZF | AF | PF),
        ("shl", rsi, cl, AF | OF), ("sar", edi, cl, AF | OF), ("rol", rsi, cl, OF),
    };

    private static Action<Assembler> Produce(string op, object dst, object? src) => src == null ? I(op, dst) : I(op, dst, src);

    // --- CMOVcc SETcc, and the lazy-flag paths behind them -------------------------------------------

    private static readonly string[] Ccs = { "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g" };

    private static void AddConditional(List<OracleCase> list)
    {
        foreach (string cc in Ccs)
        {
            list.Add(Make(0, I("cmov" + cc, ecx, edx)));
            list.Add(Make(0, I("cmov" + cc, rsi, rdi)));
            list.Add(Make(0, I("cmov" + cc, ax, bx)));
            list.Add(Make(0, I("cmov" + cc, ebx, M32)));
            list.Add(Make(0, I("set" + cc, bl)));
            list.Add(Make(0, I("set" + cc, ah)));
        }

        // A flag-setting instruction followed by all sixteen conditions: the emulator answers some
        // conditions straight from the lazy operands (CMP/SUB, logic), so test each producer.
        AssemblerRegister8[] outs = { al, ah, bl, bh, cl, ch, dl, dh };
        foreach ((string op, object dst, object? src, ulong undef) in Producers)
        {
            Action<Assembler> produce = Produce(op, dst, src);

            // Conditions that read an undefined flag are undefined too: keep the others.
            List<string> ccs = new();
            foreach (string cc in Ccs)
            {
                if ((CondReads(cc) & undef) == 0)
                {
                    ccs.Add(cc);
                }
            }

            for (int first = 0; first < ccs.Count; first += outs.Length)
            {
                List<Action<Assembler>> insns = new() { produce };
                for (int k = 0; k < outs.Length && first + k < ccs.Count; k++)
                {
                    insns.Add(I("set" + ccs[first + k], outs[k]));
                }

                list.Add(Make(undef, insns.ToArray()));
            }
        }

        // CMOV after CMP in the same block.
        foreach (string cc in new[] { "b", "be", "l", "le", "e", "s", "o", "p" })
        {
            list.Add(Make(0, I("cmp", ecx, edx), I("cmov" + cc, eax, ebx)));
            list.Add(Make(0, I("test", rcx, rdx), I("cmov" + cc, rsi, rdi)));
        }
    }

    /// <summary>The flags a condition code reads.</summary>
    private static ulong CondReads(string cc) => cc switch
    {
        "o" or "no" => OF,
        "b" or "ae" => CF,
        "e" or "ne" => ZF,
        "be" or "a" => CF | ZF,
        "s" or "ns" => SF,
        "p" or "np" => PF,
        "l" or "ge" => SF | OF,
        _ => ZF | SF | OF,
    };

    // --- Jcc and the carry consumers, after each producer --------------------------------------------

    private static void AddFlow(List<OracleCase> list)
    {
        foreach ((string op, object dst, object? src, ulong undef) in Producers)
        {
            // producer; then for each defined condition k: jcc L_k; lea rax, [rax + 2^k]; L_k:
            // Every Jcc ends a block, so the lazy flags are read across block boundaries.
            List<string> ccs = new();
            foreach (string cc in Ccs)
            {
                if ((CondReads(cc) & undef) == 0)
                {
                    ccs.Add(cc);
                }
            }

            Action<Assembler> produce = Produce(op, dst, src);
            list.Add(Make(undef, produce, a =>
            {
                for (int k = 0; k < ccs.Count; k++)
                {
                    Label skip = a.CreateLabel();
                    typeof(Assembler).GetMethod("j" + ccs[k], new[] { typeof(Label) })!.Invoke(a, new object[] { skip });
                    a.lea(rax, __[rax + (1 << k)]);
                    a.Label(ref skip);
                }

                a.nop();
            }));

            // The carry as ADC/SBB/RCL/RCR read it (a separate path from the condition evaluator),
            // chained so that each consumer also reads the previous one's lazy carry.
            list.Add(Make(0, produce, I("adc", rax, rbx), I("sbb", ecx, edx), I("adc", bl, dh), I("rcl", cx, (byte)1), I("sbb", al, (sbyte)0)));
            list.Add(Make(0, produce, I("rcr", edx, (byte)1), I("adc", ax, bx), I("sbb", rbx, rcx)));
        }
    }
}
