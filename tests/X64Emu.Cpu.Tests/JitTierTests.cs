using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.Intrinsics;
using System.Text;
using Iced.Intel;
using X64Emu.Cpu.Jit;
using X64Emu.Memory;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests;

/// <summary>
/// The compiled tier against the interpreter, its reference: seeded random programs (loops, forward
/// branches, memory operands, every flag producer and consumer the compiler handles inline, and
/// instructions it leaves to their handlers) run once interpreted and once with every block compiled;
/// the registers, all six arithmetic flags, the data page, RIP and the exit reason must be identical.
/// </summary>
public class JitTierTests
{
    private const ulong DataVa = CpuFixture.DataVa;

    private static readonly AssemblerRegister64[] R64 = { rax, rbx, rcx, rdx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14 };
    private static readonly AssemblerRegister32[] R32 = { eax, ebx, ecx, edx, esi, edi, r8d, r9d, r10d, r11d, r12d, r13d, r14d };
    private static readonly AssemblerRegister16[] R16 = { ax, bx, cx, dx, si, di, r8w, r9w, r10w, r11w, r12w, r13w, r14w };
    private static readonly AssemblerRegister8[] R8 = { al, bl, cl, dl, sil, dil, r8b, r9b, r10b, r11b, ah, bh, dh };
    private static readonly AssemblerRegisterXMM[] X = { xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15 };

    public static IEnumerable<object[]> Seeds()
    {
        for (int seed = 1; seed <= 1000; seed++)
        {
            yield return new object[] { seed };
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomProgram_CompiledTier_MatchesInterpreter(int seed)
    {
        byte[] code = RandomProgram(seed, out string listing);
        State interp = Run(code, JitMode.Off);
        State compiled = Run(code, JitMode.Eager);
        string? diff = interp.Diff(compiled);
        Assert.True(diff == null, $"seed {seed}: {diff}\n{listing}");
        Assert.True(compiled.Exit is ExitReason.InvalidOpcode or ExitReason.PageFault, $"seed {seed}: stopped with {compiled.Exit}");
    }

    [Fact]
    public void SelfModifyingLoop_CompiledRegionIsDroppedAndTheNewCodeRuns()
    {
        // A loop that rewrites the immediate of its own "add rax, imm32" each iteration (W^X off).
        Assembler a = new(64);
        Label loop = a.CreateLabel();
        a.mov(rcx, 100);
        a.xor(eax, eax);
        a.lea(rdi, __[loop]);
        a.Label(ref loop);
        a.add(rax, 0x01010101);               // 48 05 imm32: the immediate is at patch + 2
        a.mov(__dword_ptr[rdi + 2], ecx);     // next iteration adds the current counter
        a.dec(rcx);
        a.jne(loop);
        a.ud2();
        byte[] code = Assemble(a, CpuFixture.CodeVa);
        foreach (JitMode mode in new[] { JitMode.Off, JitMode.Eager })
        {
            using CpuFixture f = new(code, mode, writableCode: true);
            Assert.Equal(ExitReason.InvalidOpcode, f.Cpu.Run());
            // 0x01010101 + 100 + 99 + ... + 2 = 0x01010101 + 5049.
            Assert.Equal(0x01010101UL + 5049, f.Cpu.Gpr(Reg.Rax));
        }
    }

    [Fact]
    public void FaultInsideCompiledLoop_StopsAtTheInstructionWithEveryEarlierEffect()
    {
        // Walks a pointer up through the data pages until it faults past their end.
        Assembler a = new(64);
        Label loop = a.CreateLabel();
        a.mov(rsi, DataVa);
        a.xor(ebx, ebx);
        a.Label(ref loop);
        a.add(rbx, 3);
        a.mov(rax, __qword_ptr[rsi]);
        a.add(rsi, 512);
        a.cmp(rbx, 1000000);
        a.jne(loop);
        a.ud2();
        byte[] code = Assemble(a, CpuFixture.CodeVa);
        State interp = Run(code, JitMode.Off);
        State compiled = Run(code, JitMode.Eager);
        Assert.Equal(ExitReason.PageFault, interp.Exit);
        Assert.Null(interp.Diff(compiled));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 8)]
    [InlineData(true, 8)]
    public void MisalignedAlignedVectorMove_InCompiledLoop_RaisesGeneralProtectionAtTheInstruction(bool store, int misalign)
    {
        // movdqa through a pointer that becomes misaligned on the fourth iteration.
        Assembler a = new(64);
        Label loop = a.CreateLabel();
        a.mov(rsi, DataVa);
        a.mov(rcx, 0x0102030405060708);
        a.movq(xmm1, rcx);
        a.Label(ref loop);
        if (store)
        {
            a.movdqa(__xmmword_ptr[rsi], xmm1);
        }
        else
        {
            a.movdqu(xmm2, __xmmword_ptr[rsi]);
            a.pcmpeqb(xmm2, __xmmword_ptr[rsi + 16]); // a legacy-SSE m128 source must be aligned too
            a.movdqa(xmm3, __xmmword_ptr[rsi]);
        }

        a.add(rsi, 16);
        a.cmp(rsi, (int)(DataVa + 48));
        a.jne(loop);
        a.add(rsi, misalign);
        a.jmp(loop);
        byte[] code = Assemble(a, CpuFixture.CodeVa);
        State interp = Run(code, JitMode.Off);
        State compiled = Run(code, JitMode.Eager);
        Assert.Equal(ExitReason.GeneralProtection, interp.Exit);
        Assert.Null(interp.Diff(compiled));
    }

    [Fact]
    public void UnmaskedSseException_InCompiledLoop_RaisesFloatingPointErrorAtTheInstruction()
    {
        // Divide-by-zero unmasked in MXCSR; a loop divides by a value that reaches 0.0 on the third iteration.
        Assembler a = new(64);
        Label loop = a.CreateLabel();
        a.mov(rbp, DataVa);
        a.mov(eax, 0x1F80 & ~0x200);               // every exception masked but ZE
        a.mov(__dword_ptr[rbp + 0x100], eax);
        a.ldmxcsr(__dword_ptr[rbp + 0x100]);
        a.mov(rcx, 0x4008000000000000);            // 3.0
        a.movq(xmm1, rcx);
        a.mov(rcx, 0x3FF0000000000000);            // 1.0
        a.movq(xmm2, rcx);
        a.movq(xmm0, rcx);
        a.mov(r8, 10);                             // bounded: without the exception the program ends at UD2
        a.Label(ref loop);
        a.cmp(r8, 11);                             // flags the #XM must show (the SUB after overwrites them all)
        a.subsd(xmm1, xmm2);                       // 2.0, 1.0, 0.0
        a.divsd(xmm0, xmm1);
        a.sub(r8, 1);
        a.jne(loop);
        a.ud2();
        byte[] code = Assemble(a, CpuFixture.CodeVa);
        State interp = Run(code, JitMode.Off);
        State compiled = Run(code, JitMode.Eager);
        Assert.Equal(ExitReason.FloatingPointError, interp.Exit);
        Assert.Null(interp.Diff(compiled));
    }

    // ------------------------------------------------------------------ machinery

    private sealed record State(ExitReason Exit, ulong Rip, ulong[] Gpr, ulong Flags, byte[] Data, ulong[] Xmm)
    {
        public string? Diff(State o)
        {
            StringBuilder sb = new();
            if (Exit != o.Exit || Rip != o.Rip)
            {
                sb.Append($"exit {Exit} at 0x{Rip:x} vs {o.Exit} at 0x{o.Rip:x}; ");
            }

            for (int i = 0; i < 16; i++)
            {
                if (Gpr[i] != o.Gpr[i])
                {
                    sb.Append($"r{i} 0x{Gpr[i]:x} vs 0x{o.Gpr[i]:x}; ");
                }
            }

            for (int i = 0; i < 32; i++)
            {
                if (Xmm[i] != o.Xmm[i])
                {
                    sb.Append($"xmm{i / 2}.q{i % 2} 0x{Xmm[i]:x} vs 0x{o.Xmm[i]:x}; ");
                }
            }

            if (Flags != o.Flags)
            {
                sb.Append($"flags 0x{Flags:x} vs 0x{o.Flags:x}; ");
            }

            for (int i = 0; i < Data.Length; i++)
            {
                if (Data[i] != o.Data[i])
                {
                    sb.Append($"data[0x{i:x}] 0x{Data[i]:x2} vs 0x{o.Data[i]:x2}; ");
                    break;
                }
            }

            return sb.Length == 0 ? null : sb.ToString();
        }
    }

    private static State Run(byte[] code, JitMode mode)
    {
        using CpuFixture f = new(code, mode);
        Cpu c = f.Cpu;
        c.Rflags = 0x2;
        ExitReason r = c.Run();
        ulong[] gpr = new ulong[16];
        for (int i = 0; i < 16; i++)
        {
            gpr[i] = c.Gpr(i);
        }

        byte[] data = new byte[0x2000];
        Assert.True(f.Space.ReadUser(DataVa, data));
        ulong[] xmm = new ulong[32];
        for (int i = 0; i < 16; i++)
        {
            xmm[2 * i] = c.Xmm(i).AsUInt64().GetElement(0);
            xmm[(2 * i) + 1] = c.Xmm(i).AsUInt64().GetElement(1);
        }

        return new State(r, c.R.Rip, gpr, c.Rflags & 0x8D5, data, xmm);
    }

    private static byte[] Assemble(Assembler a, ulong ip)
    {
        using MemoryStream ms = new();
        a.Assemble(new StreamCodeWriter(ms), ip);
        return ms.ToArray();
    }

    /// <summary>Register setup, a loop of random instructions with forward branches, then UD2 (or a fault).</summary>
    private static byte[] RandomProgram(int seed, out string listing)
    {
        Random rng = new(seed);
        Assembler a = new(64);
        foreach (AssemblerRegister64 r in R64)
        {
            a.mov(r, Value(rng));
        }

        a.mov(rbp, DataVa);

        // Random data in the first 256 bytes and in every XMM register, so vector and floating-point
        // operations see real values (NaNs, denormals, infinities among them), not zeros.
        for (int off = 0; off < 0x100; off += 8)
        {
            a.mov(rax, Value(rng) ^ ((long)rng.Next() << 32));
            a.mov(__qword_ptr[rbp + off], rax);
        }

        foreach (AssemblerRegisterXMM x in X)
        {
            a.movdqu(x, __xmmword_ptr[rbp + (rng.Next(0, 0xF0) & ~7)]);
        }

        a.mov(rax, Value(rng));
        a.mov(r15, 2 + rng.Next(6));
        Label top = a.CreateLabel();
        a.Label(ref top);
        int n = 10 + rng.Next(30);
        for (int i = 0; i < n; i++)
        {
            if (rng.Next(8) == 0)
            {
                // A forward conditional branch over one instruction: a block boundary with live flags.
                Label skip = a.CreateLabel();
                Jcc(a, rng.Next(16), skip);
                Emit(a, rng);
                a.Label(ref skip);
            }
            else
            {
                Emit(a, rng);
            }
        }

        a.dec(r15);
        a.jne(top);
        if (rng.Next(4) == 0)
        {
            a.add(rax, __qword_ptr[rbp + 0x10000]); // unmapped: a fault after the loop, with live flags
        }

        a.ud2();
        byte[] code = Assemble(a, CpuFixture.CodeVa);
        Assert.True(code.Length < 0x1000, "program larger than the code page");
        StringBuilder sb = new();
        Iced.Intel.Decoder d = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(code), CpuFixture.CodeVa);
        while (d.IP < CpuFixture.CodeVa + (ulong)code.Length)
        {
            d.Decode(out Instruction ins);
            sb.AppendLine($"  {ins.IP:x}: {ins}");
        }

        listing = sb.ToString();
        return code;
    }

    private static long Value(Random rng) => rng.Next(4) switch
    {
        0 => rng.Next(-3, 3),
        1 => (long)(1UL << rng.Next(64)),
        2 => rng.Next(int.MinValue, int.MaxValue),
        _ => rng.NextInt64(long.MinValue, long.MaxValue),
    };

    private static void Jcc(Assembler a, int cc, Label l)
    {
        switch (cc)
        {
            case 0: a.jo(l); break;
            case 1: a.jno(l); break;
            case 2: a.jb(l); break;
            case 3: a.jae(l); break;
            case 4: a.je(l); break;
            case 5: a.jne(l); break;
            case 6: a.jbe(l); break;
            case 7: a.ja(l); break;
            case 8: a.js(l); break;
            case 9: a.jns(l); break;
            case 10: a.jp(l); break;
            case 11: a.jnp(l); break;
            case 12: a.jl(l); break;
            case 13: a.jge(l); break;
            case 14: a.jle(l); break;
            default: a.jg(l); break;
        }
    }

    private static AssemblerMemoryOperand Mem(Random rng, int size)
    {
        int disp = rng.Next(0, 0x1F0) & ~(size - 1);
        if (rng.Next(8) == 0)
        {
            disp += size == 1 ? 0 : 1; // misaligned
        }

        if (rng.Next(16) == 0)
        {
            disp = 0x1000 - (size / 2); // crosses into the second data page
        }

        return size switch
        {
            16 => __xmmword_ptr[rbp + disp],
            1 => __byte_ptr[rbp + disp],
            2 => __word_ptr[rbp + disp],
            4 => __dword_ptr[rbp + disp],
            _ => __qword_ptr[rbp + disp],
        };
    }

    private static void Emit(Assembler a, Random rng)
    {
        AssemblerRegister64 x = R64[rng.Next(R64.Length)];
        AssemblerRegister64 y = R64[rng.Next(R64.Length)];
        AssemblerRegister32 x32 = R32[rng.Next(R32.Length)];
        AssemblerRegister32 y32 = R32[rng.Next(R32.Length)];
        AssemblerRegister16 x16 = R16[rng.Next(R16.Length)];
        AssemblerRegister16 y16 = R16[rng.Next(R16.Length)];
        AssemblerRegister8 x8 = R8[rng.Next(R8.Length)];
        AssemblerRegister8 y8 = R8[rng.Next(R8.Length)];
        int imm = (int)Value(rng);
        AssemblerRegisterXMM v = X[rng.Next(X.Length)];
        AssemblerRegisterXMM w = X[rng.Next(X.Length)];
        AssemblerMemoryOperand aligned16 = __xmmword_ptr[rbp + (rng.Next(0, 0x1F0) & ~15)];
        switch (rng.Next(42))
        {
            case 0: Alu(a, rng.Next(9), x, y); break;
            case 1: Alu32(a, rng.Next(9), x32, y32); break;
            case 2: Alu16(a, rng.Next(9), x16, y16); break;
            case 3: Alu8(a, rng.Next(9), x8, y8); break;
            case 4: AluImm(a, rng.Next(9), x, imm); break;
            case 5: AluImm32(a, rng.Next(9), x32, imm); break;
            case 6: AluMem(a, rng.Next(9), Mem(rng, 8), y, rng.Next(2) == 0); break;
            case 7: AluMem32(a, rng.Next(9), Mem(rng, 4), y32, rng.Next(2) == 0); break;
            case 8:
                switch (rng.Next(4))
                {
                    case 0: a.inc(x); break;
                    case 1: a.dec(x32); break;
                    case 2: a.neg(x); break;
                    default: a.not(x16); break;
                }

                break;
            case 9:
                switch (rng.Next(3))
                {
                    case 0: a.inc(Mem(rng, 8)); break;
                    case 1: a.dec(Mem(rng, 4)); break;
                    default: a.neg(Mem(rng, 2)); break;
                }

                break;
            case 10: Shift(a, rng.Next(5), x, rng.Next(66) switch { 64 => 0, 65 => 1, var c => c }); break;
            case 11: Shift32(a, rng.Next(5), x32, rng.Next(34)); break;
            case 12: ShiftCl(a, rng.Next(5), x, rng.Next(2) == 0); break;
            case 13: a.imul(x, y); break;
            case 14: a.imul(x32, y32, imm); break;
            case 15: a.imul(x, Mem(rng, 8)); break;
            case 16: Setcc(a, rng.Next(16), x8 == ah || x8 == bh || x8 == dh ? al : x8); break;
            case 17: Cmov(a, rng.Next(16), x, y); break;
            case 18: a.mov(x, y); break;
            case 19: a.mov(x32, Mem(rng, 4)); break;
            case 20: a.mov(Mem(rng, 8), y); break;
            case 21: a.movzx(x32, y8 == ah || y8 == bh || y8 == dh ? bl : y8); break;
            case 22: a.movsx(x, Mem(rng, 2)); break;
            case 23: a.movsxd(x, y32); break;
            case 24: a.lea(x, __[y + x * 4 + imm]); break;
            case 25: a.lea(x32, __[y + 7]); break;
            case 26: a.push(x); a.pop(y); break;
            case 27: a.pushfq(); a.pop(x); break; // all six flags, exactly
            case 28: a.xchg(x, y); break;
            case 29: a.cqo(); break;
            case 30: a.cdqe(); break;
            case 31: a.bt(x, (byte)rng.Next(64)); break;    // left to its handler
            case 32: a.adc(x, y); break;
            case 33: a.sbb(x32, imm); break;
            case 34: a.mov(Mem(rng, 1), (byte)imm); break;
            case 35:
                // 16-byte loads (misaligned and page-crossing for the unaligned forms).
                switch (rng.Next(4))
                {
                    case 0: a.movdqu(v, Mem(rng, 16)); break;
                    case 1: a.movups(v, Mem(rng, 16)); break;
                    case 2: a.movdqa(v, aligned16); break;
                    default: a.movapd(v, aligned16); break;
                }

                break;
            case 36:
                switch (rng.Next(4))
                {
                    case 0: a.movdqu(Mem(rng, 16), w); break;
                    case 1: a.movupd(Mem(rng, 16), w); break;
                    case 2: a.movaps(aligned16, w); break;
                    default: a.movdqa(aligned16, w); break;
                }

                break;
            case 37:
                switch (rng.Next(4))
                {
                    case 0: a.movaps(v, w); break;
                    case 1: a.movdqu(v, w); break;
                    case 2: a.paddq(v, w); break;  // left to its handler
                    default: a.movq(x, w); break; // a handler writing a GPR
                }

                break;
            case 38:
                // Integer SSE operations (register or aligned memory source) and PMOVMSKB.
                switch (rng.Next(8))
                {
                    case 0: a.pcmpeqb(v, w); break;
                    case 1: a.pand(v, aligned16); break;
                    case 2: a.pxor(v, v); break;
                    case 3: a.psubb(v, w); break;
                    case 4: a.pminub(v, aligned16); break;
                    case 5: a.pandn(v, w); break;
                    case 6: a.pcmpeqd(v, aligned16); break;
                    default: a.pmovmskb(x32, w); break;
                }

                break;
            case 39:
                // Floating-point SSE (random bit patterns: NaNs, denormals, infinities) and the MXCSR flags they raise.
                switch (rng.Next(10))
                {
                    case 0: a.addps(v, w); break;
                    case 1: a.mulsd(v, Mem(rng, 8)); break;
                    case 2: a.divss(v, Mem(rng, 4)); break;
                    case 3: a.sqrtsd(v, w); break;
                    case 4: a.minpd(v, aligned16); break;
                    case 5: a.cvtsd2ss(v, w); break;
                    case 6: a.subss(v, w); break;
                    case 7: a.maxps(v, w); break;
                    case 8: a.divpd(v, aligned16); break;
                    default:
                        // The sticky exception flags, compared as data; but not PE (inexact): the .NET runtime
                        // compiling an emulator method at its first call on this thread may set it on the host.
                        a.stmxcsr(__dword_ptr[rbp + 0x1F8]);
                        a.and(__dword_ptr[rbp + 0x1F8], ~0x20);
                        break;
                }

                break;
            case 40:
                // Scalar moves: loads zero the rest of the register, register moves keep it (MOVQ zeroes it).
                switch (rng.Next(10))
                {
                    case 0: a.movsd(v, Mem(rng, 8)); break;
                    case 1: a.movsd(Mem(rng, 8), w); break;
                    case 2: a.movss(v, Mem(rng, 4)); break;
                    case 3: a.movss(Mem(rng, 4), w); break;
                    case 4: a.movsd(v, w); break;
                    case 5: a.movss(v, w); break;
                    case 6: a.movq(v, Mem(rng, 8)); break;
                    case 7: a.movq(Mem(rng, 8), w); break;
                    case 8: a.movq(v, w); break;
                    default: a.movsd(); break; // the string instruction: left to its handler (rsi/rdi point anywhere: may fault)
                }

                break;
            default: Alu8(a, 6, x8, y8); break;
        }
    }

    private static void Alu(Assembler a, int op, AssemblerRegister64 x, AssemblerRegister64 y)
    {
        switch (op)
        {
            case 0: a.add(x, y); break;
            case 1: a.sub(x, y); break;
            case 2: a.and(x, y); break;
            case 3: a.or(x, y); break;
            case 4: a.xor(x, y); break;
            case 5: a.cmp(x, y); break;
            case 6: a.test(x, y); break;
            case 7: a.adc(x, y); break;
            default: a.sbb(x, y); break;
        }
    }

    private static void Alu32(Assembler a, int op, AssemblerRegister32 x, AssemblerRegister32 y)
    {
        switch (op)
        {
            case 0: a.add(x, y); break;
            case 1: a.sub(x, y); break;
            case 2: a.and(x, y); break;
            case 3: a.or(x, y); break;
            case 4: a.xor(x, y); break;
            case 5: a.cmp(x, y); break;
            case 6: a.test(x, y); break;
            case 7: a.adc(x, y); break;
            default: a.sbb(x, y); break;
        }
    }

    private static void Alu16(Assembler a, int op, AssemblerRegister16 x, AssemblerRegister16 y)
    {
        switch (op)
        {
            case 0: a.add(x, y); break;
            case 1: a.sub(x, y); break;
            case 2: a.and(x, y); break;
            case 3: a.or(x, y); break;
            case 4: a.xor(x, y); break;
            case 5: a.cmp(x, y); break;
            case 6: a.test(x, y); break;
            case 7: a.adc(x, y); break;
            default: a.sbb(x, y); break;
        }
    }

    private static void Alu8(Assembler a, int op, AssemblerRegister8 x, AssemblerRegister8 y)
    {
        bool high = x == ah || x == bh || x == dh || y == ah || y == bh || y == dh;
        bool rex = x == sil || x == dil || x == r8b || x == r9b || x == r10b || x == r11b
            || y == sil || y == dil || y == r8b || y == r9b || y == r10b || y == r11b;
        if (high && rex)
        {
            y = bl; // AH..DH cannot be encoded with a REX prefix
            if (x == sil || x == dil || x == r8b || x == r9b || x == r10b || x == r11b)
            {
                x = cl;
            }
        }

        switch (op)
        {
            case 0: a.add(x, y); break;
            case 1: a.sub(x, y); break;
            case 2: a.and(x, y); break;
            case 3: a.or(x, y); break;
            case 4: a.xor(x, y); break;
            case 5: a.cmp(x, y); break;
            case 6: a.test(x, y); break;
            case 7: a.adc(x, y); break;
            default: a.sbb(x, y); break;
        }
    }

    private static void AluImm(Assembler a, int op, AssemblerRegister64 x, int imm)
    {
        switch (op)
        {
            case 0: a.add(x, imm); break;
            case 1: a.sub(x, imm); break;
            case 2: a.and(x, imm); break;
            case 3: a.or(x, imm); break;
            case 4: a.xor(x, imm); break;
            case 5: a.cmp(x, imm); break;
            case 6: a.test(x, imm); break;
            case 7: a.adc(x, imm); break;
            default: a.sbb(x, imm); break;
        }
    }

    private static void AluImm32(Assembler a, int op, AssemblerRegister32 x, int imm)
    {
        switch (op)
        {
            case 0: a.add(x, imm); break;
            case 1: a.sub(x, imm); break;
            case 2: a.and(x, imm); break;
            case 3: a.or(x, imm); break;
            case 4: a.xor(x, imm); break;
            case 5: a.cmp(x, imm); break;
            case 6: a.test(x, imm); break;
            case 7: a.adc(x, imm); break;
            default: a.sbb(x, imm); break;
        }
    }

    private static void AluMem(Assembler a, int op, AssemblerMemoryOperand m, AssemblerRegister64 y, bool toMem)
    {
        switch (op)
        {
            case 0: if (toMem) { a.add(m, y); } else { a.add(y, m); } break;
            case 1: if (toMem) { a.sub(m, y); } else { a.sub(y, m); } break;
            case 2: if (toMem) { a.and(m, y); } else { a.and(y, m); } break;
            case 3: if (toMem) { a.or(m, y); } else { a.or(y, m); } break;
            case 4: if (toMem) { a.xor(m, y); } else { a.xor(y, m); } break;
            case 5: if (toMem) { a.cmp(m, y); } else { a.cmp(y, m); } break;
            case 6: a.test(m, y); break;
            case 7: a.cmp(m, 0x55); break;
            default: a.add(m, -3); break;
        }
    }

    private static void AluMem32(Assembler a, int op, AssemblerMemoryOperand m, AssemblerRegister32 y, bool toMem)
    {
        switch (op)
        {
            case 0: if (toMem) { a.add(m, y); } else { a.add(y, m); } break;
            case 1: if (toMem) { a.sub(m, y); } else { a.sub(y, m); } break;
            case 2: if (toMem) { a.and(m, y); } else { a.and(y, m); } break;
            case 3: if (toMem) { a.or(m, y); } else { a.or(y, m); } break;
            case 4: if (toMem) { a.xor(m, y); } else { a.xor(y, m); } break;
            case 5: if (toMem) { a.cmp(m, y); } else { a.cmp(y, m); } break;
            case 6: a.test(m, y); break;
            case 7: a.cmp(m, 7); break;
            default: a.or(m, 0x100); break;
        }
    }

    private static void Shift(Assembler a, int op, AssemblerRegister64 x, int n)
    {
        switch (op)
        {
            case 0: a.shl(x, (byte)n); break;
            case 1: a.shr(x, (byte)n); break;
            case 2: a.sar(x, (byte)n); break;
            case 3: a.rol(x, (byte)n); break;
            default: a.ror(x, (byte)n); break;
        }
    }

    private static void Shift32(Assembler a, int op, AssemblerRegister32 x, int n)
    {
        switch (op)
        {
            case 0: a.shl(x, (byte)n); break;
            case 1: a.shr(x, (byte)n); break;
            case 2: a.sar(x, (byte)n); break;
            case 3: a.rol(x, (byte)n); break;
            default: a.ror(x, (byte)n); break;
        }
    }

    private static void ShiftCl(Assembler a, int op, AssemblerRegister64 x, bool zeroCount)
    {
        if (zeroCount)
        {
            a.xor(ecx, ecx); // CL = 0: the flags of the instruction before survive the shift
            a.add(rdx, rsi);
        }

        switch (op)
        {
            case 0: a.shl(x, cl); break;
            case 1: a.shr(x, cl); break;
            case 2: a.sar(x, cl); break;
            case 3: a.rol(x, cl); break;
            default: a.ror(x, cl); break;
        }
    }

    private static void Setcc(Assembler a, int cc, AssemblerRegister8 x)
    {
        switch (cc)
        {
            case 0: a.seto(x); break;
            case 1: a.setno(x); break;
            case 2: a.setb(x); break;
            case 3: a.setae(x); break;
            case 4: a.sete(x); break;
            case 5: a.setne(x); break;
            case 6: a.setbe(x); break;
            case 7: a.seta(x); break;
            case 8: a.sets(x); break;
            case 9: a.setns(x); break;
            case 10: a.setp(x); break;
            case 11: a.setnp(x); break;
            case 12: a.setl(x); break;
            case 13: a.setge(x); break;
            case 14: a.setle(x); break;
            default: a.setg(x); break;
        }
    }

    private static void Cmov(Assembler a, int cc, AssemblerRegister64 x, AssemblerRegister64 y)
    {
        switch (cc)
        {
            case 0: a.cmovo(x, y); break;
            case 1: a.cmovno(x, y); break;
            case 2: a.cmovb(x, y); break;
            case 3: a.cmovae(x, y); break;
            case 4: a.cmove(x, y); break;
            case 5: a.cmovne(x, y); break;
            case 6: a.cmovbe(x, y); break;
            case 7: a.cmova(x, y); break;
            case 8: a.cmovs(x, y); break;
            case 9: a.cmovns(x, y); break;
            case 10: a.cmovp(x, y); break;
            case 11: a.cmovnp(x, y); break;
            case 12: a.cmovl(x, y); break;
            case 13: a.cmovge(x, y); break;
            case 14: a.cmovle(x, y); break;
            default: a.cmovg(x, y); break;
        }
    }
}
