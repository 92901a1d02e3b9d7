using System;
using BenchmarkDotNet.Attributes;
using X64Emu.Cpu;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Jit;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// The JIT tier's compile latency: IL generation for a region plus the .NET JIT's compilation of it,
/// for a loop body of 20 integer instructions with loads and stores (what the background thread pays
/// per hot region). The loops' run-time speed is in <see cref="InterpreterBenchmarks"/> (Tier = Eager).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class JitBenchmarks
{
    private const ulong CodeVa = 0x400000;
    private const ulong DataVa = 0x600000;

    private BenchMachine _m = null!;
    private JitEngine _engine = null!;
    private Block _block = null!;

    [GlobalSetup]
    public void Setup()
    {
        _m = new BenchMachine(64UL << 20);
        AddressSpace space = _m.Space;
        BlockCache blocks = new(space);
        blocks.SetJit(JitMode.Eager);
        _engine = blocks.Jit!;
        X64Emu.Cpu.Cpu cpu = new(_m.Mmu, blocks);
        byte[] body =
        {
            0x48, 0x8B, 0x07,             // mov rax, [rdi]
            0x48, 0x01, 0xC3,             // add rbx, rax
            0x48, 0xC1, 0xE0, 0x0D,       // shl rax, 13
            0x48, 0x31, 0xC3,             // xor rbx, rax
            0x48, 0x89, 0x5F, 0x08,       // mov [rdi+8], rbx
            0x48, 0x8D, 0x14, 0x9B,       // lea rdx, [rbx+rbx*4]
            0x48, 0x0F, 0xAF, 0xD0,       // imul rdx, rax
            0x48, 0x29, 0xD6,             // sub rsi, rdx
            0x48, 0x85, 0xF6,             // test rsi, rsi
            0x48, 0x0F, 0x44, 0xF3,       // cmove rsi, rbx
            0x48, 0x8B, 0x4F, 0x10,       // mov rcx, [rdi+16]
            0x48, 0x01, 0xCE,             // add rsi, rcx
            0x48, 0xFF, 0xC1,             // inc rcx
            0x48, 0x89, 0x4F, 0x10,       // mov [rdi+16], rcx
            0x48, 0xC1, 0xEB, 0x07,       // shr rbx, 7
            0x48, 0x31, 0xDE,             // xor rsi, rbx
            0x49, 0xFF, 0xC8,             // dec r8
            0x75, 0x00,                   // jnz (patched below to the loop start)
            0x0F, 0x05,                   // syscall
        };
        body[^3] = unchecked((byte)-(body.Length - 2));
        BenchMachine.Check(space.Map(CodeVa, 0x1000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _), "mmap code");
        if (!space.WriteUser(CodeVa, body))
        {
            throw new InvalidOperationException("cannot write code");
        }

        BenchMachine.Check(space.Protect(CodeVa, 0x1000, Prot.Read), "mprotect R");
        BenchMachine.Check(space.Protect(CodeVa, 0x1000, Prot.Read | Prot.Exec), "mprotect RX");
        BenchMachine.Check(space.Map(DataVa, 0x1000, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _), "mmap data");
        _m.MakeCurrent();
        _block = blocks.GetOrDecode(cpu, CodeVa, out ExitReason why) ?? throw new InvalidOperationException($"decode: {why}");
    }

    [GlobalCleanup]
    public void Cleanup() => _m.Dispose();

    /// <summary>One region of 20 guest instructions: IL emission plus host-code compilation.</summary>
    [Benchmark(Description = "compile a 20-instruction loop region")]
    public JitRegion? CompileRegion() => RegionCompiler.Compile(_engine, _block);
}
