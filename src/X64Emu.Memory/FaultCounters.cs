namespace X64Emu.Memory;

/// <summary>How faults were resolved, by kind (for --stats and the fault-path benchmarks).</summary>
public sealed class FaultCounters
{
    public long ZeroPage;
    public long AnonZeroFill;
    public long CowCopy;
    public long CowReuse;
    public long FilePage;
    public long FileCopy;
    public long Shared;
    public long Hugetlb;
    public long Thp;
    public long StackGrowth;
    public long SegvMapErr;
    public long SegvAccErr;
    public long SegvPkuErr;
    public long SigBus;
    public long Oom;
}
