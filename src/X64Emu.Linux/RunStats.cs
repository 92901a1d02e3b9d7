using System.IO;
using System.Threading;
using X64Emu.Memory;

namespace X64Emu.Linux;

/// <summary>Counters gathered from every guest thread and process as they end, for --stats.</summary>
public sealed class RunStats
{
    public long TlbHits;
    public long TlbMisses;
    public long HugeTlbHits;
    public long PageWalks;
    public long BlocksExecuted;
    public long BlocksDecoded;
    public long BlocksInvalidated;
    public long JitRegions;
    public long JitFailed;
    public long JitInline;
    public long JitFallback;
    public long JitTicks;
    public long MinorFaults;
    public long MajorFaults;
    public long PeakRssPages;
    public readonly FaultCounters Faults = new();

    public void AddThread(Mmu mmu, X64Emu.Cpu.Cpu cpu)
    {
        Interlocked.Add(ref TlbHits, (long)mmu.Hits);
        Interlocked.Add(ref TlbMisses, (long)mmu.Misses);
        Interlocked.Add(ref HugeTlbHits, (long)mmu.HugeHits);
        Interlocked.Add(ref PageWalks, (long)mmu.Walks);
        Interlocked.Add(ref BlocksExecuted, (long)cpu.BlocksExecuted);
    }

    public void AddProcess(AddressSpace mm, X64Emu.Cpu.Decode.BlockCache blocks)
    {
        lock (Faults)
        {
            FaultCounters f = mm.Faults;
            Faults.ZeroPage += f.ZeroPage;
            Faults.AnonZeroFill += f.AnonZeroFill;
            Faults.CowCopy += f.CowCopy;
            Faults.CowReuse += f.CowReuse;
            Faults.FilePage += f.FilePage;
            Faults.FileCopy += f.FileCopy;
            Faults.Shared += f.Shared;
            Faults.Hugetlb += f.Hugetlb;
            Faults.Thp += f.Thp;
            Faults.StackGrowth += f.StackGrowth;
            Faults.SegvMapErr += f.SegvMapErr;
            Faults.SegvAccErr += f.SegvAccErr;
            Faults.SegvPkuErr += f.SegvPkuErr;
            Faults.SigBus += f.SigBus;
            Faults.Oom += f.Oom;
            MinorFaults += mm.MinorFaults;
            MajorFaults += mm.MajorFaults;
            if (mm.HiwaterRss > PeakRssPages)
            {
                PeakRssPages = mm.HiwaterRss;
            }

            BlocksDecoded += blocks.Decoded;
            BlocksInvalidated += blocks.Invalidated;
            if (blocks.Jit is X64Emu.Cpu.Jit.JitEngine jit)
            {
                JitRegions += Interlocked.Read(ref jit.Compiled);
                JitFailed += Interlocked.Read(ref jit.Failed);
                JitInline += Interlocked.Read(ref jit.InlineInsns);
                JitFallback += Interlocked.Read(ref jit.FallbackInsns);
                JitTicks += Interlocked.Read(ref jit.CompileTicks);
            }
        }
    }

    public void Print(TextWriter w)
    {
        FaultCounters f = Faults;
        w.WriteLine($"  page faults         {MinorFaults} minor, {MajorFaults} major");
        w.WriteLine($"    zero page         {f.ZeroPage}");
        w.WriteLine($"    anon zero-fill    {f.AnonZeroFill}");
        w.WriteLine($"    copy-on-write     {f.CowCopy} copied, {f.CowReuse} reused");
        w.WriteLine($"    file              {f.FilePage} mapped, {f.FileCopy} private copies");
        w.WriteLine($"    shared            {f.Shared}");
        w.WriteLine($"    hugetlb           {f.Hugetlb}");
        w.WriteLine($"    thp               {f.Thp}");
        w.WriteLine($"    stack growth      {f.StackGrowth}");
        w.WriteLine($"    SIGSEGV           {f.SegvMapErr} maperr, {f.SegvAccErr} accerr, {f.SegvPkuErr} pkuerr; SIGBUS {f.SigBus}; OOM {f.Oom}");
        w.WriteLine($"  TLB                 {TlbHits} hits, {TlbMisses} misses ({HugeTlbHits} huge-entry hits), {PageWalks} page walks");
        w.WriteLine($"  blocks              {BlocksExecuted} executed, {BlocksDecoded} decoded, {BlocksInvalidated} invalidated");
        long jitMs = JitTicks * 1000 / System.Diagnostics.Stopwatch.Frequency;
        w.WriteLine($"  jit                 {JitRegions} regions compiled in {jitMs} ms ({JitInline} instructions inline, {JitFallback} through handlers), {JitFailed} failed");
        w.WriteLine($"  peak RSS            {PeakRssPages * 4} kB");
    }
}
