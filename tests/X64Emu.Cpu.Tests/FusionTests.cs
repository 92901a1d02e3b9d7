using System;
using System.Collections.Generic;
using System.IO;
using Iced.Intel;
using X64Emu.Cpu.Decode;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests;

/// <summary>CMP/TEST + Jcc fusion (Translator.Fuse): the fused handler must act exactly as the pair.</summary>
public unsafe class FusionTests
{
    private const ulong Va = CpuFixture.CodeVa;

    private static readonly string[] Ccs = { "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g" };

    private static readonly ulong[] Values =
    {
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue, 0x1234_5678_9ABC_DEF0,
    };

    public static IEnumerable<object[]> Pairs()
    {
        foreach (string op in new[] { "cmp", "test" })
        {
            foreach (int width in new[] { 8, 32, 64 })
            {
                foreach (bool imm in new[] { false, true })
                {
                    for (int cc = 0; cc < 16; cc++)
                    {
                        yield return new object[] { op, width, imm, cc };
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Fuse_CmpOrTestThenJcc_MatchesThePair(string op, int width, bool imm, int cc)
    {
        Insn[] plain = Translate(Assemble(op, width, imm, cc));
        Assert.Equal(2, plain.Length);
        Insn[] fused = (Insn[])plain.Clone();
        Translator.Fuse(fused);

        // O, NO, P and NP are left unfused.
        bool fusable = cc is not (0 or 1 or 10 or 11);
        Assert.Equal(fusable, (fused[0].Flags & InsnFlags.Fused) != 0);
        Assert.Equal((nint)plain[1].Fn, (nint)fused[1].Fn);
        if (!fusable)
        {
            Assert.Equal(0, (nint)fused[0].Plain);
            return;
        }

        Assert.Equal((nint)plain[0].Fn, (nint)fused[0].Plain);
        Assert.Equal(plain[0].Code, fused[0].Code);
        using CpuFixture f = new(new byte[] { 0x90 });
        Cpu c = f.Cpu;
        foreach (ulong a in Values)
        {
            foreach (ulong b in Values)
            {
                Set(c, a, b);
                Assert.Equal(0, plain[0].Fn(c, ref plain[0]));
                Assert.Equal((int)ExitReason.BlockEnd, plain[1].Fn(c, ref plain[1]));
                ulong rip = c.R.Rip;
                ulong flags = c.Rflags;

                Set(c, a, b);
                Assert.Equal((int)ExitReason.BlockEnd, fused[0].Fn(c, ref fused[0]));
                Assert.Equal(rip, c.R.Rip);
                Assert.Equal(flags, c.Rflags);
            }
        }
    }

    private static void Set(Cpu c, ulong a, ulong b)
    {
        c.Gpr(Reg.Rsi) = a;
        c.Gpr(Reg.Rdi) = b;
        c.Rflags = 0x2;
        c.R.Rip = 0;
    }

    private static byte[] Assemble(string op, int width, bool imm, int cc)
    {
        Assembler a = new(64);
        Label target = a.CreateLabel();
        object dst = width switch { 8 => sil, 32 => esi, _ => rsi };
        object src = imm ? (width == 8 ? (object)(byte)0x80 : -2) : width switch { 8 => dil, 32 => edi, _ => rdi };
        typeof(Assembler).GetMethod(op, new[] { dst.GetType(), src.GetType() })!.Invoke(a, new[] { dst, src });
        typeof(Assembler).GetMethod("j" + Ccs[cc], new[] { typeof(Label) })!.Invoke(a, new object[] { target });
        a.nop();
        a.Label(ref target);
        a.nop();
        using MemoryStream ms = new();
        a.Assemble(new StreamCodeWriter(ms), Va);
        return ms.ToArray();
    }

    private static Insn[] Translate(byte[] code)
    {
        Decoder decoder = Decoder.Create(64, new ByteArrayCodeReader(code));
        decoder.IP = Va;
        List<Insn> insns = new();
        while (true)
        {
            decoder.Decode(out Instruction ins);
            Insn d = default;
            bool ends = Translator.Translate(ref d, in ins);
            insns.Add(d);
            if (ends)
            {
                return insns.ToArray();
            }
        }
    }
}
