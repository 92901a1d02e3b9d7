using System;
using BenchmarkDotNet.Attributes;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// The demand-fault paths through <see cref="Mmu"/> (miss, walk, fault handler under the lock, walk
/// again), and the mm calls that create and split mappings.
/// </summary>
/// <remarks>
/// Fault benchmarks need fresh memory each time, so every invocation is one iteration: the iteration
/// setup maps (and for COW, fills and forks) <see cref="Pages"/> pages, the benchmark faults each once,
/// and the cleanup unmaps. Results are per page (OperationsPerInvoke). The mm-call benchmarks loop
/// <see cref="CallOps"/> times per invocation for the same reason.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 1)]
public class FaultBenchmarks
{
    private const int Pages = 32768; // 128 MiB per invocation
    private const ulong Size = (ulong)Pages << PageSizes.PageBits;
    private const int CallOps = 32768;
    private const ulong Ram = 512UL << 20;

    // Far below the top-down mmap area, so the mmap benchmark's page has no neighbour to merge with.
    private const ulong ThreeVa = 0x1000_0000_0000;

    private BenchMachine _m = null!;
    private ulong _va;
    private AddressSpace? _child;
    private ulong _three;
    private ulong _mergeable;

    [GlobalSetup]
    public void Setup()
    {
        _m = new BenchMachine(Ram);

        // Touch (nearly) all emulated RAM once, so the host has backed it: the timings are then the
        // emulator's work, not the host kernel's first-touch faults. Freed 4 KiB frames stay backed.
        ulong warm = _m.Map(Ram - (32UL << 20));
        _m.TouchWrite(warm, Ram - (32UL << 20));
        BenchMachine.Check(_m.Space.Unmap(warm, Ram - (32UL << 20)), "munmap");

        _three = _m.Map(3 * PageSizes.PageSize, addr: ThreeVa);
        _m.TouchWrite(_three, 3 * PageSizes.PageSize);
        _mergeable = _m.Map(PageSizes.PageSize, addr: ThreeVa - (64 * PageSizes.PageSize));
        _m.TouchWrite(_mergeable, PageSizes.PageSize);
    }

    [GlobalCleanup]
    public void Cleanup() => _m.Dispose();

    [IterationSetup(Targets = new[] { nameof(AnonZeroFillWrite), nameof(ZeroPageRead) })]
    public void MapFresh()
    {
        _m.MakeCurrent();
        _va = _m.Map(Size);
    }

    private X64Emu.Memory.Objects.MemoryObject? _file;

    /// <summary>A 128 MiB "file" whose pages are already in the page cache (an in-memory backing).</summary>
    [IterationSetup(Targets = new[] { nameof(FileReadFault), nameof(FilePrivateWriteFault) })]
    public void MapFile()
    {
        _m.MakeCurrent();
        if (_file == null)
        {
            _file = new X64Emu.Memory.Objects.MemoryObject(_m.Machine.Physical, X64Emu.Memory.Objects.MemoryObjectKind.File, new ZeroFile(Size), Size, "/bench/file");
            _file.AddUser();
            for (ulong i = 0; i < (ulong)Pages; i++)
            {
                _file.GetPage(i, out _);
            }
        }

        BenchMachine.Check(_m.Space.Map(0, Size, Prot.Read | Prot.Write, MapFlags.None, _file, 0, out _va), "mmap file");
    }

    [IterationCleanup(Targets = new[] { nameof(FileReadFault), nameof(FilePrivateWriteFault) })]
    public void UnmapFile() => BenchMachine.Check(_m.Space.Unmap(_va, Size), "munmap");

    /// <summary>Read faults on a private file mapping whose pages are cached: map the page-cache page read-only (with fault-around, 16 pages per fault).</summary>
    [Benchmark(OperationsPerInvoke = Pages, Description = "read fault: file page (cached, fault-around), per 4 KiB page")]
    public ulong FileReadFault() => ReadEveryPage();

    /// <summary>One byte read per 4 KiB page of the mapping: one read fault each (or a fault-around hit).</summary>
    private ulong ReadEveryPage()
    {
        Mmu mmu = _m.Mmu;
        ulong sum = 0;
        for (ulong off = 0; off < Size; off += PageSizes.PageSize)
        {
            if (!mmu.TryRead8(_va + off, out byte b))
            {
                BenchMachine.ThrowFault(mmu);
            }

            sum += b;
        }

        return sum;
    }

    /// <summary>First write to a private file mapping: copy the cached page into a private anonymous page.</summary>
    [Benchmark(OperationsPerInvoke = Pages, Description = "write fault: private file page copy, per 4 KiB page")]
    public void FilePrivateWriteFault() => _m.TouchWrite(_va, Size);

    private sealed class ZeroFile : X64Emu.Memory.Objects.IFileBacking
    {
        public ZeroFile(ulong length) => Length = length;

        public ulong Length { get; }

        public int Read(ulong offset, Span<byte> destination)
        {
            destination.Clear();
            return destination.Length;
        }

        public bool Write(ulong offset, ReadOnlySpan<byte> source) => true;

        public bool MayPageOut => true;
    }

    [IterationSetup(Target = nameof(CowWriteAfterFork))]
    public void MapFilledAndFork()
    {
        _m.MakeCurrent();
        _va = _m.Map(Size);
        _m.TouchWrite(_va, Size);
        _child = _m.Space.Fork() ?? throw new InvalidOperationException("fork failed");
    }

    [IterationCleanup(Targets = new[] { nameof(AnonZeroFillWrite), nameof(ZeroPageRead), nameof(CowWriteAfterFork) })]
    public void UnmapFresh()
    {
        _child?.Dispose();
        _child = null;
        BenchMachine.Check(_m.Space.Unmap(_va, Size), "munmap");
    }

    /// <summary>First write to a never-touched anonymous page: allocate, zero, install (do_anonymous_page).</summary>
    [Benchmark(OperationsPerInvoke = Pages, Description = "write fault: anon zero-fill, per 4 KiB page")]
    public void AnonZeroFillWrite() => _m.TouchWrite(_va, Size);

    /// <summary>First read of a never-touched anonymous page: map the shared zero page read-only.</summary>
    [Benchmark(OperationsPerInvoke = Pages, Description = "read fault: zero page, per 4 KiB page")]
    public ulong ZeroPageRead() => ReadEveryPage();

    /// <summary>Parent writes to pages it shares with a forked child: copy the frame (do_wp_page), shoot down the old translation.</summary>
    [Benchmark(OperationsPerInvoke = Pages, Description = "write fault: COW copy after fork, per 4 KiB page")]
    public void CowWriteAfterFork() => _m.TouchWrite(_va, Size);

    /// <summary>mmap of one anonymous RW page (kernel-chosen address, no neighbour) followed by its munmap.</summary>
    [Benchmark(OperationsPerInvoke = CallOps, Description = "mmap + munmap, 1 page")]
    public void MmapMunmap()
    {
        _m.MakeCurrent();
        AddressSpace space = _m.Space;
        for (int i = 0; i < CallOps; i++)
        {
            space.Map(0, PageSizes.PageSize, Prot.Read | Prot.Write, MapFlags.None, null, 0, out ulong va);
            space.Unmap(va, PageSizes.PageSize);
        }
    }

    /// <summary>
    /// mmap of one RW page hinted right below a compatible anonymous VMA (it merges into it), then
    /// munmap (which splits it off again): malloc's pattern when it grows an arena downwards.
    /// </summary>
    [Benchmark(OperationsPerInvoke = CallOps, Description = "mmap + munmap, 1 page, merging with a neighbour")]
    public void MmapMunmapMerging()
    {
        _m.MakeCurrent();
        AddressSpace space = _m.Space;
        ulong hint = _mergeable - PageSizes.PageSize;
        for (int i = 0; i < CallOps; i++)
        {
            space.Map(hint, PageSizes.PageSize, Prot.Read | Prot.Write, MapFlags.None, null, 0, out ulong va);
            space.Unmap(va, PageSizes.PageSize);
        }
    }

    /// <summary>mprotect the middle page of a 3-page mapping read-only (split into 3 VMAs), then back (merge into 1).</summary>
    [Benchmark(OperationsPerInvoke = CallOps, Description = "mprotect split + merge back, middle of 3 pages")]
    public void MprotectSplitMerge()
    {
        _m.MakeCurrent();
        AddressSpace space = _m.Space;
        ulong mid = _three + PageSizes.PageSize;
        for (int i = 0; i < CallOps; i++)
        {
            space.Protect(mid, PageSizes.PageSize, Prot.Read);
            space.Protect(mid, PageSizes.PageSize, Prot.Read | Prot.Write);
        }
    }
}
