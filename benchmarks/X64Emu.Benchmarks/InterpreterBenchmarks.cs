using System;
using BenchmarkDotNet.Attributes;
using X64Emu.Cpu;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Jit;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// Guest integer loops run by the interpreter from decoded, linked blocks, and by the compiled tier
/// (<see cref="Tier"/> = Eager: the loop is compiled to IL before it first runs). Each invocation
/// executes 3 × <see cref="Iterations"/> + 3 guest instructions, so the reported time is per guest
/// instruction and 1000 / ns is the guest MIPS.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 6, invocationCount: 1)]
public class InterpreterBenchmarks
{
    public const int Iterations = 10_000_000;
    private const int GuestInsns = (3 * Iterations) + 3;

    private const ulong CodeVa = 0x400000;
    private const ulong RegLoopVa = CodeVa;
    private const ulong MemLoopVa = CodeVa + 0x100;
    private const ulong DataVa = 0x600000;
    private const ulong StackTop = 0x7ff000;

    /// <summary>Off: the interpreter; Eager: the JIT tier.</summary>
    [Params(JitMode.Off, JitMode.Eager)]
    public JitMode Tier { get; set; }

    private BenchMachine _m = null!;
    private X64Emu.Cpu.Cpu _cpu = null!;

    [GlobalSetup]
    public void Setup()
    {
        _m = new BenchMachine(64UL << 20);
        AddressSpace space = _m.Space;
        BlockCache blocks = new(space);
        blocks.SetJit(Tier);
        _cpu = new X64Emu.Cpu.Cpu(_m.Mmu, blocks);

        byte[] code = new byte[0x200];
        byte[] n = BitConverter.GetBytes((uint)Iterations);
        byte[] d = BitConverter.GetBytes((uint)DataVa);
        byte[] regLoop =
        {
            0xB9, n[0], n[1], n[2], n[3],   // mov ecx, Iterations
            0x31, 0xC0,             // xor eax, eax
            0x48, 0x01, 0xC8,       // L: add rax, rcx
            0x48, 0xFF, 0xC9,       //    dec rcx
            0x75, 0xF8,             //    jnz L (-8 = 3 + 3 + 2)
            0x0F, 0x05,             // syscall
        };
        byte[] memLoop =
        {
            0xBF, d[0], d[1], d[2], d[3],   // mov edi, DataVa
            0xB9, n[0], n[1], n[2], n[3],   // mov ecx, Iterations
            0x48, 0x01, 0x0F,       // L: add [rdi], rcx
            0x48, 0xFF, 0xC9,       //    dec rcx
            0x75, 0xF8,             //    jnz L
            0x0F, 0x05,             // syscall
        };
        regLoop.CopyTo(code, (int)(RegLoopVa - CodeVa));
        memLoop.CopyTo(code, (int)(MemLoopVa - CodeVa));

        BenchMachine.Check(space.Map(CodeVa, 0x1000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _), "mmap code");
        if (!space.WriteUser(CodeVa, code))
        {
            throw new InvalidOperationException("cannot write code");
        }

        // W^X: RW → R → RX is allowed, RW → RX is not.
        BenchMachine.Check(space.Protect(CodeVa, 0x1000, Prot.Read), "mprotect R");
        BenchMachine.Check(space.Protect(CodeVa, 0x1000, Prot.Read | Prot.Exec), "mprotect RX");
        BenchMachine.Check(space.Map(DataVa, 0x1000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _), "mmap data");
        BenchMachine.Check(space.Map(StackTop - 0x4000, 0x4000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _), "mmap stack");
        _cpu.Gpr(Reg.Rsp) = StackTop;

        // Sanity: the register loop computes the sum 1..N.
        ulong sum = RegisterLoop();
        ulong want = (ulong)Iterations * (Iterations + 1) / 2;
        if (sum != want)
        {
            throw new InvalidOperationException($"guest loop computed {sum}, expected {want}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _m.Dispose();

    /// <summary>add rax, rcx / dec rcx / jnz: registers and flags only.</summary>
    [Benchmark(OperationsPerInvoke = GuestInsns, Description = "guest loop: add reg / dec / jnz, per instruction")]
    public ulong RegisterLoop()
    {
        _m.MakeCurrent();
        _cpu.R.Rip = RegLoopVa;
        Expect(_cpu.Run());
        return _cpu.Gpr(Reg.Rax);
    }

    /// <summary>add [rdi], rcx / dec rcx / jnz: one read-modify-write through the TLB per iteration.</summary>
    [Benchmark(OperationsPerInvoke = GuestInsns, Description = "guest loop: add [mem] / dec / jnz, per instruction")]
    public ulong MemoryLoop()
    {
        _m.MakeCurrent();
        _cpu.R.Rip = MemLoopVa;
        Expect(_cpu.Run());
        return _cpu.Gpr(Reg.Rcx);
    }

    private static void Expect(ExitReason r)
    {
        if (r != ExitReason.Syscall)
        {
            throw new InvalidOperationException($"guest stopped with {r}");
        }
    }
}
