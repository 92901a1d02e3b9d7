using System;
using System.Collections.Generic;
using System.IO;
using Iced.Intel;
using X64Emu.Cpu.Decode;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests;

/// <summary>CMP/TEST/INC/DEC + Jcc fusion (Translator.Fuse): the fused handler must act exactly as the pair.</summary>
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
        // Forms: rr, ri, mr ([rbp + 8], reg), mi, rm (reg, [rbp + 8]), mx ([rbp + rbx + 8], reg), r (INC/DEC).
        foreach ((string op, string[] forms, int[] widths) in new[]
        {
            ("cmp", new[] { "rr", "ri", "mr", "mi", "rm", "mx" }, new[] { 8, 32, 64 }),
            ("test", new[] { "rr", "ri", "mr", "mi" }, new[] { 8, 32, 64 }),
            ("dec", new[] { "r" }, new[] { 32, 64 }),
            ("inc", new[] { "r" }, new[] { 32, 64 }),
        })
        {
            foreach (string form in forms)
            {
                foreach (int width in widths)
                {
                    for (int cc = 0; cc < 16; cc++)
                    {
                        yield return new object[] { op, form, width, cc };
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Fuse_FlagSetterThenJcc_MatchesThePair(string op, string form, int width, int cc)
    {
        Insn[] plain = Translate(Assemble(op, form, width, cc));
        Assert.Equal(2, plain.Length);
        Insn[] fused = (Insn[])plain.Clone();
        Translator.Fuse(fused);

        // CMP/TEST leave O, NO, P and NP unfused; INC/DEC take every condition.
        bool fusable = form == "r" || cc is not (0 or 1 or 10 or 11);
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
                Set(f, a, b);
                Assert.Equal(0, plain[0].Fn(c, ref plain[0]));
                Assert.Equal((int)ExitReason.BlockEnd, plain[1].Fn(c, ref plain[1]));
                ulong rip = c.R.Rip;
                ulong flags = c.Rflags;
                ulong rsi = c.Gpr(Reg.Rsi);

                Set(f, a, b);
                Assert.Equal((int)ExitReason.BlockEnd, fused[0].Fn(c, ref fused[0]));
                Assert.Equal(rip, c.R.Rip);
                Assert.Equal(flags, c.Rflags);
                Assert.Equal(rsi, c.Gpr(Reg.Rsi));
            }
        }
    }

    [Fact]
    public void Fuse_MemoryFault_ReportsTheFirstInstruction()
    {
        Insn[] fused = Translate(Assemble("cmp", "mr", 32, 4));
        Translator.Fuse(fused);
        Assert.NotEqual(0, fused[0].Flags & InsnFlags.Fused);
        using CpuFixture f = new(new byte[] { 0x90 });
        f.Cpu.Gpr(Reg.Rbp) = 0x10_0000; // unmapped
        Assert.Equal((int)ExitReason.PageFault, fused[0].Fn(f.Cpu, ref fused[0]));
        Assert.Equal(Va, f.Cpu.R.Rip);
    }

    private static void Set(CpuFixture f, ulong a, ulong b)
    {
        Cpu c = f.Cpu;
        c.Gpr(Reg.Rsi) = a;
        c.Gpr(Reg.Rdi) = b;
        c.Gpr(Reg.Rbp) = CpuFixture.DataVa;
        c.Gpr(Reg.Rbx) = 0;
        Assert.True(f.Space.WriteUser64(CpuFixture.DataVa + 8, b));
        c.Rflags = 0x2;
        c.R.Rip = 0;
    }

    private static byte[] Assemble(string op, string form, int width, int cc)
    {
        Assembler a = new(64);
        Label target = a.CreateLabel();
        object reg = width switch { 8 => sil, 32 => esi, _ => rsi };
        object src = width switch { 8 => dil, 32 => edi, _ => rdi };
        object imm = width == 8 ? (object)(byte)0x80 : -2;
        object mem = width switch { 8 => __byte_ptr[rbp + 8], 32 => __dword_ptr[rbp + 8], _ => __qword_ptr[rbp + 8] };
        object memx = width switch { 8 => __byte_ptr[rbp + rbx + 8], 32 => __dword_ptr[rbp + rbx + 8], _ => __qword_ptr[rbp + rbx + 8] };
        object[] operands = form switch
        {
            "rr" => new[] { reg, src },
            "ri" => new[] { reg, imm },
            "mr" => new[] { mem, reg },
            "mi" => new[] { mem, width == 8 ? -128 : -2 },
            "rm" => new[] { reg, mem },
            "mx" => new[] { memx, reg },
            _ => new[] { reg },
        };
        Type[] types = Array.ConvertAll(operands, o => o.GetType());
        Array.Find(typeof(Assembler).GetMethods(), m => m.Name == op && Array.ConvertAll(m.GetParameters(), p => p.ParameterType).AsSpan().SequenceEqual(types))!
            .Invoke(a, operands);
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
