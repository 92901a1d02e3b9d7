using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using X64Emu.Cpu.Jit;
using X64Emu.Cpu.Tests.Oracle;
using Xunit;

namespace X64Emu.Cpu.Tests;

/// <summary>
/// Differential tests against the host CPU: each case runs the same instruction bytes natively
/// (<see cref="HostCpu"/>) and in the emulator (<see cref="EmuRunner"/>) on a few hundred seeded
/// random inputs, and compares RAX..RDI, the memory cell and the arithmetic flags the SDM defines.
/// </summary>
public class NativeOracleTests
{
    private const int InputsPerCase = 400;
    private const int MaxAttempts = 8000;

    private static readonly ulong[] Edges =
    {
        0, 1, 2, 3, ulong.MaxValue, ulong.MaxValue - 1,
        0x7F, 0x80, 0x81, 0xFF, 0x100,
        0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x1_0000,
        0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0x8000_0000_0000_0001,
        0xFFFF_FFFF_FFFF_FF80, 0xFFFF_FFFF_FFFF_8000, 0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_0000_0000,
        0x8080_8080_8080_8080, 0x0101_0101_0101_0101, 0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA,
    };

    public static IEnumerable<object[]> CaseNames() => OracleCases.All.Keys.Select(k => new object[] { k });

    [Fact]
    public void Table_HasTheExpectedBreadth()
    {
        Assert.True(OracleCases.All.Count > 500, $"{OracleCases.All.Count} cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Instruction_SeededRandomInputs_MatchesHostCpu(string name) => RunCase(name, JitMode.Off);

    /// <summary>The same cases through the compiled tier: every block is compiled before it runs.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Instruction_Compiled_MatchesHostCpu(string name) => RunCase(name, JitMode.Eager);

    private void RunCase(string name, JitMode jit)
    {
        OracleCase c = OracleCases.All[name];
        using HostCpu host = new(c.Code);
        using EmuRunner emu = new(c.Code, jit);
        Random rng = new(StableSeed(name));
        List<string> failures = new();
        int ran = 0;
        for (int attempt = 0; attempt < MaxAttempts && ran < InputsPerCase && failures.Count < 5; attempt++)
        {
            RegState input = RandomState(rng);
            c.Shape?.Invoke(rng, ref input);
            input.Rflags &= OracleCases.Arith;
            if (!c.Valid(input))
            {
                continue;
            }

            ran++;
            RegState native = input;
            host.Run(ref native);
            RegState emulated = input;
            string? stop = emu.Run(ref emulated);
            if (stop != null)
            {
                failures.Add($"in:  {input}\n  emulator {stop}");
                break;
            }

            string? diff = Compare(native, emulated, c.Undefined(input));
            if (diff != null)
            {
                failures.Add($"in:  {input}\n  cpu: {native}\n  emu: {emulated}\n  differs in {diff}");
            }
        }

        Assert.True(failures.Count == 0, $"{name}:\n" + string.Join("\n", failures));
        Assert.True(ran >= InputsPerCase / 4, $"{name}: only {ran} valid inputs");
    }

    private static string? Compare(in RegState a, in RegState b, ulong undefinedFlags)
    {
        StringBuilder sb = new();
        void Check(string what, ulong x, ulong y)
        {
            if (x != y)
            {
                sb.Append(sb.Length == 0 ? "" : ", ").Append(what);
            }
        }

        Check("rax", a.Rax, b.Rax);
        Check("rbx", a.Rbx, b.Rbx);
        Check("rcx", a.Rcx, b.Rcx);
        Check("rdx", a.Rdx, b.Rdx);
        Check("rsi", a.Rsi, b.Rsi);
        Check("rdi", a.Rdi, b.Rdi);
        Check("mem", a.Mem, b.Mem);
        ulong mask = OracleCases.Arith & ~undefinedFlags;
        ulong fd = (a.Rflags ^ b.Rflags) & mask;
        foreach ((string n, ulong bit) in new[] { ("CF", OracleCases.CF), ("PF", OracleCases.PF), ("AF", OracleCases.AF), ("ZF", OracleCases.ZF), ("SF", OracleCases.SF), ("OF", OracleCases.OF) })
        {
            if ((fd & bit) != 0)
            {
                sb.Append(sb.Length == 0 ? "" : ", ").Append(n);
            }
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    private static RegState RandomState(Random rng)
    {
        RegState s = new()
        {
            Rax = Value(rng),
            Rbx = Value(rng),
            Rcx = Value(rng),
            Rdx = Value(rng),
            Rsi = Value(rng),
            Rdi = Value(rng),
            Mem = Value(rng),
            Rflags = (ulong)rng.NextInt64() & OracleCases.Arith,
        };

        // Shift and bit counts in CL: small values around the operand widths half the time.
        if (rng.Next(2) == 0)
        {
            s.Rcx = (s.Rcx & ~0xFFUL) | (uint)rng.Next(0, 72);
        }

        return s;
    }

    private static ulong Value(Random rng)
    {
        switch (rng.Next(10))
        {
            case 0:
            case 1:
            case 2:
                return Edges[rng.Next(Edges.Length)];
            case 3:
                return (ulong)rng.Next(-3, 70);
            case 4:
                return Edges[rng.Next(Edges.Length)] ^ (1UL << rng.Next(64));
            case 5:
                // An edge in the low 8/16/32 bits, random above: the narrow forms must ignore the rest.
                int w = 8 << rng.Next(3);
                ulong m = (1UL << w) - 1;
                return ((ulong)rng.NextInt64() & ~m) | (Edges[rng.Next(Edges.Length)] & m);
            default:
                return (ulong)rng.NextInt64() ^ ((ulong)(uint)rng.Next() << 63);
        }
    }

    /// <summary>FNV-1a of the case name: a seed that does not change between runs (string.GetHashCode does).</summary>
    private static int StableSeed(string name)
    {
        uint h = 2166136261;
        foreach (char ch in name)
        {
            h = (h ^ ch) * 16777619;
        }

        return (int)h;
    }
}
